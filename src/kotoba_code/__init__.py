"""kotoba_code: qualitative coding and text mining of Japanese free-text answers.

>>> import kotoba_code as kc
>>> corpus = kc.Corpus.from_texts(["ハローワークとの連携に課題を感じる"])
>>> kc.word_frequency(kc.tokenize(corpus, cache=False))["word"].tolist()
['ハローワーク', '感じる', '課題', '連携']

The names below are the public API. Reading, tokenizing and counting are
imported eagerly; the heavier parts (coding, networks, evaluation, GiNZA) load
on first use, so ``import kotoba_code`` stays light.
"""

from importlib import import_module
from typing import Any

from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.corpus import Corpus
from kotoba_code.errors import CodebookError, CorpusReadError, KotobaError, KotobaWarning, TokenizerError
from kotoba_code.io.readers import read_corpus, read_table, read_transcripts
from kotoba_code.io.writers import write_table
from kotoba_code.tokenize import SudachiTokenizer, Token, Tokens, normalize_text, tokenize

__version__ = "0.1.0"

# Public name -> module that defines it, imported on first access.
_LAZY = {
    "Codebook": "kotoba_code.codebook",
    "Coder": "kotoba_code.coding",
    "HybridCoder": "kotoba_code.coding",
    "LearnedCoder": "kotoba_code.coding",
    "load_model": "kotoba_code.coding",
    "review_queue": "kotoba_code.coding.review",
    "suggest_terms": "kotoba_code.coding.suggest",
    "CodingResult": "kotoba_code.codebook",
    "GinzaTokenizer": "kotoba_code.tokenize.ginza",
    "code_cooccurrence": "kotoba_code.analysis.cooccurrence",
    "code_keyness": "kotoba_code.analysis.keyness",
    "code_network": "kotoba_code.analysis.network",
    "cooccurrence_network": "kotoba_code.analysis.network",
    "evaluate": "kotoba_code.evaluate",
    "kwic": "kotoba_code.analysis.kwic",
    "read_labels": "kotoba_code.evaluate",
    "synthesize": "kotoba_code.analysis.synthesis",
    "variable_network": "kotoba_code.analysis.network",
    "word_cooccurrence": "kotoba_code.analysis.cooccurrence",
    "word_keyness": "kotoba_code.analysis.keyness",
    "word_network": "kotoba_code.analysis.network",
    "write_network": "kotoba_code.analysis.network",
}

__all__ = [
    "Codebook",
    "CodebookError",
    "Coder",
    "CodingResult",
    "Corpus",
    "CorpusReadError",
    "GinzaTokenizer",
    "HybridCoder",
    "KotobaError",
    "KotobaWarning",
    "LearnedCoder",
    "SudachiTokenizer",
    "Token",
    "TokenizerError",
    "Tokens",
    "code_cooccurrence",
    "code_keyness",
    "code_network",
    "cooccurrence_network",
    "evaluate",
    "kwic",
    "load_model",
    "normalize_text",
    "read_corpus",
    "read_labels",
    "read_table",
    "read_transcripts",
    "review_queue",
    "suggest_terms",
    "synthesize",
    "tokenize",
    "variable_network",
    "word_cooccurrence",
    "word_frequency",
    "word_keyness",
    "word_network",
    "write_network",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kotoba_code' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
