"""Correspondence analysis (対応分析) of a contingency table, and the word ×
group and code × group tables KH Coder analyses with it.

For a table N with grand total n, correspondence matrix P = N / n, row
masses r and column masses c, the standardized residuals

    S = D_r^{-1/2} (P - r cᵀ) D_c^{-1/2} = U Σ Vᵀ

are decomposed by an exact SVD. The principal inertias (eigenvalues) are
σ_k², summing to the total inertia χ² / n. Coordinates, by ``scaling``:

==============  ============================================  ==============================
``standard``    rows D_r^{-1/2} U, columns D_c^{-1/2} V          KH Coder's "none" (its default)
``principal``   standard × σ_k (both sets)                     KH Coder's "sym" biplot
``symbi``       standard × √σ_k (both sets)                    KH Coder's "symbi"
==============  ============================================  ==============================

These are the canonical scores of R's ``MASS::corresp``, which KH Coder runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis._terms import word_ids
from kotoba_code.analysis.frequency import counting_tokens, doc_term_matrix
from kotoba_code.errors import AnalysisError, CorpusReadError, Errors, KotobaWarning, Warnings

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens

SCALINGS = ("standard", "principal", "symbi")


@dataclass
class CorrespondenceResult:
    """Correspondence analysis of a table: inertias, coordinates, masses, contributions.

    Attributes
    ----------
    eigenvalues : Series
        Principal inertias of every dimension (index 1 … K, K = min(rows, columns) - 1).
    explained : Series
        Each eigenvalue's share of the total inertia.
    rows, columns : DataFrame
        Coordinates (index = labels, columns ``dim1`` … ``dimN``) in ``scaling``.
    row_masses, column_masses : Series
        Row and column totals as shares of the grand total.
    row_contributions, column_contributions : DataFrame
        Share of each dimension's inertia due to each row (column); each column sums to 1.
    table : DataFrame
        The analysed table (rows and columns without counts left out).
    scaling : str
    """

    eigenvalues: pd.Series
    explained: pd.Series
    rows: pd.DataFrame
    columns: pd.DataFrame
    row_masses: pd.Series
    column_masses: pd.Series
    row_contributions: pd.DataFrame
    column_contributions: pd.DataFrame
    table: pd.DataFrame
    scaling: str

    @property
    def total_inertia(self) -> float:
        """Sum of the eigenvalues: Pearson's χ² of the table divided by its total."""
        return float(self.eigenvalues.sum())

    def to_frame(self, *, row_type: str = "row", column_type: str = "column") -> pd.DataFrame:
        """Rows then columns in one table: ``type``, ``label``, ``frequency``
        (the table's row or column total), ``mass``, the coordinates and the
        contribution to each dimension (``ctr1`` …).

        Examples
        --------
        >>> t = pd.DataFrame({"a": [10, 0], "b": [5, 5], "c": [0, 10]}, index=["x", "y"])
        >>> correspondence(t, n_components=1).to_frame()[["type", "label", "frequency"]].values.tolist()
        [['row', 'x', 15], ['row', 'y', 15], ['column', 'a', 10], ['column', 'b', 10], ['column', 'c', 10]]
        """
        parts = []
        for kind, coords, masses, ctr, freq in (
            (row_type, self.rows, self.row_masses, self.row_contributions, self.table.sum(axis=1)),
            (column_type, self.columns, self.column_masses, self.column_contributions, self.table.sum(axis=0)),
        ):
            df = pd.DataFrame({"type": kind, "label": coords.index.astype(str)})
            df["frequency"] = freq.loc[coords.index].to_numpy()
            df["mass"] = masses.loc[coords.index].to_numpy()
            for c in coords.columns:
                df[c] = coords[c].to_numpy()
            for k, c in enumerate(coords.columns, start=1):
                df[f"ctr{k}"] = ctr[c].to_numpy()
            parts.append(df)
        return pd.concat(parts, ignore_index=True)


