"""Candidate rule words for a code, from its labelled answers.

For maintainers writing or extending a codebook: which words and word pairs
set the answers labelled with a code apart from the rest (keyness: the
log-likelihood G² of the 2 × 2 table of answers with/without the term ×
with/without the code, Dunning 1993), and how well the term alone would code
them on the samples (precision and recall as a rule ``term``). With a
codebook, also the positives the current rule misses, and how many of them
each term would catch.

Terms are Sudachi normalized forms; ``否定:`` marks a word inside a negated
clause, ``+`` joins a word pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.coding.features import WordFeatures
from kotoba_code.coding.learned import _readable, samples_to_training
from kotoba_code.coding.rule_coder import apply_codebook
from kotoba_code.errors import CorpusReadError, Errors

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.evaluate import LabelledSample


def g2(a: np.ndarray, b: np.ndarray, n1: int, n2: int) -> np.ndarray:
    """Log-likelihood G² of 2 × 2 tables, vectorized: ``a`` of ``n1`` target
    answers and ``b`` of ``n2`` others contain the term.

    Examples
    --------
    >>> round(float(g2(np.array([8]), np.array([2]), 10, 40)[0]), 2)
    24.15
    """
    obs = np.stack([a, b, n1 - a, n2 - b]).astype(float)
    total = n1 + n2
    rows = np.stack([a + b, a + b, total - a - b, total - a - b]).astype(float)
    cols = np.array([n1, n2, n1, n2], dtype=float)[:, None]
    expected = rows * cols / total
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(obs > 0, obs * np.log(obs / expected), 0.0)
    return 2 * terms.sum(axis=0)


def suggest_terms(
    samples: LabelledSample | Sequence[LabelledSample],
    code: str,
    *,
    codebook: Codebook | None = None,
    top: int = 30,
    min_count: int = 2,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate words and phrases for ``code``, and the positives its rule misses.

    Returns
    -------
    candidates : DataFrame
        ``term``, ``positives`` and ``others`` (answers with the term),
        ``precision``, ``recall``, ``g2``, ``p`` and, with a codebook,
        ``missed`` (positives the rule misses that contain the term);
        over-represented terms only, highest G² first.
    missed : DataFrame
        ``id``, ``text`` of the positives the codebook's rule does not code
        (empty without a codebook).

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code.io.labels import read_labels
    >>> s = read_labels(pd.DataFrame({"id": list("123456"), "text": ["人手が不足", "人手が少ない", "人手を増やしたい",
    ...     "連携できた", "会議をした", "特になし"], "codes": ["staff"] * 3 + [""] * 3}))
    >>> cand, _ = suggest_terms(s, "staff", min_count=2)
    >>> cand["term"].iloc[0], int(cand["positives"].iloc[0]), float(cand["precision"].iloc[0])
    ('人手', 3, 1.0)
    """
    items = [samples] if not isinstance(samples, (list, tuple)) else list(samples)
    tokens, y, code_ids = samples_to_training(items, codebook)
    if code not in code_ids:
        raise CorpusReadError(
            Errors.E610.format(source=", ".join(s.source for s in items), code=code, known=", ".join(code_ids))
        )
    target = y[:, code_ids.index(code)].astype(bool)
    wf = WordFeatures("norm", min_df=min_count).fit(tokens)
    present = (wf.counts(tokens) > 0).tocsc().astype(np.int64)
    n1, n2 = int(target.sum()), int((~target).sum())
    a = np.asarray(present[target].sum(axis=0)).ravel()
    b = np.asarray(present[~target].sum(axis=0)).ravel()
    score = g2(a, b, n1, n2)
    over = (a / max(n1, 1)) > (b / max(n2, 1))
    from scipy import stats  # on first use: see coding.counts.chi2_presence

    table = pd.DataFrame(
        {
            "term": [_readable(t) for t in wf.space.terms],
            "positives": a,
            "others": b,
            "precision": np.round(a / np.maximum(a + b, 1), 3),
            "recall": np.round(a / max(n1, 1), 3),
            "g2": np.round(score, 2),
            "p": stats.chi2.sf(score, 1),
        }
    )
    missed = pd.DataFrame(columns=["id", "text"])
    if codebook is not None and codebook[code].rule:
        hits = apply_codebook(codebook, tokens).matrix[code].to_numpy(dtype=bool)
        miss = target & ~hits
        table["missed"] = np.asarray(present[miss].sum(axis=0)).ravel()
        missed = pd.DataFrame(
            {"id": tokens.corpus.ids[miss], "text": [t for t, m in zip(tokens.corpus.texts, miss, strict=True) if m]}
        )
    table = table[over & (a >= min_count)].sort_values(["g2", "positives"], ascending=False, kind="stable")
    return table.head(top).reset_index(drop=True), missed.reset_index(drop=True)
