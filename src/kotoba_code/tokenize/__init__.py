"""Tokenization: corpus texts into a columnar :class:`Tokens` store.

Two backends share one output: :class:`SudachiTokenizer` (fast, the default
for counting and coding) and :class:`GinzaTokenizer` (spaCy + GiNZA, adds
dependency heads and labels for dependency-aware work).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kotoba_code.errors import Errors, TokenizerError
from kotoba_code.tokenize.cache import TokenCache, cache_key, default_cache_dir
from kotoba_code.tokenize.ginza import GinzaTokenizer
from kotoba_code.tokenize.normalize import NormalizedText, normalize_text
from kotoba_code.tokenize.sudachi import SudachiTokenizer, split_chunks
from kotoba_code.tokenize.tokens import CONTENT_POS, Token, Tokens
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_word_list

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

__all__ = [
    "CONTENT_POS",
    "DEFAULT_STOP_WORDS",
    "GinzaTokenizer",
    "NormalizedText",
    "SudachiTokenizer",
    "Token",
    "TokenCache",
    "Tokens",
    "Tokenizer",
    "cache_key",
    "default_cache_dir",
    "make_tokenizer",
    "normalize_text",
    "read_word_list",
    "split_chunks",
    "tokenize",
]


class Tokenizer(Protocol):
    backend: str

    def settings(self) -> dict: ...

    def tokenize(self, corpus: Corpus, *, progress: bool = False) -> Tokens: ...


def make_tokenizer(backend: str = "sudachi", **kwargs: object) -> Tokenizer:
    """A tokenizer by backend name: ``"sudachi"`` (default) or ``"ginza"``."""
    if backend == "sudachi":
        return SudachiTokenizer(**kwargs)  # type: ignore[arg-type]
    if backend == "ginza":
        return GinzaTokenizer(**kwargs)  # type: ignore[arg-type]
    raise TokenizerError(Errors.E204.format(backend=backend))


def tokenize(
    corpus: Corpus,
    *,
    tokenizer: Tokenizer | None = None,
    cache: bool | str | Path = True,
    progress: bool = False,
) -> Tokens:
    """Tokenize a corpus, reusing the on-disk cache when the texts and the
    tokenizer settings are unchanged.

    Parameters
    ----------
    corpus : Corpus
    tokenizer : SudachiTokenizer or GinzaTokenizer, default=SudachiTokenizer()
    cache : bool or path, default=True
        ``True`` uses the user cache directory, a path uses that directory,
        ``False`` neither reads nor writes a cache.
    progress : bool, default=False
        Show a progress bar on standard error.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> toks = tokenize(Corpus.from_texts(["ノウハウが不足している"]), cache=False)
    >>> [t.lemma for t in toks.doc(0)]
    ['ノウハウ', 'が', '不足', 'する', 'て', 'いる']
    """
    tokenizer = tokenizer or SudachiTokenizer()
    if cache is False:
        return tokenizer.tokenize(corpus, progress=progress)
    store = TokenCache(None if cache is True else cache)
    key = cache_key(corpus.texts, tokenizer.settings())
    hit = store.load(key, corpus)
    if hit is not None:
        return hit
    tokens = tokenizer.tokenize(corpus, progress=progress)
    store.save(key, tokens)
    return tokens