def correspondence(
    table: pd.DataFrame, n_components: int | None = 2, scaling: str = "standard", *, what: str = "table"
) -> CorrespondenceResult:
    """Correspondence analysis of a contingency table (exact SVD).

    Parameters
    ----------
    table : DataFrame
        Non-negative counts; index and column labels name the points. Rows or
        columns without counts are left out with a warning (W501).
    n_components : int or None, default=2
        Dimensions with coordinates (all of them: None). Eigenvalues are
        always given for every dimension.
    scaling : {"standard", "principal", "symbi"}, default="standard"
        See the module docstring.
    what : str
        Names the table in error messages.

    Returns
    -------
    CorrespondenceResult

    Examples
    --------
    >>> t = pd.DataFrame({"a": [10, 0], "b": [5, 5], "c": [0, 10]}, index=["x", "y"])
    >>> ca = correspondence(t, scaling="principal")
    >>> ca.eigenvalues.round(4).tolist(), ca.explained.tolist()
    ([0.6667], [1.0])
    >>> ca.rows.round(4)["dim1"].tolist(), ca.columns.round(4)["dim1"].abs().tolist()
    ([0.8165, -0.8165], [1.0, 0.0, 1.0])
    """
    if scaling not in SCALINGS:
        raise AnalysisError(
            Errors.E538.format(func="correspondence", param="scaling", known=", ".join(SCALINGS), value=scaling)
        )
    df = _checked_table(table, what)
    N = df.to_numpy(dtype=float)
    n = N.sum()
    P = N / n
    r = P.sum(axis=1)
    c = P.sum(axis=0)
    S = (P - np.outer(r, c)) / np.sqrt(r)[:, None] / np.sqrt(c)[None, :]
    U, sv, Vt = np.linalg.svd(S, full_matrices=False)
    K = min(N.shape) - 1
    U, sv, V = U[:, :K], sv[:K], Vt[:K].T
    # SVD signs are arbitrary: fix each so that the column with the largest
    # |loading| is positive, making runs (and platforms) agree.
    big = np.argmax(np.round(np.abs(V), 10), axis=0)  # rounded: ties go to the first column
    sign = np.sign(V[big, np.arange(K)])
    sign[sign == 0] = 1.0
    U, V = U * sign, V * sign
    eig = sv**2
    m = K if n_components is None else max(1, min(int(n_components), K))
    row_std = U[:, :m] / np.sqrt(r)[:, None]
    col_std = V[:, :m] / np.sqrt(c)[:, None]
    factor = {"standard": np.ones(m), "principal": sv[:m], "symbi": np.sqrt(sv[:m])}[scaling]
    names = [f"dim{k}" for k in range(1, m + 1)]
    dims = pd.RangeIndex(1, K + 1, name="dimension")
    total = eig.sum()
    return CorrespondenceResult(
        eigenvalues=pd.Series(eig, index=dims, name="eigenvalue"),
        explained=pd.Series(eig / total if total > 0 else np.zeros(K), index=dims, name="explained"),
        rows=pd.DataFrame(row_std * factor, index=df.index, columns=names),
        columns=pd.DataFrame(col_std * factor, index=df.columns, columns=names),
        row_masses=pd.Series(r, index=df.index, name="mass"),
        column_masses=pd.Series(c, index=df.columns, name="mass"),
        # The contribution of a point is mass × squared standard coordinate
        # (= squared singular vector), independent of the scaling.
        row_contributions=pd.DataFrame(U[:, :m] ** 2, index=df.index, columns=names),
        column_contributions=pd.DataFrame(V[:, :m] ** 2, index=df.columns, columns=names),
        table=df,
        scaling=scaling,
    )


def _checked_table(table: pd.DataFrame, what: str) -> pd.DataFrame:
    df = pd.DataFrame(table)
    for col in df.columns:
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            raise AnalysisError(Errors.E502.format(what=what, column=col, value=df[col].to_numpy()[bad][0]))
    df = df.apply(pd.to_numeric)
    row_ok = df.sum(axis=1).to_numpy() > 0
    col_ok = df.sum(axis=0).to_numpy() > 0
    if not (row_ok.all() and col_ok.all()):
        empty = [f"row {x}" for x in df.index[~row_ok]] + [f"column {x}" for x in df.columns[~col_ok]]
        shown = ", ".join(empty[:10]) + (f" … ({len(empty)} in all)" if len(empty) > 10 else "")
        warnings.warn(Warnings.W501.format(what=what, names=shown), KotobaWarning, stacklevel=3)
        df = df.loc[row_ok, col_ok]
    if df.shape[0] < 2 or df.shape[1] < 2:
        raise AnalysisError(Errors.E501.format(what=what, rows=df.shape[0], cols=df.shape[1]))
    return df


def chi2_against_totals(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Pearson's χ² of each column of ``counts`` (groups × terms) against the
    group totals: the groups × 2 table (count, total - count), with Yates'
    correction for two groups as R's ``chisq.test`` (KH Coder's word filter).

    Examples
    --------
    >>> import numpy as np
    >>> chi2_against_totals(np.array([[10.0], [30.0]]), np.array([100.0, 100.0])).round(4).tolist()
    [11.2813]
    """
    x = np.asarray(counts, dtype=float)
    nt = np.asarray(totals, dtype=float)[:, None]
    obs = np.stack([x, nt - x])  # (2, groups, terms)
    N = nt.sum()
    col = x.sum(axis=0, keepdims=True)
    E = np.stack([nt * col / N, nt * (N - col) / N])
    diff = np.abs(obs - E)
    if x.shape[0] == 2:
        diff = diff - np.minimum(0.5, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(E > 0, diff**2 / E, 0.0)
    return cells.sum(axis=(0, 1))


def _group_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Group index of every unit (-1: no value, left out as KH Coder's 欠損値)."""
    s = values.astype(str).str.strip()
    missing = s.isin(["", "nan", "None", "<NA>"]).to_numpy()
    codes, names = pd.factorize(s.where(~missing), sort=True)
    return np.where(missing, -1, codes), names


