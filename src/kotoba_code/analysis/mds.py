"""Multidimensional scaling (多次元尺度構成法) of words or codes.

Jaccard distances over units (:func:`~kotoba_code.analysis.clustering.jaccard_distances`)
are placed in two dimensions by scikit-learn: ``classical`` (Torgerson,
:class:`~sklearn.manifold.ClassicalMDS`; R's ``cmdscale``), ``metric`` or
``nonmetric`` (Kruskal; SMACOF in :class:`~sklearn.manifold.MDS`, started
from the classical solution as R's ``MASS::isoMDS`` that KH Coder runs by
default). ``stress`` is stress-1 as scikit-learn normalises it,
√(Σ (δ_ij - d̂_ij)² / Σ d̂_ij²) with δ the embedded distances and d̂ the
dissimilarities (non-metric: their monotone fit, the disparities); below 0.1
is a good fit, above 0.2 a poor one.
Points are coloured by a Ward clustering of the same distances (KH Coder's
「クラスター化と色分け」, 7 clusters by default).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.analysis.clustering import _enough, cluster_terms, jaccard_distances
from kotoba_code.analysis.cooccurrence import Cooccurrence, code_cooccurrence, word_cooccurrence
from kotoba_code.errors import AnalysisError, Errors, KotobaWarning, Warnings

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens

MDS_METHODS = ("nonmetric", "metric", "classical")


@dataclass
class MDSResult:
    """Coordinates of terms from multidimensional scaling.

    Attributes
    ----------
    coordinates : DataFrame
        Index: labels; ``dim1`` … ``dimN``.
    stress : float
        Stress-1 (see the module docstring); below 0.1 is a good fit.
    method : str
    clusters : Series
        Cluster (1 … k) of each term, or 0 for all without clustering.
    frequency : Series
        Units containing each term.
    distances : DataFrame
    """

    coordinates: pd.DataFrame
    stress: float
    method: str
    clusters: pd.Series
    frequency: pd.Series
    distances: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``label``, ``frequency``, ``cluster`` and the coordinates.

        Examples
        --------
        >>> d = pd.DataFrame([[0, .2, .9], [.2, 0, .8], [.9, .8, 0]], index=list("abc"), columns=list("abc"))
        >>> mds(d, method="classical", clusters=None).to_frame().columns.tolist()
        ['label', 'frequency', 'cluster', 'dim1', 'dim2']
        """
        out = pd.DataFrame(
            {
                "label": self.coordinates.index,
                "frequency": self.frequency.to_numpy(),
                "cluster": self.clusters.to_numpy(),
            }
        )
        for c in self.coordinates.columns:
            out[c] = self.coordinates[c].to_numpy()
        return out


def kruskal_stress(dissimilarities: np.ndarray, coords: np.ndarray) -> float:
    """Stress-1 of an embedding against dissimilarities, normalised by the
    dissimilarities as scikit-learn's ``normalized_stress``.

    Examples
    --------
    >>> d = np.array([[0, 3.0, 4.0], [3.0, 0, 5.0], [4.0, 5.0, 0]])
    >>> round(kruskal_stress(d, np.array([[0, 0], [3.0, 0], [0, 4.0]])), 12)
    0.0
    """
    from scipy.spatial.distance import pdist, squareform

    delta = squareform(np.asarray(dissimilarities, dtype=float), checks=False)
    emb = pdist(coords)
    denom = (delta**2).sum()
    return float(np.sqrt(((delta - emb) ** 2).sum() / denom)) if denom > 0 else 0.0


