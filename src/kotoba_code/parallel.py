"""Local process pool behind ``--jobs``: tokenize an in-memory corpus in pieces.

Tokenizing is embarrassingly parallel: each answer is tokenized on its own.
So a corpus can be cut into contiguous pieces, each piece tokenized in a
worker process, and the token stores joined with exactly the single-process
result (``--jobs N`` on the command line). Nothing here needs Dask; for
corpora beyond one machine see :mod:`kotoba_code.dask` and
``docs/scaling.md``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.coding.rule_coder import RuleCoder
from kotoba_code.corpus import Corpus
from kotoba_code.tokenize import SudachiTokenizer, Tokenizer, Tokens, tokenize
from kotoba_code.tokenize.cache import TokenCache, cache_key
from kotoba_code.tokenize.tokens import VOCAB_COLUMNS

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.coding.result import CodingResult

__all__ = ["code_parallel", "merge_tokens", "tokenize_parallel"]

# Pieces per process: enough that a slow piece (long transcripts) does not
# leave the other processes idle at the end, few enough to keep the
# per-piece overhead (pickling, a dictionary handle) negligible.
_PIECES_PER_JOB = 4


def tokenize_parallel(
    corpus: Corpus,
    tokenizer: Tokenizer | None = None,
    *,
    jobs: int = 2,
    cache: bool | str | Path = True,
    progress: bool = False,
) -> Tokens:
    """Tokenize a corpus in ``jobs`` local processes.

    The documents are cut into contiguous pieces of about equal length, each
    piece is tokenized in a worker process, and the token stores are joined
    (vocabularies merged) in document order. Codes, counts and offsets are
    exactly those of :func:`kotoba_code.tokenize`; the result is cached under
    the same key, so a later single-process run reuses it and vice versa.

    Parameters
    ----------
    corpus : Corpus
    tokenizer : SudachiTokenizer, default=SudachiTokenizer()
        Must be picklable (it is sent to the worker processes).
    jobs : int, default=2
        Worker processes; ``1`` tokenizes in this process.
    cache : bool or path, default=True
        As for :func:`kotoba_code.tokenize`.
    progress : bool, default=False
        Show a progress bar over the pieces on standard error.

    Examples
    --------
    >>> from kotoba_code import tokenize
    >>> c = Corpus.from_texts(["温度差がある", "情報共有が不足している", "特になし"])
    >>> par = tokenize_parallel(c, jobs=2, cache=False)
    >>> one = tokenize(c, cache=False)
    >>> par.to_frame().equals(one.to_frame())
    True
    """
    tokenizer = tokenizer or SudachiTokenizer()
    if jobs <= 1 or len(corpus) < 2:
        return tokenize(corpus, tokenizer=tokenizer, cache=cache, progress=progress)
    store = key = None
    if cache is not False:
        store = TokenCache(None if cache is True else cache)
        key = cache_key(corpus.texts, tokenizer.settings())
        hit = store.load(key, corpus)
        if hit is not None:
            return hit
    bounds = _split_even(corpus.texts, jobs * _PIECES_PER_JOB)
    pieces = [(corpus.ids[a:b].tolist(), corpus.texts[a:b], tokenizer) for a, b in bounds]
    # spawn, not fork: the parent may run threads (a progress bar, a Dask
    # client), and forking a threaded process can deadlock.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(pieces)), mp_context=ctx) as pool:
        parts = pool.map(_tokenize_piece, pieces)
        if progress:
            from tqdm.auto import tqdm

            parts = tqdm(parts, total=len(pieces), desc="tokenize", unit="piece")
        tokens = merge_tokens(corpus, list(parts))
    if store is not None and key is not None:
        store.save(key, tokens)
    return tokens


def code_parallel(
    corpus: Corpus,
    codebook: Codebook,
    jobs: int = 2,
    unit: str = "document",
    *,
    cache: bool | str | Path = True,
    progress: bool = False,
) -> CodingResult:
    """Code a corpus, tokenizing in ``jobs`` local processes.

    Tokenizing is nearly all of the time, so only it runs in parallel; the
    rules are then evaluated once on the joined tokens. The result is an
    ordinary :class:`~kotoba_code.coding.result.CodingResult`, equal to
    ``apply_codebook(codebook, corpus, unit=unit)`` in every table, evidence included.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> c = Corpus.from_texts(["温度差がある", "温度差はない", "特になし"])
    >>> code_parallel(c, cb, jobs=2, cache=False).matrix["gap"].tolist()
    [True, False, False]
    """
    coder = RuleCoder(codebook)
    tokens = tokenize_parallel(corpus, coder.tokenizer(), jobs=jobs, cache=cache, progress=progress)
    return coder.code(tokens, unit=unit)


def merge_tokens(corpus: Corpus, parts: Sequence[dict[str, Any]]) -> Tokens:
    """Join the token stores of consecutive pieces of ``corpus`` into one.

    Each part holds the arrays of a :class:`Tokens` (``doc_ptr``, ``word``,
    ``start``, ``end``, ``vocab``, ``extra``, ``settings``). Vocabulary rows
    with the same forms are merged, so every word has one row.
    """
    vocab = pd.concat([p["vocab"] for p in parts], ignore_index=True)
    # One new row per distinct set of forms, numbered by first appearance.
    row_of = vocab.groupby(VOCAB_COLUMNS, sort=False, dropna=False).ngroup().to_numpy(np.int64)
    _, first = np.unique(row_of, return_index=True)
    merged_vocab = vocab.iloc[first].reset_index(drop=True)
    for c in VOCAB_COLUMNS[:-1]:
        merged_vocab[c] = merged_vocab[c].astype(object)
    vocab_off = np.cumsum([0] + [len(p["vocab"]) for p in parts])
    words = [row_of[vocab_off[k] + p["word"].astype(np.int64)] for k, p in enumerate(parts)]
    tok_off = np.cumsum([0] + [len(p["word"]) for p in parts])
    doc_ptr = np.concatenate([[0]] + [p["doc_ptr"][1:] + tok_off[k] for k, p in enumerate(parts)])
    extra_keys = parts[0]["extra"].keys() if parts else ()
    return Tokens(
        corpus=corpus,
        doc_ptr=doc_ptr.astype(np.int64),
        word=np.concatenate(words).astype(np.int32) if words else np.zeros(0, np.int32),
        start=np.concatenate([p["start"] for p in parts]).astype(np.int32),
        end=np.concatenate([p["end"] for p in parts]).astype(np.int32),
        vocab=merged_vocab,
        settings=parts[0]["settings"] if parts else {},
        extra={k: np.concatenate([p["extra"][k] for p in parts]) for k in extra_keys},
    )


def _tokenize_piece(piece: tuple[list[str], list[str], Tokenizer]) -> dict[str, Any]:
    ids, texts, tokenizer = piece
    t = tokenizer.tokenize(Corpus(ids, texts))
    # Plain arrays travel back; the corpus is the parent's.
    return {
        "doc_ptr": t.doc_ptr,
        "word": t.word,
        "start": t.start,
        "end": t.end,
        "vocab": t.vocab,
        "extra": t.extra,
        "settings": t.settings,
    }


def _split_even(texts: Sequence[str], n: int) -> list[tuple[int, int]]:
    """Cut ``texts`` into at most ``n`` contiguous non-empty ranges of about
    equal total length (tokenizing time follows the characters)."""
    sizes = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    cum = np.cumsum(sizes)
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, n) / n, side="left") + 1
    edges = np.unique(np.concatenate([[0], np.clip(cuts, 1, len(texts)), [len(texts)]]))
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
