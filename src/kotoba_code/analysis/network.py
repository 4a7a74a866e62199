"""Co-occurrence networks as plain networkx graphs.

Defaults follow KH Coder's co-occurrence network, so its users recognise the
result: Jaccard similarity, the 60 strongest edges, drawn among about the 75
most frequent words, modularity communities, a seeded layout. Every default
can be overridden.

Node attributes: ``label``, ``frequency`` (units containing the term),
``kind`` (``word``, ``code`` or ``group``), ``pos`` (words), ``community``,
``degree``, ``betweenness``, ``eigenvector``. Edge attributes: ``weight``
(the similarity) and ``count`` (co-occurrences).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from kotoba_code.analysis.cooccurrence import (
    Cooccurrence,
    TermCounts,
    code_cooccurrence,
    pair_similarity,
    word_cooccurrence,
)
from kotoba_code.errors import AnalysisError, Errors

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens


def cooccurrence_network(
    cooc: Cooccurrence,
    *,
    measure: str = "jaccard",
    top_n: int | None = 60,
    threshold: float | None = None,
    communities: str = "louvain",
    seed: int = 0,
    kind: str = "word",
) -> nx.Graph:
    """The network of the strongest co-occurrences.

    Parameters
    ----------
    cooc : Cooccurrence
        From :func:`word_cooccurrence` or :func:`code_cooccurrence`.
    measure : str, default="jaccard"
        See :mod:`kotoba_code.analysis.cooccurrence`.
    top_n : int or None, default=60
        Keep the ``top_n`` strongest edges (ties broken by count, then term order).
    threshold : float, optional
        Keep edges with weight at least this (applied before ``top_n``).
    communities : {"louvain", "greedy", "none"}, default="louvain"
        Louvain (Blondel et al. 2008) or Clauset–Newman–Moore greedy
        modularity communities, both seeded/deterministic.
    seed : int, default=0

    Examples
    --------
    >>> import scipy.sparse as sp, pandas as pd
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [1, 0, 1, 0]])
    >>> co = Cooccurrence.from_matrix(X, pd.DataFrame({"term": list("abcd")}))
    >>> g = cooccurrence_network(co, top_n=2)
    >>> sorted(g.edges()), g.nodes["a"]["community"] != g.nodes["c"]["community"]
    ([('a', 'b'), ('c', 'd')], True)
    """
    pairs = cooc.similarity(measure)
    if threshold is not None:
        pairs = pairs[pairs["weight"] >= threshold]
    if top_n is not None:
        pairs = pairs.head(top_n)
    terms = cooc.terms
    g = nx.Graph(measure=measure, unit=cooc.unit, n_units=int(cooc.n_units))
    used = sorted(set(pairs["i"]).union(pairs["j"]))
    for k in used:
        row = terms.iloc[k]
        attrs = {
            "label": str(row.get("label", row["term"])),
            "frequency": int(row["df"]),
            "kind": kind,
        }
        if "pos" in terms.columns:
            attrs["pos"] = str(row["pos"])
        g.add_node(str(row["term"]), **attrs)
    for r in pairs.itertuples():
        g.add_edge(
            str(terms.iloc[r.i]["term"]), str(terms.iloc[r.j]["term"]), weight=float(r.weight), count=int(r.count)
        )
    annotate(g, communities=communities, seed=seed)
    return g


def modularity(g: nx.Graph, *, weight: str = "weight") -> float:
    """Newman's modularity of the ``community`` node attribute of ``g``.

    Q = Σ_c [ L_c / m − (d_c / 2m)² ], with m the total edge weight, L_c the
    weight inside community c and d_c the weighted degree of its nodes
    (Newman 2004, doi:10.1103/PhysRevE.70.056131). The sums run in the graph's
    own edge and node order, so the value is the same to the last bit on every
    run; ``networkx.community.modularity`` sums in set order, which changes
    with Python's string hashing from one process to the next.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("c", "d")])
    >>> nx.set_node_attributes(g, {"a": 0, "b": 0, "c": 1, "d": 1}, "community")
    >>> modularity(g)
    0.5
    """
    comm = {n: c for n, c in g.nodes(data="community")}
    inside: dict[Any, float] = {}
    total = 0.0
    for u, v, w in g.edges(data=weight, default=1.0):
        total += w
        if comm[u] == comm[v]:
            inside[comm[u]] = inside.get(comm[u], 0.0) + w
    if total == 0:
        return 0.0
    degree: dict[Any, float] = {}
    for n, d in g.degree(weight=weight):
        degree[comm[n]] = degree.get(comm[n], 0.0) + d
    return float(sum(inside.get(c, 0.0) / total - (d / (2 * total)) ** 2 for c, d in degree.items()))


def annotate(g: nx.Graph, *, communities: str = "louvain", seed: int = 0) -> nx.Graph:
    """Add ``community``, ``degree``, ``betweenness`` and ``eigenvector`` node attributes."""
    if g.number_of_nodes() == 0:
        return g
    if communities == "none":
        parts: list[set[Any]] = [set(g.nodes)]
    elif communities == "greedy":
        parts = [set(c) for c in nx.community.greedy_modularity_communities(g, weight="weight")]
    elif communities == "louvain":
        parts = [set(c) for c in nx.community.louvain_communities(g, weight="weight", seed=seed)]
    else:
        raise AnalysisError(Errors.E536.format(communities=communities, known="louvain, greedy, none"))
    # Number communities by size, then by their first member, for stable colours.
    parts.sort(key=lambda c: (-len(c), min(map(str, c))))
    for k, members in enumerate(parts):
        for n in members:
            g.nodes[n]["community"] = k
    g.graph["modularity"] = modularity(g) if g.number_of_edges() else 0.0
    degree = nx.degree_centrality(g)
    between = nx.betweenness_centrality(g)
    try:
        eigen = nx.eigenvector_centrality(g, weight="weight", max_iter=1000) if g.number_of_edges() else {}
    except nx.PowerIterationFailedConvergence:  # rare on weighted, disconnected graphs
        eigen = {}
    for n in g.nodes:
        g.nodes[n]["degree"] = float(degree.get(n, 0.0))
        g.nodes[n]["betweenness"] = float(between.get(n, 0.0))
        g.nodes[n]["eigenvector"] = float(eigen.get(n, 0.0))
    return g


def word_network(
    tokens: Tokens,
    *,
    max_words: int = 75,
    min_df: int = 2,
    unit: str = "document",
    pos: Iterable[str] | None = None,
    stop_words: Any = None,
    synonyms: Any = None,
    **kwargs: Any,
) -> nx.Graph:
    """Co-occurrence network of the ``max_words`` most frequent words (KH Coder's defaults).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> t = tokenize(Corpus.from_texts(["ノウハウが不足", "ノウハウと人手が不足", "人手が不足", "研修"]), cache=False)
    >>> sorted(tuple(sorted(e)) for e in word_network(t, min_df=1).edges())
    [('ノウハウ', '不足'), ('ノウハウ', '人手'), ('不足', '人手')]
    """
    co = word_cooccurrence(
        tokens, unit=unit, pos=pos, stop_words=stop_words, min_df=min_df, max_words=max_words, synonyms=synonyms
    )
    return cooccurrence_network(co, kind="word", **kwargs)


def code_network(result: CodingResult, *, top_n: int | None = 60, **kwargs: Any) -> nx.Graph:
    """Co-occurrence network of the codes of a coding result (the 60 strongest
    edges, KH Coder's default and the same as for words and on the command line).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "a", "rule": "ノウハウ"}, {"id": "b", "rule": "不足"}]})
    >>> from kotoba_code.coding import apply_codebook
    >>> g = code_network(apply_codebook(cb, Corpus.from_texts(["ノウハウが不足", "人手が不足"]), cache=False))
    >>> list(g.edges(data="count"))
    [('a', 'b', 1)]
    """
    return cooccurrence_network(code_cooccurrence(result), kind="code", top_n=top_n, **kwargs)


def variable_network(
    tokens: Tokens,
    by: str,
    *,
    max_words: int = 75,
    min_df: int = 2,
    top_per_group: int = 15,
    measure: str = "jaccard",
    pos: Iterable[str] | None = None,
    stop_words: Any = None,
    seed: int = 0,
    synonyms: Any = None,
) -> nx.Graph:
    """Words × a metadata variable (KH Coder's network with external variables):
    each group is a node linked to the words most associated with it
    (Jaccard between "the unit has the word" and "the unit is in the group").
    Words linked to several groups are shared by them (node attribute
    ``shared`` = 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["連携がある", "連携と予算", "予算が不足", "研修"],
    ...                       metadata=pd.DataFrame({"g": ["A", "A", "B", "B"]}))
    >>> g = variable_network(tokenize(c, cache=False), "g", min_df=1)
    >>> sorted(g.neighbors("group:A"))
    ['予算', '連携']
    """
    counts = TermCounts.of(tokens, by=by, pos=pos, stop_words=stop_words, synonyms=synonyms)
    return variable_network_from_counts(
        counts, by, max_words=max_words, min_df=min_df, top_per_group=top_per_group, measure=measure, seed=seed
    )


def variable_network_from_counts(
    counts: TermCounts,
    by: str,
    *,
    max_words: int = 75,
    min_df: int = 2,
    top_per_group: int = 15,
    measure: str = "jaccard",
    seed: int = 0,
) -> nx.Graph:
    """:func:`variable_network` from (summed) :class:`~kotoba_code.analysis.cooccurrence.TermCounts`
    of the documents by group: the words are chosen after the counts of every
    part are added up, so a corpus read in chunks gives the network of the whole."""
    terms = counts.terms(min_df=min_df, max_words=max_words)
    names = sorted(set(counts.sizes.index.tolist()) - {""})
    by_group = counts.group_matrix(terms, names)
    g = nx.Graph(measure=measure, unit="document", by=by)
    df = terms["df"].to_numpy(dtype=float)
    n = float(counts.n_units)
    for j, name in enumerate(names):
        size = int(counts.sizes[name])
        a = by_group[j].astype(float)
        w = pair_similarity(a, df, np.full(len(df), float(size)), n, measure)
        w = np.where(a > 0, w, -np.inf)
        g.add_node(f"group:{name}", label=str(name), frequency=size, kind="group")
        for k in np.argsort(-w, kind="stable")[:top_per_group]:
            if not np.isfinite(w[k]):
                break
            term = str(terms.iloc[k]["term"])
            if term not in g:
                g.add_node(term, label=term, frequency=int(df[k]), kind="word", pos=str(terms.iloc[k]["pos"]))
            g.add_edge(f"group:{name}", term, weight=float(w[k]), count=int(a[k]))
    annotate(g, seed=seed)
    for node in g.nodes:
        g.nodes[node]["shared"] = int(sum(1 for nb in g.neighbors(node) if nb.startswith("group:")) > 1)
    return g


# The formats write_network knows, by file suffix.