def word_group_table(
    tokens: Tokens,
    by: str,
    *,
    top: int | None = 60,
    min_count: int = 3,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
) -> pd.DataFrame:
    """Groups × words table of occurrences, the input of KH Coder's 対応分析 of words.

    Words occurring at least ``min_count`` times; of those, the ``top`` with the
    largest χ² of their group distribution against the groups' token totals
    (KH Coder's 「差異が顕著な語を分析に使用」, default 60). Documents with no
    value of ``by`` are left out.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["連携が不足", "連携の課題", "人手が不足"], metadata=pd.DataFrame({"g": ["A", "A", "B"]}))
    >>> t = word_group_table(tokenize(c, cache=False), "g", min_count=1)
    >>> t.columns.tolist(), t.to_numpy().tolist()
    (['不足', '連携', '人手', '課題'], [[1, 2, 0, 1], [1, 0, 1, 0]])
    """
    meta = tokens.corpus.metadata
    if by not in meta.columns:
        raise CorpusReadError(Errors.E112.format(column=by, columns=", ".join(map(str, meta.columns))))
    gcode, groups = _group_codes(meta[by])
    tokens = counting_tokens(tokens)
    gid, terms = word_ids(tokens, pos=pos, stop_words=stop_words, key=key)
    X = doc_term_matrix(tokens, gid, n_terms=len(terms))
    keep_docs = gcode >= 0
    G = sp.csr_matrix(
        (np.ones(int(keep_docs.sum())), (gcode[keep_docs], np.flatnonzero(keep_docs))),
        shape=(len(groups), len(gcode)),
    )
    counts = np.asarray((G @ X).todense())
    doc_len = np.diff(tokens.doc_ptr).astype(float)
    totals = G @ doc_len
    freq = counts.sum(axis=0)
    cand = np.flatnonzero(freq >= max(min_count, 1))
    if top is not None and len(cand) > top:
        chi = chi2_against_totals(counts[:, cand], totals)
        # Ties (common with few groups) go to the more frequent word, then the label.
        order = np.lexsort((terms["label"].to_numpy()[cand], -freq[cand], -chi))
        cand = cand[order[:top]]
    else:
        cand = cand[np.lexsort((terms["label"].to_numpy()[cand], -freq[cand]))]
    out = pd.DataFrame(counts[:, cand].astype(np.int64), index=pd.Index(groups, name=by))
    out.columns = pd.Index(terms["label"].to_numpy()[cand])
    return out


def code_group_table(result: CodingResult, by: str, *, top: int | None = None) -> pd.DataFrame:
    """Groups × codes table of coded units (KH Coder's コーディング・対応分析).

    Columns are the code labels (ids where labels repeat); with ``top``, the
    codes with the largest χ² against the groups' unit totals.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "k", "label": "ノウハウ", "rule": "ノウハウ"},
    ...                                    {"id": "h", "label": "人手", "rule": "人手"}]})
    >>> c = Corpus.from_texts(["ノウハウ不足", "人手の確保", "人手"], metadata=pd.DataFrame({"g": ["A", "B", "B"]}))
    >>> from kotoba_code.coding import apply_codebook
    >>> t = code_group_table(apply_codebook(cb, c, cache=False), "g")
    >>> t.columns.tolist(), t.to_numpy().tolist()
    (['ノウハウ', '人手'], [[1, 0], [0, 2]])
    """
    groups_of_unit = result.corpus.unit_variable(by, result.unit)
    gcode, groups = _group_codes(pd.Series(groups_of_unit))
    m = result.matrix.to_numpy().astype(np.int64)
    counts = np.stack([m[gcode == g].sum(axis=0) for g in range(len(groups))]) if len(groups) else m[:0]
    labels = [result.codebook[c].label or c for c in result.matrix.columns]
    if len(set(labels)) < len(labels):
        labels = list(result.matrix.columns)
    cols = np.arange(len(labels))
    if top is not None and top < len(cols):
        totals = np.array([(gcode == g).sum() for g in range(len(groups))], dtype=float)
        chi = chi2_against_totals(counts, totals)
        cols = np.lexsort((cols, -counts.sum(axis=0), -chi))[:top]
    out = pd.DataFrame(counts[:, cols], index=pd.Index(groups, name=by), columns=[labels[i] for i in cols])
    return out


def word_correspondence(
    tokens: Tokens,
    by: str,
    *,
    top: int | None = 60,
    min_count: int = 3,
    n_components: int | None = 2,
    scaling: str = "standard",
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> CorrespondenceResult:
    """Correspondence analysis of words × groups with KH Coder's defaults:
    :func:`word_group_table` then :func:`correspondence`.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["連携が不足", "連携の課題", "人手が不足", "人手と予算"]
    >>> c = Corpus.from_texts(texts, metadata=pd.DataFrame({"g": ["A", "A", "B", "C"]}))
    >>> ca = word_correspondence(tokenize(c, cache=False), "g", min_count=1)
    >>> list(ca.rows.index), len(ca.eigenvalues)
    (['A', 'B', 'C'], 2)
    """
    table = word_group_table(tokens, by, top=top, min_count=min_count, pos=pos, stop_words=stop_words)
    return correspondence(table, n_components=n_components, scaling=scaling, what=f"words × {by}")
