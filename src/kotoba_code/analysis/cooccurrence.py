"""Co-occurrence of words or codes, and the similarity measures over it.

Everything is sparse: a units × terms binary matrix ``X`` (scipy CSR) gives
document frequencies ``df = X.sum(0)`` and co-occurrence counts
``C = X.T @ X``; similarities are computed only for the pairs that co-occur,
so 100,000 answers and a 50,000-word vocabulary never make a dense matrix.

Measures, for terms i and j with co-occurrence count a, document frequencies
df_i and df_j, and N units:

===============  ====================================================
``jaccard``      a / (df_i + df_j - a)                 (KH Coder's default)
``dice``         2a / (df_i + df_j)
``simpson``      a / min(df_i, df_j)
``cosine``       a / sqrt(df_i df_j)
``pmi``          log(a N / (df_i df_j))
``npmi``         pmi / -log(a / N)   (Bouma 2009), 1 when a = N
``loglik``       G² of the 2 × 2 table (a, df_i - a, df_j - a, rest)  (Dunning 1993)
===============  ====================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis.frequency import counting_tokens, doc_term_matrix, unit_term_matrix
from kotoba_code.errors import AnalysisError, Errors
from kotoba_code.tokenize.tokens import Tokens
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_word_list

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

MEASURES = ("jaccard", "dice", "simpson", "cosine", "pmi", "npmi", "loglik")


@dataclass
class Cooccurrence:
    """Terms, their unit frequencies and their co-occurrence counts.

    Attributes
    ----------
    terms : DataFrame
        One row per term: ``term`` (word or code id), ``label``, ``pos`` (words)
        and ``df`` (units containing it; occurrences for a window).
    counts : scipy.sparse.csr_matrix
        Symmetric term × term co-occurrence counts, zero diagonal.
    n_units : int
        Units (or windows) counted: N in the measures.
    unit : str
        What a co-occurrence is counted in (``document``, ``sentence``,
        ``window:5`` …).
    """

    terms: pd.DataFrame
    counts: sp.csr_matrix
    n_units: int
    unit: str

    def similarity(self, measure: str = "jaccard") -> pd.DataFrame:
        """Every co-occurring pair (i < j) with ``count`` and ``weight``
        (the measure), sorted by weight, strongest first.

        Examples
        --------
        >>> import scipy.sparse as sp, pandas as pd
        >>> X = sp.csr_matrix([[1, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 0]])
        >>> co = Cooccurrence.from_matrix(X, pd.DataFrame({"term": ["a", "b", "c"]}))
        >>> [(r.i, r.j, r.count, round(r.weight, 3)) for r in co.similarity("jaccard").itertuples()]
        [(0, 1, 2, 0.667), (1, 2, 1, 0.333), (0, 2, 1, 0.25)]
        """
        if measure not in MEASURES:
            raise AnalysisError(Errors.E532.format(measure=measure, known=", ".join(MEASURES)))
        upper = sp.triu(self.counts, k=1).tocoo()
        i, j, a = upper.row, upper.col, upper.data.astype(float)
        df = self.terms["df"].to_numpy(dtype=float)
        w = pair_similarity(a, df[i], df[j], float(self.n_units), measure)
        out = pd.DataFrame({"i": i, "j": j, "count": a.astype(int), "weight": w})
        return out.sort_values(["weight", "count", "i", "j"], ascending=[False, False, True, True]).reset_index(
            drop=True
        )

    @classmethod
    def from_matrix(cls, X: sp.spmatrix, terms: pd.DataFrame, *, unit: str = "document") -> Cooccurrence:
        """From a units × terms presence matrix (any non-zero counts as present)."""
        B = sp.csr_matrix(X, dtype=np.int64)
        B.data = np.ones_like(B.data)
        B.eliminate_zeros()
        C = (B.T @ B).tocsr()
        C.setdiag(0)
        C.eliminate_zeros()
        terms = terms.reset_index(drop=True).copy()
        terms["df"] = np.asarray(B.sum(axis=0)).ravel()
        return cls(terms, C, B.shape[0], unit)


def pair_similarity(a: np.ndarray, df_i: np.ndarray, df_j: np.ndarray, n: float, measure: str) -> np.ndarray:
    """The measure for pairs with co-occurrence ``a`` (arrays), see the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> float(pair_similarity(np.array([2.0]), np.array([3.0]), np.array([2.0]), 4.0, "dice")[0])
    0.8
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "jaccard":
            return a / (df_i + df_j - a)
        if measure == "dice":
            return 2 * a / (df_i + df_j)
        if measure == "simpson":
            return a / np.minimum(df_i, df_j)
        if measure == "cosine":
            return a / np.sqrt(df_i * df_j)
        pmi = np.log(a * n / (df_i * df_j))
        if measure == "pmi":
            return pmi
        if measure == "npmi":
            return np.where(a >= n, 1.0, pmi / -np.log(a / n))
        # loglik: G² = 2 Σ O ln(O / E) over the four cells of the 2 × 2 table.
        obs = np.stack([a, df_i - a, df_j - a, n - df_i - df_j + a])
        row = np.stack([df_i, df_i, n - df_i, n - df_i])
        col = np.stack([df_j, n - df_j, df_j, n - df_j])
        exp = row * col / n
        terms = np.where(obs > 0, obs * np.log(obs / exp), 0.0)
        return 2 * terms.sum(axis=0)
    raise AnalysisError(Errors.E532.format(measure=measure, known=", ".join(MEASURES)))  # pragma: no cover


