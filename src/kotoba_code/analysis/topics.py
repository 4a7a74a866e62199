"""Topic models (トピックモデル): LDA or NMF over the documents × words counts (scikit-learn).

Words are those of the other analyses (content words, no stop words) in at
least ``min_df`` documents. Each topic is described by its top words; each
document by its topic shares. :func:`find_k` fits a range of topic numbers and
reports, per K, the perplexity (LDA; lower is better) and the UMass coherence
of the top words (Mimno et al. 2011; closer to 0 is better), the two curves of
KH Coder's 「最適なトピック数の探索」:

    C(t) = Σ_{i<j} log((D(w_i, w_j) + 1) / D(w_j))  over the top words w_1 … w_n of topic t,
    averaged over pairs, with D the number of documents containing the word(s)
    and w_j the higher-ranked word of the pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis._terms import word_matrix
from kotoba_code.errors import AnalysisError, CorpusReadError, Errors

if TYPE_CHECKING:
    from kotoba_code.tokenize.tokens import Tokens

TOPIC_METHODS = ("lda", "nmf")


def umass_coherence(X: sp.spmatrix, top_words: Iterable[int]) -> float:
    """UMass coherence of one topic's top words (column indices of the
    documents × words matrix ``X``, best first), averaged over word pairs.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1, 1, 0], [1, 1, 0], [1, 0, 1]])
    >>> # pair (w0, w1): D(w0, w1) = 2, D(w0) = 3 → log(3/3) = 0
    >>> round(umass_coherence(X, [0, 1]), 6)
    0.0
    >>> round(umass_coherence(X, [1, 2]), 6) == round(float(np.log(1 / 2)), 6)
    True
    """
    idx = list(top_words)
    B = sp.csc_matrix(X[:, idx], dtype=np.int64)
    B.data = np.ones_like(B.data)
    C = (B.T @ B).toarray()
    df = np.diag(C).astype(float)
    scores = [np.log((C[i, j] + 1.0) / df[i]) for j in range(1, len(idx)) for i in range(j) if df[i] > 0]
    return float(np.mean(scores)) if scores else 0.0


@dataclass
class TopicModel:
    """A fitted topic model.

    Attributes
    ----------
    topics : DataFrame
        One row per topic: ``topic`` (1 … K), ``share`` (mean share over
        documents with words), ``documents`` (documents whose main topic it
        is), ``coherence`` (UMass), ``top_words`` (``、``-joined) and, with
        ``by``, ``share:<group>`` for each group.
    words : DataFrame
        Topics × words weights, each row summing to 1.
    documents : DataFrame
        ``id``, the metadata, ``words`` (counted words in the document),
        ``topic`` (main topic, 0 for a document without words) and one share
        column per topic (``topic1`` …).
    method, k, seed : str, int, int
    perplexity : float
        LDA's perplexity on the fitted documents (NaN for NMF).
    """

    topics: pd.DataFrame
    words: pd.DataFrame
    documents: pd.DataFrame
    method: str
    k: int
    seed: int
    perplexity: float
    extra: dict[str, object] = field(default_factory=dict, repr=False)

    def by_group(self, by: str) -> pd.DataFrame:
        """Topics × groups: the mean topic share among the group's documents with words.

        Examples
        --------
        >>> from kotoba_code import Corpus, tokenize
        >>> texts = ["面接の交通費", "交通費と面接", "研修の会議", "会議で研修"] * 3
        >>> c = Corpus.from_texts(texts, metadata=pd.DataFrame({"g": list("ABAB") * 3}))
        >>> topic_model(tokenize(c, cache=False), 2, min_df=1).by_group("g").shape
        (2, 2)
        """
        docs = self.documents
        if by not in docs.columns:
            cols = [c for c in docs.columns if c not in ("id", "words", "topic") and not c.startswith("topic")]
            raise CorpusReadError(Errors.E112.format(column=by, columns=", ".join(cols)))
        used = docs[(docs["words"] > 0) & docs[by].notna() & (docs[by].astype(str).str.strip() != "")]
        shares = used.groupby(used[by].astype(str), sort=True)[[f"topic{t}" for t in range(1, self.k + 1)]].mean()
        out = shares.T
        out.index = pd.RangeIndex(1, self.k + 1, name="topic")
        out.columns.name = by
        return out


def _doc_word_matrix(
    tokens: Tokens, min_df: int, pos: Iterable[str] | None, stop_words: Iterable[str] | str | Path | None
) -> tuple[sp.csr_matrix, pd.DataFrame]:
    X, terms = word_matrix(tokens, pos=pos, stop_words=stop_words)
    keep = np.flatnonzero(terms["df"].to_numpy() >= max(min_df, 1))
    # Columns in a fixed order (most documents first, then the label) so that results do not
    # depend on the order in which the vocabulary was first met.
    keep = keep[np.lexsort((terms["label"].to_numpy()[keep], -terms["df"].to_numpy()[keep]))]
    return X[:, keep].tocsr(), terms.iloc[keep].reset_index(drop=True)


def _fit(X: sp.csr_matrix, k: int, method: str, seed: int, max_iter: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Document × topic shares, topic × word weights (rows sum to 1), perplexity."""
    if method == "lda":
        from sklearn.decomposition import LatentDirichletAllocation

        # Online variational Bayes in mini-batches: on 2,350 answers it reaches the perplexity of
        # 50 batch passes in a third of the time, which matters when --find-k fits 19 models.
        model = LatentDirichletAllocation(
            n_components=k,
            random_state=seed,
            max_iter=max_iter,
            learning_method="online",
            batch_size=256,
            total_samples=X.shape[0],
            n_jobs=1,
        )
        theta = model.fit_transform(X)
        perplexity = float(model.perplexity(X))
        components = model.components_
    else:
        from sklearn.decomposition import NMF

        # TF-IDF-like scaling is left out: NMF on counts keeps the weights readable as word shares.
        model = NMF(n_components=k, random_state=seed, init="nndsvda", max_iter=max(max_iter, 200))
        W = model.fit_transform(X.astype(float))
        totals = W.sum(axis=1, keepdims=True)
        theta = np.divide(W, totals, out=np.full_like(W, 1.0 / k), where=totals > 0)
        perplexity = float("nan")
        components = model.components_
    phi = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-300)
    return theta, phi, perplexity


