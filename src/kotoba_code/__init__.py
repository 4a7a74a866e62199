"""kotoba_code: qualitative coding and text mining of Japanese free-text answers.

>>> import kotoba_code as kc
>>> corpus = kc.Corpus.from_texts(["ハローワークとの連携に課題を感じる"])
>>> kc.word_frequency(kc.tokenize(corpus, cache=False))["word"].tolist()
['ハローワーク', '感じる', '課題', '連携']

The names below are the public API. Reading, tokenizing and counting are
imported eagerly; the heavier parts (coding, networks, multivariate analyses,
evaluation, GiNZA) load on first use, so ``import kotoba_code`` stays light.
"""

from importlib import import_module
from typing import Any

from kotoba_code._version import __version__ as __version__
from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.corpus import Corpus
from kotoba_code.errors import (
    AnalysisError,
    CodebookError,
    CorpusReadError,
    KotobaError,
    KotobaWarning,
    OutputError,
    TokenizerError,
)
from kotoba_code.io.readers import read_corpus, read_table, read_transcripts
from kotoba_code.io.writers import write_table
from kotoba_code.tokenize import SudachiTokenizer, Token, Tokens, normalize_text, tokenize

# Public name -> module that defines it, imported on first access.
_LAZY = {
    "Codebook": "kotoba_code.codebook",
    "CodingResult": "kotoba_code.coding",
    "RuleCoder": "kotoba_code.coding",
    "apply_codebook": "kotoba_code.coding",
    "Coder": "kotoba_code.coding",
    "HybridCoder": "kotoba_code.coding",
    "LearnedCoder": "kotoba_code.coding",
    "load_model": "kotoba_code.coding",
    "review_queue": "kotoba_code.coding.review",
    "suggest_terms": "kotoba_code.coding.suggest",
    "GinzaTokenizer": "kotoba_code.tokenize.ginza",
    "cluster_terms": "kotoba_code.analysis.clustering",
    "code_clusters": "kotoba_code.analysis.clustering",
    "code_cooccurrence": "kotoba_code.analysis.cooccurrence",
    "code_group_table": "kotoba_code.analysis.correspondence",
    "code_keyness": "kotoba_code.analysis.keyness",
    "code_mds": "kotoba_code.analysis.mds",
    "code_network": "kotoba_code.analysis.network",
    "cooccurrence_network": "kotoba_code.analysis.network",
    "counting_tokens": "kotoba_code.analysis.frequency",
    "correspondence": "kotoba_code.analysis.correspondence",
    "evaluate": "kotoba_code.evaluate",
    "kwic": "kotoba_code.analysis.kwic",
    "mds": "kotoba_code.analysis.mds",
    "read_codebook": "kotoba_code.io.codebooks",
    "read_labels": "kotoba_code.io.labels",
    "related_words": "kotoba_code.analysis.association",
    "search": "kotoba_code.analysis.search",
    "set_language": "kotoba_code.i18n",
    "synthesize": "kotoba_code.analysis.synthesis",
    "topic_model": "kotoba_code.analysis.topics",
    "variable_network": "kotoba_code.analysis.network",
    "word_clusters": "kotoba_code.analysis.clustering",
    "word_cooccurrence": "kotoba_code.analysis.cooccurrence",
    "word_correspondence": "kotoba_code.analysis.correspondence",
    "word_group_table": "kotoba_code.analysis.correspondence",
    "word_keyness": "kotoba_code.analysis.keyness",
    "word_mds": "kotoba_code.analysis.mds",
    "word_network": "kotoba_code.analysis.network",
    "write_network": "kotoba_code.io.networks",
    "code_network_by_chunk": "kotoba_code.analysis.stream",
    "iter_corpus_chunks": "kotoba_code.io.stream",
    "word_frequency_by_chunk": "kotoba_code.analysis.stream",
    "word_keyness_by_chunk": "kotoba_code.analysis.stream",
    "word_network_by_chunk": "kotoba_code.analysis.stream",
}

__all__ = [
    "AnalysisError",
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
    "OutputError",
    "RuleCoder",
    "SudachiTokenizer",
    "Token",
    "TokenizerError",
    "Tokens",
    "apply_codebook",
    "cluster_terms",
    "code_clusters",
    "code_cooccurrence",
    "code_group_table",
    "code_keyness",
    "code_mds",
    "code_network",
    "code_network_by_chunk",
    "cooccurrence_network",
    "correspondence",
    "counting_tokens",
    "evaluate",
    "iter_corpus_chunks",
    "kwic",
    "load_model",
    "mds",
    "normalize_text",
    "read_codebook",
    "read_corpus",
    "read_labels",
    "read_table",
    "read_transcripts",
    "related_words",
    "review_queue",
    "search",
    "set_language",
    "suggest_terms",
    "synthesize",
    "tokenize",
    "topic_model",
    "variable_network",
    "word_clusters",
    "word_cooccurrence",
    "word_correspondence",
    "word_frequency",
    "word_frequency_by_chunk",
    "word_group_table",
    "word_keyness",
    "word_keyness_by_chunk",
    "word_mds",
    "word_network",
    "word_network_by_chunk",
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
