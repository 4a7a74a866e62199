"""Words and codes characteristic of groups (keyness), and those all groups share.

For a target group against all other groups, with a = units of the target
containing the term, b = other units containing it, and the group sizes,
keyness is Pearson's chi-square (with Yates' correction) or the
log-likelihood G² of the 2 × 2 table (Dunning 1993); the effect size is the
log2 ratio of the term's unit shares in target and reference, with 0.5 added
to zero counts. Positive ``effect`` means over-represented in the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.analysis.cooccurrence import TermCounts
from kotoba_code.errors import AnalysisError, Errors

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens


def keyness_table(presence: pd.DataFrame, groups: np.ndarray, *, measure: str = "ll") -> pd.DataFrame:
    """Keyness of each column of a units × terms 0/1 table for every group.

    Returns ``group``, ``term``, ``target`` and ``reference`` (units with the
    term), ``n_target``, ``n_reference``, ``share_target``, ``share_reference``,
    ``score`` (G² or chi-square), ``p`` and ``effect`` (log2 share ratio),
    sorted by group then by descending signed score.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = keyness_table(pd.DataFrame({"x": [1, 1, 1, 0, 0, 0]}), np.array(list("AAABBB")), measure="chi2")
    >>> t[["group", "target", "reference"]].values.tolist()
    [['A', 3, 0], ['B', 0, 3]]
    """
    if measure not in ("ll", "chi2"):
        raise AnalysisError(Errors.E531.format(measure=measure, known="ll, chi2"))
    m = presence.to_numpy().astype(bool)
    names = sorted(set(groups.tolist()) - {""})
    counts = np.vstack([m[groups == g].sum(axis=0) for g in names]) if names else np.zeros((0, m.shape[1]))
    sizes = np.array([int((groups == g).sum()) for g in names], dtype=np.int64)
    return keyness_from_counts(counts, sizes, names, presence.columns, measure=measure)


def keyness_from_counts(
    counts: np.ndarray, sizes: np.ndarray, names: list[str], terms: Any, *, measure: str = "ll"
) -> pd.DataFrame:
    """:func:`keyness_table` from counts: ``counts`` is groups × terms (units
    of the group containing the term), ``sizes`` the units per group, for the
    groups ``names`` (sorted, without the empty group). Counts add up across
    parts of a corpus, so a corpus read in chunks gives the table of the whole.

    Examples
    --------
    >>> import numpy as np
    >>> t = keyness_from_counts(np.array([[3], [0]]), np.array([3, 3]), ["A", "B"], ["x"], measure="chi2")
    >>> t[["group", "target", "reference"]].values.tolist()
    [['A', 3, 0], ['B', 0, 3]]
    """
    if measure not in ("ll", "chi2"):
        raise AnalysisError(Errors.E531.format(measure=measure, known="ll, chi2"))
    counts = np.asarray(counts, dtype=np.int64)
    total = counts.sum(axis=0)
    n_all = int(np.sum(sizes))
    out = []
    for j, g in enumerate(names):
        n1 = int(sizes[j])
        n2 = n_all - n1
        a = counts[j].astype(float)
        b = (total - counts[j]).astype(float)
        # All terms at once: one SciPy call per term took most of the time of
        # keyness and synthesis on large vocabularies (issue #15).
        n = float(n1 + n2)
        if measure == "chi2":
            score = keyness_chi2(a, np.full_like(a, n1), a + b, n)
        else:
            score = keyness_g2(a, np.full_like(a, n1), a + b, n)
        # scipy.stats.chi2.sf computes this, but importing scipy.stats takes
        # about 0.5 s (see coding.counts._chi2_contingency).
        from scipy.special import chdtrc

        p = chdtrc(1, score)
        share1 = a / max(n1, 1)
        share2 = b / max(n2, 1)
        effect = np.log2(((a + 0.5) / (n1 + 1)) / ((b + 0.5) / (n2 + 1)))
        sign = np.sign(share1 - share2)
        out.append(
            pd.DataFrame(
                {
                    "group": g,
                    "term": terms,
                    "target": a.astype(int),
                    "reference": b.astype(int),
                    "n_target": n1,
                    "n_reference": n2,
                    "share_target": share1,
                    "share_reference": share2,
                    "score": score,
                    "p": p,
                    "effect": effect,
                    "_signed": sign * score,
                }
            ).sort_values("_signed", ascending=False, kind="stable")
        )
    df = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return df.drop(columns="_signed", errors="ignore")


def _tables(
    a: np.ndarray, n1: np.ndarray, df: np.ndarray, n: float
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...], np.ndarray]:
    """The four observed cells of each 2 × 2 table, their expected counts, and
    which tables have an empty row or column (no statistic)."""
    a, n1, df = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, n1, df)))
    n2 = n - n1
    cells = (a, df - a, n1 - a, n2 - (df - a))
    with np.errstate(divide="ignore", invalid="ignore"):  # n = 0: every table is empty
        expected = tuple(r * c / n for r, c in zip((n1, n2, n1, n2), (df, df, n - df, n - df), strict=True))
    empty = (n1 == 0) | (n2 == 0) | (df == 0) | (df == n)
    return cells, expected, empty


def keyness_g2(a: np.ndarray, n1: np.ndarray, df: np.ndarray, n: float) -> np.ndarray:
    """Log-likelihood G² of many 2 × 2 tables at once (Dunning 1993).

    ``a``: units with both the theme and the word; ``n1``: units with the
    theme; ``df``: units with the word; ``n``: all units. Arrays broadcast.
    The same value as ``scipy.stats.chi2_contingency(..., correction=False,
    lambda_="log-likelihood")`` for each table, 0 for a table with an empty
    row or column.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> g = keyness_g2(np.array([8.0]), np.array([10.0]), np.array([12.0]), 40.0)
    >>> ref = stats.chi2_contingency([[8, 4], [2, 26]], correction=False, lambda_="log-likelihood")[0]
    >>> bool(np.isclose(g[0], ref))
    True
    """
    cells, expected, empty = _tables(a, n1, df, n)
    g = np.zeros(empty.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, e in zip(cells, expected, strict=True):
            g += np.where(o > 0, o * np.log(o / e), 0.0)
    g = 2 * g
    return np.where(empty | ~np.isfinite(g), 0.0, np.maximum(g, 0.0))


def keyness_chi2(a: np.ndarray, n1: np.ndarray, df: np.ndarray, n: float) -> np.ndarray:
    """Pearson's chi-square with Yates' correction of many 2 × 2 tables at once.

    Same arguments as :func:`keyness_g2`; the same value as
    ``scipy.stats.chi2_contingency(..., correction=True)`` for each table.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> g = keyness_chi2(np.array([8.0]), np.array([10.0]), np.array([12.0]), 40.0)
    >>> bool(np.isclose(g[0], stats.chi2_contingency([[8, 4], [2, 26]], correction=True)[0]))
    True
    """
    cells, expected, empty = _tables(a, n1, df, n)
    out = np.zeros(empty.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, e in zip(cells, expected, strict=True):
            out += np.maximum(np.abs(o - e) - 0.5, 0.0) ** 2 / e
    return np.where(empty | ~np.isfinite(out), 0.0, out)


def word_keyness(
    tokens: Tokens,
    by: str,
    *,
    measure: str = "ll",
    min_df: int = 3,
    pos: Iterable[str] | None = None,
    stop_words: Any = None,
    synonyms: Any = None,
) -> pd.DataFrame:
    """Words characteristic of each group of document metadata ``by``.

    Words are those of :func:`~kotoba_code.analysis.cooccurrence.word_cooccurrence`
    (content words without stop words and speaker labels, ``synonyms`` folded).

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["連携がある", "連携が大切", "予算が不足", "予算がない"],
    ...                       metadata=pd.DataFrame({"g": ["A", "A", "B", "B"]}))
    >>> kt = word_keyness(tokenize(c, cache=False), "g", min_df=2)
    >>> kt[kt["effect"] > 0][["group", "term"]].values.tolist()
    [['A', '連携'], ['B', '予算']]
    """
    counts = TermCounts.of(tokens, by=by, pos=pos, stop_words=stop_words, synonyms=synonyms)
    return word_keyness_from_counts(counts, measure=measure, min_df=min_df)


def word_keyness_from_counts(counts: TermCounts, *, measure: str = "ll", min_df: int = 3) -> pd.DataFrame:
    """:func:`word_keyness` from (summed) :class:`~kotoba_code.analysis.cooccurrence.TermCounts`
    of the documents by group: words in at least ``min_df`` documents (of all
    groups), scored after the counts of every part are added up."""
    terms = counts.terms(min_df=min_df)
    names = sorted(set(counts.sizes.index.tolist()) - {""})
    sizes = np.array([int(counts.sizes[g]) for g in names], dtype=np.int64)
    return keyness_from_counts(counts.group_matrix(terms, names), sizes, names, terms["term"].tolist(), measure=measure)


def code_keyness(result: CodingResult, by: str, *, measure: str = "ll") -> pd.DataFrame:
    """Codes characteristic of each group (``by``: a variable of the coded units).

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "rule": "温度差"}]})
    >>> c = Corpus.from_texts(["温度差がある", "温度差", "予算", "予算"], metadata=pd.DataFrame({"g": list("AABB")}))
    >>> from kotoba_code.coding import apply_codebook
    >>> code_keyness(apply_codebook(cb, c, cache=False), "g")[["group", "term", "target"]].values.tolist()
    [['A', 'gap', 2], ['B', 'gap', 0]]
    """
    groups = result.corpus.unit_variable(by, result.unit)
    return keyness_table(result.matrix.astype(int).reset_index(drop=True), groups, measure=measure)


def shared_terms(table: pd.DataFrame, *, min_share: float = 0.05) -> pd.DataFrame:
    """Terms that every group mentions in at least ``min_share`` of its units,
    from a :func:`keyness_table`: ``term`` and one share column per group,
    sorted by the smallest share (the most evenly shared first)."""
    wide = table.pivot_table(index="term", columns="group", values="share_target", aggfunc="first")
    keep = wide[(wide >= min_share).all(axis=1)]
    return keep.assign(_min=keep.min(axis=1)).sort_values("_min", ascending=False).drop(columns="_min").reset_index()