def mds(
    distances: pd.DataFrame,
    *,
    method: str = "nonmetric",
    n_components: int = 2,
    seed: int = 0,
    max_iter: int = 300,
    clusters: int | None = 7,
    frequency: Iterable[int] | None = None,
) -> MDSResult:
    """Place terms given a square distance matrix.

    Parameters
    ----------
    distances : DataFrame
        Symmetric with zero diagonal; labels as index.
    method : {"nonmetric", "metric", "classical"}, default="nonmetric"
    n_components : int, default=2
    seed : int, default=0
        Random state of scikit-learn's SMACOF (results are reproducible for a seed).
    max_iter : int, default=300
    clusters : int or None, default=7
        Ward clusters for colouring (KH Coder's default 7); None for none.

    Examples
    --------
    >>> # three points on a line, 1 and 2 apart: classical MDS recovers it exactly
    >>> d = pd.DataFrame([[0, 1, 3], [1, 0, 2], [3, 2, 0]], index=list("abc"), columns=list("abc"), dtype=float)
    >>> r = mds(d, method="classical", n_components=1, clusters=None)
    >>> r.coordinates["dim1"].round(6).abs().tolist(), round(r.stress, 6)
    ([1.333333, 0.333333, 1.666667], 0.0)
    """
    from sklearn.manifold import MDS, ClassicalMDS

    if method not in MDS_METHODS:
        raise AnalysisError(Errors.E538.format(func="mds", param="method", known=", ".join(MDS_METHODS), value=method))
    n = len(distances)
    if n < 3:
        raise AnalysisError(Errors.E503.format(what="MDS", n=n, kind="terms", need=3, hint=""))
    D = distances.to_numpy(dtype=float)
    if method == "classical":
        X = ClassicalMDS(n_components=n_components, metric="precomputed").fit_transform(D)
        stress = kruskal_stress(D, X)
    else:
        model = MDS(
            n_components=n_components,
            metric_mds=method == "metric",
            metric="precomputed",
            init="classical_mds",
            max_iter=max_iter,
            random_state=seed,
            normalized_stress=True,
        )
        X = model.fit_transform(D)
        # Metric SMACOF reports raw stress unless normalised: always report stress-1.
        stress = float(model.stress_) if method == "nonmetric" else kruskal_stress(D, X)
        if model.n_iter_ >= max_iter:
            warnings.warn(Warnings.W502.format(max_iter=max_iter, stress=stress), KotobaWarning, stacklevel=2)
    # Reflect each axis so the term with the largest |coordinate| is positive: runs agree.
    big = np.argmax(np.round(np.abs(X), 10), axis=0)
    X = X * np.where(X[big, np.arange(X.shape[1])] < 0, -1.0, 1.0)
    labels = list(distances.index)
    coords = pd.DataFrame(X, index=labels, columns=[f"dim{k}" for k in range(1, X.shape[1] + 1)])
    freq = pd.Series(
        np.asarray(list(frequency), dtype=np.int64) if frequency is not None else np.zeros(n, dtype=np.int64),
        index=labels,
        name="frequency",
    )
    if clusters:
        member = cluster_terms(distances, method="ward", k=clusters).membership.set_index("label")["cluster"]
        cl = member.loc[labels].rename("cluster")
    else:
        cl = pd.Series(0, index=labels, name="cluster")
    return MDSResult(coords, stress, method, cl, freq, distances)


def word_mds(
    tokens: Tokens,
    *,
    max_words: int = 60,
    min_df: int = 2,
    unit: str = "document",
    method: str = "nonmetric",
    seed: int = 0,
    clusters: int | None = 7,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> MDSResult:
    """MDS of the ``max_words`` words in most units (Jaccard distance).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["面接の交通費", "交通費と面接", "研修の会議", "会議で研修", "面接と研修"]
    >>> r = word_mds(tokenize(Corpus.from_texts(texts), cache=False), min_df=1, clusters=2)
    >>> sorted(r.coordinates.index), r.coordinates.shape
    (['交通費', '会議', '研修', '面接'], (4, 2))
    """
    cooc = word_cooccurrence(tokens, unit=unit, min_df=min_df, max_words=max_words, pos=pos, stop_words=stop_words)
    _enough(cooc, "words")
    return mds(
        jaccard_distances(cooc), method=method, seed=seed, clusters=_k(clusters, cooc), frequency=cooc.terms["df"]
    )


def code_mds(result: CodingResult, *, method: str = "nonmetric", seed: int = 0, clusters: int | None = 7) -> MDSResult:
    """MDS of the codes that occur at least once (Jaccard distance over coded units).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": i, "rule": i} for i in ["面接", "交通費", "研修"]]})
    >>> from kotoba_code.coding import apply_codebook
    >>> res = apply_codebook(cb, Corpus.from_texts(["面接の交通費", "交通費", "研修と面接"]), cache=False)
    >>> code_mds(res, method="classical", clusters=None).coordinates.shape
    (3, 2)
    """
    cooc = code_cooccurrence(result)
    keep = np.flatnonzero(cooc.terms["df"].to_numpy() > 0)
    cooc = Cooccurrence(
        cooc.terms.iloc[keep].reset_index(drop=True), cooc.counts[keep][:, keep], cooc.n_units, cooc.unit
    )
    _enough(cooc, "codes")
    return mds(
        jaccard_distances(cooc), method=method, seed=seed, clusters=_k(clusters, cooc), frequency=cooc.terms["df"]
    )


def _k(clusters: int | None, cooc: Cooccurrence) -> int | None:
    return None if not clusters else min(clusters, len(cooc.terms))