def word_cooccurrence(
    tokens: Tokens,
    *,
    unit: str = "document",
    window: int | None = None,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    min_df: int = 2,
    max_words: int | None = None,
    key: str = "lemma",
    synonyms: object = None,
) -> Cooccurrence:
    """Words co-occurring in the same unit (or within ``window`` tokens).

    Parameters
    ----------
    unit : {"document", "h1" … "h5", "paragraph", "sentence"}, default="document"
    window : int, optional
        Count pairs of words at most ``window`` tokens apart in a document
        instead of per unit; ``df`` is then the word's occurrences.
    pos, stop_words, key, synonyms
        As in :func:`~kotoba_code.analysis.frequency.word_frequency`.
    min_df : int, default=2
        Words in fewer units are left out (scikit-learn's ``min_df``).
    max_words : int, optional
        Keep only the most frequent words (by units containing them).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["ノウハウが不足", "ノウハウと人手が不足", "人手が不足"])
    >>> co = word_cooccurrence(tokenize(c, cache=False), min_df=1)
    >>> co.terms[["term", "df"]].values.tolist()
    [['不足', 3], ['ノウハウ', 2], ['人手', 2]]
    """
    tokens = counting_tokens(tokens, synonyms)
    gid, labels = word_labels(tokens, pos=pos, stop_words=stop_words, key=key)
    if window is None:
        if unit == "document":
            X = doc_term_matrix(tokens, gid, n_terms=len(labels))
        else:
            X = unit_term_matrix(tokens, gid, n_terms=len(labels), units=tokens.corpus.units(unit))
        X.data = np.ones_like(X.data)
        df = np.asarray(X.sum(axis=0)).ravel()
    else:
        X, df = None, None
    term_df = df if df is not None else np.bincount(gid[tokens.word][gid[tokens.word] >= 0], minlength=len(labels))
    candidates = pd.DataFrame(
        {"term": [t for t, _ in labels], "pos": [p for _, p in labels], "df": np.asarray(term_df, dtype=np.int64)}
    )
    order = select_terms(candidates, min_df=min_df, max_words=max_words)
    terms = pd.DataFrame({"term": [labels[k][0] for k in order], "pos": [labels[k][1] for k in order]})
    terms["label"] = terms["term"]
    if window is None:
        assert X is not None
        return Cooccurrence.from_matrix(X[:, order], terms, unit=unit)
    remap = np.full(len(labels), -1)
    remap[order] = np.arange(len(order))
    return _window_cooccurrence(tokens, np.where(gid >= 0, remap[np.maximum(gid, 0)], -1), terms, window)


