"""Word tables, keyness and networks of a corpus read in chunks, in bounded memory.

Each function takes the corpus as consecutive chunks of documents (from
:func:`kotoba_code.io.stream.iter_corpus_chunks`), tokenizes one chunk at a
time, keeps only its counts and drops the rest before the next. The counts
add up (:func:`~kotoba_code.analysis.frequency.sum_word_counts`,
:meth:`~kotoba_code.analysis.cooccurrence.TermCounts.sum`, summed pair
counts), and every selection — ``min_count``, ``min_df``, ``top``,
``max_words``, the strongest edges — is made on the sums, so each result is
the one the in-memory function gives for the whole corpus.

Memory: the counts are one row per word (and group), not per token. A word
network needs the words' unit frequencies of the whole corpus before it
knows which pairs to count, so :func:`word_network_by_chunk` reads the chunks
twice (``chunks`` is then a callable giving a fresh iterator); with the token
cache the second pass reads the tokens from the cache.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis.cooccurrence import (
    Cooccurrence,
    TermCounts,
    code_cooccurrence,
    cooccurrence_from_counts,
    pair_counts,
)
from kotoba_code.analysis.frequency import sum_word_counts, word_counts, word_frequency_from_counts
from kotoba_code.analysis.keyness import word_keyness_from_counts
from kotoba_code.analysis.network import cooccurrence_network, variable_network_from_counts
from kotoba_code.coding.rule_coder import RuleCoder
from kotoba_code.coding.stream import frozen_heap
from kotoba_code.corpus import Corpus
from kotoba_code.tokenize import tokenize as tokenize_corpus

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.tokenize.tokens import Tokens

__all__ = [
    "code_network_by_chunk",
    "word_frequency_by_chunk",
    "word_keyness_by_chunk",
    "word_network_by_chunk",
]

# Partial sums are folded every this many chunks, so that neither the list
# of parts nor the time to add them grows with the input.
_FOLD = 8


def _tokenized(chunks: Iterable[Corpus], tokenize: Callable[[Corpus], Tokens] | None) -> Iterator[Tokens]:
    with frozen_heap():
        for corpus in chunks:
            yield tokenize(corpus) if tokenize is not None else tokenize_corpus(corpus, cache=False)
            # A chunk's token store holds reference cycles (cached views and
            # closures): free it before the next chunk is tokenized.
            gc.collect()


def word_frequency_by_chunk(
    chunks: Iterable[Corpus],
    *,
    tokenize: Callable[[Corpus], Tokens] | None = None,
    by: str | None = None,
    pos: Sequence[str] | None = None,
    stop_words: Any = None,
    key: str = "lemma",
    min_count: int = 1,
    top: int | None = None,
    unit: str = "document",
    synonyms: Any = None,
) -> pd.DataFrame:
    """:func:`~kotoba_code.analysis.frequency.word_frequency` of all ``chunks`` together.

    ``tokenize`` (Corpus -> Tokens) defaults to SudachiPy without the cache;
    the other arguments are those of ``word_frequency``.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> parts = [Corpus.from_texts(["ノウハウが不足"]), Corpus.from_texts(["人手が不足"], ids=["2"])]
    >>> word_frequency_by_chunk(parts)[["word", "count", "docs"]].values.tolist()
    [['不足', 2, 2], ['ノウハウ', 1, 1], ['人手', 1, 1]]
    """
    total = None
    parts: list[pd.DataFrame] = []
    groups: set[str] = set()
    for tokens in _tokenized(chunks, tokenize):
        parts.append(word_counts(tokens, by=by, pos=pos, stop_words=stop_words, key=key, unit=unit, synonyms=synonyms))
        if by is not None:
            groups.update(tokens.corpus.metadata[by].astype(str).tolist())
        del tokens
        if len(parts) >= _FOLD:
            total = sum_word_counts([p for p in (total, *parts) if p is not None], by)
            parts = []
    total = sum_word_counts([p for p in (total, *parts) if p is not None], by)
    return word_frequency_from_counts(
        total, by=by, min_count=min_count, top=top, groups=None if by is None else sorted(groups)
    )


def _term_counts(chunks: Iterable[Corpus], tokenize: Callable[[Corpus], Tokens] | None, **options: Any) -> TermCounts:
    total: TermCounts | None = None
    parts: list[TermCounts] = []
    for tokens in _tokenized(chunks, tokenize):
        parts.append(TermCounts.of(tokens, **options))
        del tokens
        if len(parts) >= _FOLD:
            total = TermCounts.sum([p for p in (total, *parts) if p is not None])
            parts = []
    return TermCounts.sum([p for p in (total, *parts) if p is not None])


def word_keyness_by_chunk(
    chunks: Iterable[Corpus],
    by: str,
    *,
    tokenize: Callable[[Corpus], Tokens] | None = None,
    measure: str = "ll",
    min_df: int = 3,
    pos: Sequence[str] | None = None,
    stop_words: Any = None,
    synonyms: Any = None,
) -> pd.DataFrame:
    """:func:`~kotoba_code.analysis.keyness.word_keyness` of all ``chunks``
    together: documents with each word per group are summed, then scored.

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code import Corpus
    >>> meta = pd.DataFrame({"g": ["A", "A"]}), pd.DataFrame({"g": ["B", "B"]})
    >>> parts = [Corpus.from_texts(["連携がある", "連携が大切"], metadata=meta[0]),
    ...          Corpus.from_texts(["予算が不足", "予算がない"], ids=["3", "4"], metadata=meta[1])]
    >>> kt = word_keyness_by_chunk(parts, "g", min_df=2)
    >>> kt[kt["effect"] > 0][["group", "term"]].values.tolist()
    [['A', '連携'], ['B', '予算']]
    """
    counts = _term_counts(chunks, tokenize, by=by, pos=pos, stop_words=stop_words, synonyms=synonyms)
    return word_keyness_from_counts(counts, measure=measure, min_df=min_df)


def word_network_by_chunk(
    chunks: Callable[[], Iterable[Corpus]],
    *,
    tokenize: Callable[[Corpus], Tokens] | None = None,
    by: str | None = None,
    max_words: int = 75,
    min_df: int = 2,
    unit: str = "document",
    pos: Sequence[str] | None = None,
    stop_words: Any = None,
    synonyms: Any = None,
    **kwargs: Any,
) -> nx.Graph:
    """:func:`~kotoba_code.analysis.network.word_network` (or, with ``by``,
    :func:`~kotoba_code.analysis.network.variable_network`) of all chunks together.

    ``chunks`` is called for each pass over the corpus and must give the same
    chunks each time. Pass 1 counts the units containing each word and picks
    the words (``min_df``, ``max_words``) from the sums; pass 2 counts the
    units containing each pair of those words only. With ``by``, one pass
    suffices (units with each word per group). ``kwargs`` go to
    :func:`~kotoba_code.analysis.network.cooccurrence_network` (``measure``,
    ``top_n``, ``communities``, ``seed``), or with ``by`` to
    ``variable_network_from_counts`` (``measure``, ``seed``).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> texts = [["ノウハウが不足", "ノウハウと人手が不足"], ["人手が不足", "研修"]]
    >>> parts = lambda: [Corpus.from_texts(t, ids=[f"{k}{i}" for i in range(2)]) for k, t in enumerate(texts)]
    >>> sorted(tuple(sorted(e)) for e in word_network_by_chunk(parts, min_df=1).edges())
    [('ノウハウ', '不足'), ('ノウハウ', '人手'), ('不足', '人手')]
    """
    options = {"pos": pos, "stop_words": stop_words, "synonyms": synonyms}
    if by is not None:
        counts = _term_counts(chunks(), tokenize, by=by, **options)
        return variable_network_from_counts(counts, by, max_words=max_words, min_df=min_df, **kwargs)
    counts = _term_counts(chunks(), tokenize, unit=unit, **options)
    terms = counts.terms(min_df=min_df, max_words=max_words)
    pairs = sp.csr_matrix((len(terms), len(terms)), dtype="int64")
    for tokens in _tokenized(chunks(), tokenize):
        pairs = pairs + pair_counts(tokens, terms, unit=unit, **options)
        del tokens
    co = cooccurrence_from_counts(terms, pairs, counts.n_units, unit)
    return cooccurrence_network(co, kind="word", **kwargs)


def code_network_by_chunk(
    chunks: Iterable[Corpus],
    codebook: Codebook,
    *,
    tokenize: Callable[[Corpus], Tokens] | None = None,
    unit: str = "document",
    top_n: int | None = 60,
    **kwargs: Any,
) -> nx.Graph:
    """:func:`~kotoba_code.analysis.network.code_network` of the codes of all
    ``chunks`` together: units with each code and with each pair of codes are
    summed over the chunks. ``codebook`` must not use ``No.``
    (:func:`~kotoba_code.coding.stream.uses_corpus_position`).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "a", "rule": "ノウハウ"}, {"id": "b", "rule": "不足"}]})
    >>> parts = [Corpus.from_texts(["ノウハウが不足"]), Corpus.from_texts(["人手が不足"], ids=["2"])]
    >>> list(code_network_by_chunk(parts, cb).edges(data="count"))
    [('a', 'b', 1)]
    """
    coder = RuleCoder(codebook)
    tokenize = tokenize or coder.tokenizer().tokenize
    total: Cooccurrence | None = None
    with frozen_heap():
        for corpus in chunks:
            co = code_cooccurrence(coder.code(tokenize(corpus), unit=unit))
            if total is None:
                total = co
            else:
                total.counts = total.counts + co.counts
                total.terms["df"] = total.terms["df"].to_numpy() + co.terms["df"].to_numpy()
                total.n_units += co.n_units
            del co
            gc.collect()
    if total is None:
        total = code_cooccurrence(coder.code(tokenize(Corpus.from_texts([])), unit=unit))
    return cooccurrence_network(total, kind="code", top_n=top_n, **kwargs)