def topic_model(
    tokens: Tokens,
    k: int,
    *,
    method: str = "lda",
    seed: int = 0,
    min_df: int = 2,
    n_top: int = 10,
    max_iter: int = 10,
    by: str | None = None,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> TopicModel:
    """Fit a topic model with ``k`` topics.

    Parameters
    ----------
    tokens : Tokens
    k : int
        Number of topics (2 or more, fewer than the documents).
    method : {"lda", "nmf"}, default="lda"
        Latent Dirichlet allocation (as KH Coder) or non-negative matrix factorisation.
    seed : int, default=0
        Random state: the same seed gives the same model.
    min_df : int, default=2
        Leave out words in fewer documents.
    n_top : int, default=10
        Words listed per topic (and used for coherence).
    by : str, optional
        Metadata column: add ``share:<group>`` columns to ``topics``.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["面接の交通費", "交通費と面接", "研修の会議", "会議で研修"] * 3
    >>> tm = topic_model(tokenize(Corpus.from_texts(texts), cache=False), 2, min_df=1, n_top=2)
    >>> sorted(sorted(w.split("、")) for w in tm.topics["top_words"])
    [['交通費', '面接'], ['会議', '研修']]
    """
    if method not in TOPIC_METHODS:
        raise AnalysisError(
            Errors.E538.format(func="topic_model", param="method", known=", ".join(TOPIC_METHODS), value=method)
        )
    X, terms = _doc_word_matrix(tokens, min_df, pos, stop_words)
    n_docs = int((np.diff(X.indptr) > 0).sum())
    if not isinstance(k, (int, np.integer)) or k < 2 or k >= max(n_docs, 2):
        raise AnalysisError(Errors.E506.format(k=k, max_k=max(n_docs - 1, 1), n_docs=n_docs))
    theta, phi, perplexity = _fit(X, int(k), method, seed, max_iter)
    n_words = np.asarray(X.sum(axis=1)).ravel()
    has_words = n_words > 0
    labels = terms["label"].to_numpy()
    top_idx = np.argsort(-phi, axis=1, kind="stable")[:, :n_top]
    main = np.where(has_words, theta.argmax(axis=1) + 1, 0)
    topics = pd.DataFrame(
        {
            "topic": np.arange(1, k + 1),
            "share": theta[has_words].mean(axis=0) if has_words.any() else np.zeros(k),
            "documents": [int((main == t).sum()) for t in range(1, k + 1)],
            "coherence": [umass_coherence(X, row) for row in top_idx],
            "top_words": ["、".join(labels[row]) for row in top_idx],
        }
    )
    corpus = tokens.corpus
    documents = pd.concat(
        [
            pd.DataFrame({"id": corpus.ids}),
            corpus.metadata.reset_index(drop=True),
            pd.DataFrame({"words": n_words.astype(np.int64), "topic": main}),
            pd.DataFrame(theta, columns=[f"topic{t}" for t in range(1, k + 1)]),
        ],
        axis=1,
    )
    model = TopicModel(
        topics=topics,
        words=pd.DataFrame(phi, index=pd.RangeIndex(1, k + 1, name="topic"), columns=labels),
        documents=documents,
        method=method,
        k=int(k),
        seed=seed,
        perplexity=perplexity,
    )
    if by is not None:
        shares = model.by_group(by)
        for g in shares.columns:
            model.topics[f"share:{g}"] = shares[g].to_numpy()
    return model


def find_k(
    tokens: Tokens,
    ks: Iterable[int] = range(2, 21),
    *,
    method: str = "lda",
    seed: int = 0,
    min_df: int = 2,
    n_top: int = 10,
    max_iter: int = 10,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> pd.DataFrame:
    """Fit a model for each K and report ``k``, ``perplexity`` (LDA) and
    ``coherence`` (mean UMass over topics), KH Coder's 「最適なトピック数の探索」.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["面接の交通費", "交通費と面接", "研修の会議", "会議で研修"] * 3
    >>> find_k(tokenize(Corpus.from_texts(texts), cache=False), [2, 3], min_df=1).columns.tolist()
    ['k', 'perplexity', 'coherence']
    """
    X, _ = _doc_word_matrix(tokens, min_df, pos, stop_words)
    n_docs = int((np.diff(X.indptr) > 0).sum())
    rows = []
    for k in ks:
        if k < 2 or k >= max(n_docs, 2):
            raise AnalysisError(Errors.E506.format(k=k, max_k=max(n_docs - 1, 1), n_docs=n_docs))
        _, phi, perplexity = _fit(X, int(k), method, seed, max_iter)
        top_idx = np.argsort(-phi, axis=1, kind="stable")[:, :n_top]
        rows.append(
            {
                "k": int(k),
                "perplexity": perplexity,
                "coherence": float(np.mean([umass_coherence(X, r) for r in top_idx])),
            }
        )
    return pd.DataFrame(rows, columns=["k", "perplexity", "coherence"])


def parse_k_range(spec: str) -> range:
    """``"2:20"`` → range(2, 21) (both ends included).

    Examples
    --------
    >>> list(parse_k_range("3:5"))
    [3, 4, 5]
    """
    lo, sep, hi = spec.partition(":")
    try:
        a, b = int(lo), int(hi)
    except ValueError:
        a = b = -1
    if not sep or a < 2 or b <= a:
        raise AnalysisError(Errors.E507.format(spec=spec))
    return range(a, b + 1)