def word_labels(
    tokens: Tokens,
    *,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
) -> tuple[np.ndarray, pd.Index]:
    """Term index of every vocabulary row of counting ``tokens`` (-1: not
    counted) and the terms, ``(form, top-level part of speech)`` pairs: the
    words of :func:`word_cooccurrence`, keyness and word networks."""
    vocab = tokens.vocab
    keep = tokens.pos_mask(list(pos) if pos is not None else None)
    if pos is None:
        keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    stops = DEFAULT_STOP_WORDS if stop_words is None else frozenset(read_word_list(stop_words))
    keep &= ~vocab["lemma"].isin(stops).to_numpy()
    pairs = pd.MultiIndex.from_arrays([vocab[key].astype(str), vocab["pos"].astype(str).str.split("-").str[0]])
    gid, labels = pd.factorize(pairs)
    return np.where(keep, gid, -1), labels


def select_terms(terms: pd.DataFrame, *, min_df: int = 2, max_words: int | None = None) -> np.ndarray:
    """Positions of the words a co-occurrence keeps, in order: ``df`` at
    least ``min_df``, most units first, ties by the word, then its part of
    speech; the first ``max_words``.

    The order depends on the counts and the words alone, not on where a word
    first occurs in the token store, so a corpus counted whole, in chunks, in
    processes or on Dask partitions keeps the same words in the same order.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["b", "a", "c"], "pos": ["名詞"] * 3, "df": [2, 2, 1]})
    >>> select_terms(t, min_df=2).tolist()
    [1, 0]
    """
    df = terms["df"].to_numpy()
    order = np.lexsort((terms["pos"].to_numpy(dtype=object), terms["term"].to_numpy(dtype=object), -df))
    order = order[df[order] >= max(min_df, 1)]
    return order if max_words is None else order[:max_words]


