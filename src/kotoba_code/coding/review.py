"""The review queue: every answer once, the most likely wrongly coded first.

An answer's risk is the probability that at least one of its codes is wrong,
``1 - prod_c max(p_c, 1 - p_c)`` over the calibrated per-code probabilities
``p_c`` of a learned or hybrid coder (``CodingResult.scores``). Codes whose
probability lies between 0.1 and 0.9 are listed as uncertain, with what the
rules and the model said.

The queue has an empty column, ``reviewed_codes``, for the reviewer's codes.
``kotoba-code test`` and ``train`` (and :func:`~kotoba_code.evaluate.read_labels`)
read a filled-in queue back as a labelled sample: a code list (``a;b``) is
taken as written, ``=`` (or ``○``, ``〇``, ``ok``: Excel takes a typed ``=``
for the start of a formula) accepts the proposed codes, ``-`` (or ``×``,
``なし``) means no code, and rows left empty are not labelled yet and are left
out (warning W602). :func:`kotoba_code.io.review.write_review` writes the
queue for people.
"""

from __future__ import annotations

import unicodedata
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

REVIEW_COLUMN = "reviewed_codes"
PROPOSED_COLUMN = "proposed_codes"
ACCEPT = "="
NONE = "-"
# What a reviewer may type instead, compared after NFKC and lower-casing.
ACCEPT_MARKS = frozenset({ACCEPT, "○", "〇", "ok"})
NONE_MARKS = frozenset({NONE, "×", "なし", "none"})
UNCERTAIN = (0.1, 0.9)


def review_queue(result: CodingResult, *, uncertain: tuple[float, float] = UNCERTAIN) -> pd.DataFrame:
    """One row per answer, most likely wrong first.

    Columns: ``id``, ``rank``, ``risk`` (probability that some code is wrong),
    ``proposed_codes``, ``uncertain_codes`` (``code 0.63`` …), ``reason``
    (per uncertain code: ``ルール○・モデル0.21``), ``text`` and the empty
    ``reviewed_codes``.

    Examples
    --------
    >>> import numpy as np
    >>> from kotoba_code import Corpus, tokenize
    >>> from kotoba_code.coding import LearnedCoder
    >>> texts = ["人手が足りない", "職員が不足", "連携できている", "特になし"] * 5
    >>> toks = tokenize(Corpus.from_texts(texts), cache=False)
    >>> m = LearnedCoder(vectors=False, cv=2).fit(toks, np.array([[1], [1], [0], [0]] * 5), code_ids=["staff"])
    >>> q = review_queue(m.code(toks))
    >>> len(q), q["rank"].tolist()[:3], bool(q["risk"].is_monotonic_decreasing)
    (20, [1, 2, 3], True)
    """
    if result.scores is None:
        raise CorpusReadError(Errors.E609.format(what="model behind this result (no scores)"))
    scores = result.scores
    ids = list(scores.columns)
    p = scores.to_numpy(dtype=float)
    decided = result.matrix[ids].to_numpy(dtype=bool)
    risk = 1.0 - np.prod(np.where(decided, p, 1.0 - p), axis=1)
    rule = getattr(result, "rule_scores", None)
    model = getattr(result, "model_scores", None)
    lo, hi = uncertain
    texts = result.corpus.texts
    doc = result._unit_rows["doc"].to_numpy()
    rows = []
    for i in range(len(p)):
        proposed = [c for j, c in enumerate(ids) if decided[i, j]]
        unsure = [j for j in np.argsort(-np.minimum(p[i], 1 - p[i])) if lo < p[i, j] < hi]
        reasons = []
        for j in unsure:
            parts = []
            if rule is not None:
                parts.append("ルール○" if rule.iat[i, j] else "ルール×")
            if model is not None:
                parts.append(f"モデル{model.iat[i, j]:.2f}")
            verdict = "付与" if decided[i, j] else "不付与"
            reasons.append(f"{ids[j]}: {verdict}（{'・'.join(parts) or f'確率{p[i, j]:.2f}'}）")
        rows.append(
            {
                "id": scores.index[i],
                "risk": round(float(risk[i]), 4),
                PROPOSED_COLUMN: ";".join(proposed),
                "uncertain_codes": "; ".join(f"{ids[j]} {p[i, j]:.2f}" for j in unsure),
                "reason": "; ".join(reasons),
                "text": texts[doc[i]],
                REVIEW_COLUMN: "",
            }
        )
    df = pd.DataFrame(rows)
    order = np.argsort(-risk, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    df.insert(1, "rank", np.arange(1, len(df) + 1))
    return df


def labels_from_review(df: pd.DataFrame, where: str, codes_col: str = "codes") -> pd.DataFrame:
    """A filled-in review queue as a labelled table with a ``codes`` column.

    Examples
    --------
    >>> q = pd.DataFrame({"id": ["1", "2", "3", "4"], "text": ["a", "b", "c", "d"],
    ...                   "proposed_codes": ["x", "x;y", "", "y"], "reviewed_codes": ["=", "y", "-", "○"]})
    >>> labels_from_review(q, "<q>")[["id", "codes"]].values.tolist()
    [['1', 'x'], ['2', 'y'], ['3', ''], ['4', 'y']]
    """
    reviewed = df[REVIEW_COLUMN].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    reviewed = reviewed.str.strip()
    empty = reviewed == ""
    if empty.any():
        rows = (np.flatnonzero(empty.to_numpy()) + 2).tolist()
        shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        warnings.warn(Warnings.W602.format(path=where, n=len(rows), rows=shown), KotobaWarning, stacklevel=3)
    proposed = df[PROPOSED_COLUMN].fillna("").astype(str) if PROPOSED_COLUMN in df.columns else ""
    mark = reviewed.map(lambda v: unicodedata.normalize("NFKC", v).lower())
    codes = np.where(mark.isin(ACCEPT_MARKS), proposed, np.where(mark.isin(NONE_MARKS), "", reviewed))
    out = df.assign(**{codes_col: codes})[~empty.to_numpy()]
    keep = [
        c for c in out.columns if c not in ("rank", "risk", PROPOSED_COLUMN, "uncertain_codes", "reason", REVIEW_COLUMN)
    ]
    return out[keep].reset_index(drop=True)
