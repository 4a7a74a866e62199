"""Hierarchical cluster analysis (階層的クラスター分析) of words or codes.

Distances are Jaccard distances over units, 1 - a / (df_i + df_j - a),
taken from the co-occurrence counts of
:class:`~kotoba_code.analysis.cooccurrence.Cooccurrence` (KH Coder's default
"Jaccard" = R's binary distance). Clustering is scipy's
:func:`~scipy.cluster.hierarchy.linkage`; its ``ward`` on these distances is
R's ``hclust(method = "ward.D2")``, which KH Coder runs. The number of
clusters defaults to KH Coder's "Auto": √(number of terms), rounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.analysis.cooccurrence import Cooccurrence, code_cooccurrence, word_cooccurrence
from kotoba_code.errors import AnalysisError, Errors

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens

LINKAGE_METHODS = ("ward", "average", "complete", "single")


def jaccard_distances(cooc: Cooccurrence) -> pd.DataFrame:
    """Square Jaccard distance matrix of the terms (index and columns: labels).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1, 1, 0], [1, 1, 0], [0, 1, 1]])
    >>> co = Cooccurrence.from_matrix(X, pd.DataFrame({"term": ["a", "b", "c"]}))
    >>> jaccard_distances(co).round(3).to_numpy().tolist()
    [[0.0, 0.333, 1.0], [0.333, 0.0, 0.667], [1.0, 0.667, 0.0]]
    """
    C = cooc.counts.toarray().astype(float)
    df = cooc.terms["df"].to_numpy(dtype=float)
    union = df[:, None] + df[None, :] - C
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(union > 0, C / union, 0.0)
    D = 1.0 - sim
    np.fill_diagonal(D, 0.0)
    labels = _labels(cooc)
    return pd.DataFrame(D, index=labels, columns=labels)


def _labels(cooc: Cooccurrence) -> list[str]:
    col = "label" if "label" in cooc.terms.columns else "term"
    labels = cooc.terms[col].astype(str).tolist()
    if len(set(labels)) < len(labels) and "pos" in cooc.terms.columns:
        dup = cooc.terms[col].duplicated(keep=False).to_numpy()
        labels = [f"{x}（{p}）" if d else x for x, p, d in zip(labels, cooc.terms["pos"], dup, strict=True)]
    return labels


def auto_clusters(n_terms: int) -> int:
    """KH Coder's "Auto" number of clusters: √n rounded (at least 1).

    Examples
    --------
    >>> auto_clusters(60), auto_clusters(20)
    (8, 4)
    """
    return max(1, int(math.sqrt(n_terms) + 0.5))


@dataclass
class ClusterResult:
    """A hierarchical clustering of terms.

    Attributes
    ----------
    linkage : ndarray
        scipy's linkage matrix (merges, heights, sizes).
    membership : DataFrame
        One row per term in dendrogram order: ``label``, ``frequency`` (units
        containing it), ``cluster`` (1 … k, numbered from the top of the
        dendrogram) and ``order`` (position in the dendrogram).
    distances : DataFrame
        The Jaccard distance matrix clustered.
    method : str
    k : int
    """

    linkage: np.ndarray
    membership: pd.DataFrame
    distances: pd.DataFrame
    method: str
    k: int

    @property
    def labels(self) -> list[str]:
        """Term labels in the order of the distance matrix."""
        return list(self.distances.index)

    @property
    def cut_height(self) -> float:
        """A height between the k-th and (k-1)-th last merges: where the tree is cut."""
        h = self.linkage[:, 2]
        n = len(h) + 1
        if self.k <= 1 or self.k > n - 1:
            return float(h.max()) * 1.01 if self.k <= 1 else 0.0
        return float((h[n - self.k - 1] + h[n - self.k]) / 2)


def cluster_terms(
    distances: pd.DataFrame, *, method: str = "ward", k: int | None = None, frequency: Iterable[int] | None = None
) -> ClusterResult:
    """Cluster terms from a square distance matrix.

    Parameters
    ----------
    distances : DataFrame
        Symmetric, zero diagonal, labels as index.
    method : {"ward", "average", "complete", "single"}, default="ward"
    k : int, optional
        Clusters to cut the tree into; default :func:`auto_clusters`.
    frequency : iterable of int, optional
        Units containing each term, kept in the membership table.

    Examples
    --------
    >>> d = pd.DataFrame([[0, .2, .9, 1], [.2, 0, .8, 1], [.9, .8, 0, .3], [1, 1, .3, 0]],
    ...                  index=list("abcd"), columns=list("abcd"))
    >>> cluster_terms(d, method="average", k=2).membership[["label", "cluster"]].values.tolist()
    [['a', 1], ['b', 1], ['c', 2], ['d', 2]]
    """
    from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
    from scipy.spatial.distance import squareform

    if method not in LINKAGE_METHODS:
        raise AnalysisError(
            Errors.E538.format(func="cluster_terms", param="method", known=", ".join(LINKAGE_METHODS), value=method)
        )
    n = len(distances)
    if n < 3:
        raise AnalysisError(Errors.E503.format(what="cluster analysis", n=n, kind="terms", need=3, hint=""))
    k = auto_clusters(n) if k is None else max(1, min(int(k), n))
    D = distances.to_numpy(dtype=float)
    Z = linkage(squareform(D, checks=False), method=method)
    raw = fcluster(Z, t=k, criterion="maxclust")
    order = leaves_list(Z)
    # Number clusters as they appear in the dendrogram, top first, so that
    # the table, the colours and the figure agree (fcluster's ids do not).
    renumber: dict[int, int] = {}
    for leaf in order:
        renumber.setdefault(int(raw[leaf]), len(renumber) + 1)
    freq = np.asarray(list(frequency), dtype=np.int64) if frequency is not None else np.zeros(n, dtype=np.int64)
    membership = pd.DataFrame(
        {
            "label": [distances.index[i] for i in order],
            "frequency": freq[order],
            "cluster": [renumber[int(raw[i])] for i in order],
            "order": np.arange(1, n + 1),
        }
    )
    return ClusterResult(Z, membership, distances, method, len(renumber))


def word_clusters(
    tokens: Tokens,
    *,
    max_words: int = 60,
    min_df: int = 2,
    unit: str = "document",
    method: str = "ward",
    k: int | None = None,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> ClusterResult:
    """Cluster the ``max_words`` words in most units (Jaccard distance, ``method`` linkage).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["面接の交通費", "交通費と面接", "研修の会議", "会議で研修"]
    >>> r = word_clusters(tokenize(Corpus.from_texts(texts), cache=False), min_df=1, k=2)
    >>> sorted(r.membership.groupby("cluster")["label"].apply(sorted).tolist())
    [['交通費', '面接'], ['会議', '研修']]
    """
    cooc = word_cooccurrence(tokens, unit=unit, min_df=min_df, max_words=max_words, pos=pos, stop_words=stop_words)
    _enough(cooc, "words")
    return cluster_terms(jaccard_distances(cooc), method=method, k=k, frequency=cooc.terms["df"])


def code_clusters(result: CodingResult, *, method: str = "ward", k: int | None = None) -> ClusterResult:
    """Cluster the codes of a coding result that occur at least once (labels as names).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": i, "rule": i} for i in ["面接", "交通費", "研修", "会議"]]})
    >>> from kotoba_code.coding import apply_codebook
    >>> res = apply_codebook(cb, Corpus.from_texts(["面接の交通費", "交通費と面接", "研修の会議", "会議"]), cache=False)
    >>> code_clusters(res, k=2).membership["cluster"].tolist()
    [1, 1, 2, 2]
    """
    cooc = code_cooccurrence(result)
    keep = np.flatnonzero(cooc.terms["df"].to_numpy() > 0)
    cooc = Cooccurrence(
        cooc.terms.iloc[keep].reset_index(drop=True), cooc.counts[keep][:, keep], cooc.n_units, cooc.unit
    )
    _enough(cooc, "codes")
    return cluster_terms(jaccard_distances(cooc), method=method, k=k, frequency=cooc.terms["df"])


def _enough(cooc: Cooccurrence, kind: str) -> None:
    if len(cooc.terms) < 3:
        raise AnalysisError(
            Errors.E503.format(
                what="cluster analysis / MDS",
                n=len(cooc.terms),
                kind=kind,
                need=3,
                hint="Lower --min-df or analyse more answers.",
            )
        )