@dataclass
class TermCounts:
    """Units containing each word, per group: sums that add up across parts of a corpus.

    What keyness and the words × groups network need, and the first pass of
    a word network counted in chunks (:mod:`kotoba_code.analysis.stream`).

    Attributes
    ----------
    table : DataFrame
        ``group``, ``term``, ``pos`` (top-level part of speech), ``units``
        (units of the group containing the word); words that occur only.
    sizes : Series
        Units per group (index: the group as text, ``""`` for none or no ``by``).
    """

    table: pd.DataFrame
    sizes: pd.Series

    @classmethod
    def of(
        cls,
        tokens: Tokens,
        *,
        by: str | None = None,
        unit: str = "document",
        pos: Iterable[str] | None = None,
        stop_words: Iterable[str] | str | Path | None = None,
        key: str = "lemma",
        synonyms: object = None,
    ) -> TermCounts:
        """Count the words of ``tokens`` (those of :func:`word_cooccurrence`) per
        group of ``by`` (a variable of the units, see :meth:`Corpus.unit_variable`).

        Examples
        --------
        >>> import pandas as pd
        >>> from kotoba_code import Corpus, tokenize
        >>> c = Corpus.from_texts(["連携が大切", "連携と予算"], metadata=pd.DataFrame({"g": ["A", "B"]}))
        >>> tc = TermCounts.of(tokenize(c, cache=False), by="g")
        >>> tc.sizes.to_dict(), tc.terms()[["term", "df"]].values.tolist()
        ({'A': 1, 'B': 1}, [['連携', 2], ['予算', 1], ['大切', 1]])
        """
        tokens = counting_tokens(tokens, synonyms)
        gid, labels = word_labels(tokens, pos=pos, stop_words=stop_words, key=key)
        corpus = tokens.corpus
        if unit == "document":
            X = doc_term_matrix(tokens, gid, n_terms=len(labels))
        else:
            X = unit_term_matrix(tokens, gid, n_terms=len(labels), units=corpus.units(unit))
        X.data = np.ones_like(X.data)
        groups = corpus.unit_variable(by, unit) if by is not None else np.full(X.shape[0], "", dtype=object)
        codes, names = pd.factorize(np.asarray(groups, dtype=object), sort=True)
        G = sp.csr_matrix(
            (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(names), len(codes))
        )
        M = (G @ X).tocoo()
        names = np.asarray(names, dtype=object)
        table = pd.DataFrame(
            {
                "group": names[M.row],
                "term": np.asarray([labels[k][0] for k in M.col], dtype=object),
                "pos": np.asarray([labels[k][1] for k in M.col], dtype=object),
                "units": M.data.astype(np.int64),
            }
        )
        sizes = pd.Series(
            np.bincount(codes, minlength=len(names)).astype(np.int64), index=pd.Index(names, dtype=object)
        )
        return cls(table, sizes)

    @classmethod
    def sum(cls, parts: Iterable[TermCounts]) -> TermCounts:
        """The counts of all ``parts`` together (one row per group and word)."""
        parts = list(parts)
        tables = [p.table for p in parts if len(p.table)]
        if tables:
            table = pd.concat(tables, ignore_index=True).groupby(["group", "term", "pos"], sort=True)["units"].sum()
            table = table.reset_index().astype({"units": "int64"})
        else:
            table = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("group", "term", "pos")}).assign(
                units=pd.Series([], dtype="int64")
            )
        sizes_parts = [p.sizes for p in parts if len(p.sizes)]
        sizes = (
            pd.concat(sizes_parts).groupby(level=0, sort=True).sum().astype(np.int64)
            if sizes_parts
            else pd.Series([], dtype=np.int64, index=pd.Index([], dtype=object))
        )
        return cls(table, sizes)

    @property
    def n_units(self) -> int:
        """All units counted."""
        return int(self.sizes.sum())

    def terms(self, *, min_df: int = 1, max_words: int | None = None) -> pd.DataFrame:
        """The words kept with ``min_df`` and ``max_words``, in the order of
        :func:`select_terms`: ``term``, ``pos``, ``label`` and ``df`` (units
        containing the word, all groups)."""
        if len(self.table):
            df = self.table.groupby(["term", "pos"], sort=True)["units"].sum()
            terms = pd.DataFrame(
                {
                    "term": df.index.get_level_values(0).to_numpy(dtype=object),
                    "pos": df.index.get_level_values(1).to_numpy(dtype=object),
                    "df": df.to_numpy(dtype=np.int64),
                }
            )
        else:
            terms = pd.DataFrame({"term": [], "pos": [], "df": np.zeros(0, dtype=np.int64)})
        kept = terms.iloc[select_terms(terms, min_df=min_df, max_words=max_words)].reset_index(drop=True)
        return pd.DataFrame(
            {
                "term": kept["term"].tolist(),
                "pos": kept["pos"].tolist(),
                "label": kept["term"].tolist(),
                "df": kept["df"],
            }
        )

    def group_matrix(self, terms: pd.DataFrame, groups: list[str]) -> np.ndarray:
        """Units containing each of ``terms`` (rows of :meth:`terms`), groups × terms."""
        out = np.zeros((len(groups), len(terms)), dtype=np.int64)
        col = {(t, p): k for k, (t, p) in enumerate(zip(terms["term"], terms["pos"], strict=True))}
        row = {g: k for k, g in enumerate(groups)}
        t = self.table
        for g, term, pos, n in zip(t["group"], t["term"], t["pos"], t["units"], strict=True):
            k = col.get((term, pos))
            r = row.get(g)
            if k is not None and r is not None:
                out[r, k] += n
        return out


def pair_counts(
    tokens: Tokens,
    terms: pd.DataFrame,
    *,
    unit: str = "document",
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    synonyms: object = None,
) -> sp.csr_matrix:
    """Units containing both words, for every pair of ``terms`` (``term``,
    ``pos``): the co-occurrence counts of :func:`word_cooccurrence` restricted
    to those words, diagonal included. They add up across parts of a corpus.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> t = tokenize(Corpus.from_texts(["ノウハウが不足", "人手が不足"]), cache=False)
    >>> terms = pd.DataFrame({"term": ["不足", "人手"], "pos": ["名詞", "名詞"]})
    >>> pair_counts(t, terms).toarray().tolist()
    [[2, 1], [1, 1]]
    """
    tokens = counting_tokens(tokens, synonyms)
    gid, labels = word_labels(tokens, pos=pos, stop_words=stop_words, key=key)
    col = {(t, p): k for k, (t, p) in enumerate(zip(terms["term"], terms["pos"], strict=True))}
    remap = np.asarray([col.get(lab, -1) for lab in labels], dtype=np.int64)
    term_of_vocab = np.where(gid >= 0, remap[np.maximum(gid, 0)] if len(remap) else -1, -1)
    if unit == "document":
        X = doc_term_matrix(tokens, term_of_vocab, n_terms=len(terms))
    else:
        X = unit_term_matrix(tokens, term_of_vocab, n_terms=len(terms), units=tokens.corpus.units(unit))
    B = sp.csr_matrix(X, dtype=np.int64)
    B.data = np.ones_like(B.data)
    B.eliminate_zeros()
    return (B.T @ B).tocsr()


def cooccurrence_from_counts(terms: pd.DataFrame, counts: sp.spmatrix, n_units: int, unit: str) -> Cooccurrence:
    """A :class:`Cooccurrence` from summed :func:`pair_counts` and the
    words' unit frequencies (``terms`` with ``df``): what
    :func:`word_cooccurrence` gives for the whole corpus."""
    C = sp.csr_matrix(counts, dtype=np.int64)
    C.setdiag(0)
    C.eliminate_zeros()
    return Cooccurrence(terms.reset_index(drop=True).copy(), C, int(n_units), unit)


def _window_cooccurrence(tokens: Tokens, term_of_vocab: np.ndarray, terms: pd.DataFrame, window: int) -> Cooccurrence:
    """Pairs of kept words at most ``window`` tokens apart within a document."""
    term = term_of_vocab[tokens.word]
    doc = tokens.doc_index
    n = len(terms)
    rows, cols = [], []
    for k in range(1, max(window, 1) + 1):
        a, b = term[:-k], term[k:]
        ok = (a >= 0) & (b >= 0) & (doc[:-k] == doc[k:]) & (a != b)
        rows.append(a[ok])
        cols.append(b[ok])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    C = sp.coo_matrix((np.ones(len(r), dtype=np.int64), (r, c)), shape=(n, n)).tocsr()
    C = (C + C.T).tocsr()
    C.setdiag(0)
    C.eliminate_zeros()
    terms = terms.copy()
    kept = term[term >= 0]
    terms["df"] = np.bincount(kept, minlength=n)
    return Cooccurrence(terms, C, int((term >= 0).sum()), f"window:{window}")


def code_cooccurrence(result: CodingResult) -> Cooccurrence:
    """Codes co-occurring in the same coded unit.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "a", "rule": "ノウハウ"}, {"id": "b", "rule": "不足"}]})
    >>> from kotoba_code.coding import apply_codebook
    >>> co = code_cooccurrence(apply_codebook(cb, Corpus.from_texts(["ノウハウが不足", "人手が不足"]), cache=False))
    >>> [(r.count, r.weight) for r in co.similarity().itertuples()]
    [(1, 0.5)]
    """
    m = result.matrix
    terms = pd.DataFrame({"term": list(m.columns), "label": [result.codebook[c].label for c in m.columns]})
    return Cooccurrence.from_matrix(sp.csr_matrix(m.to_numpy().astype(np.int64)), terms, unit=result.unit)
