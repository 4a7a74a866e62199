"""kotoba_code: qualitative coding and text mining of Japanese free-text answers.

>>> import kotoba_code as kc
>>> corpus = kc.Corpus.from_texts(["ハローワークとの連携に課題を感じる"])
>>> kc.word_frequency(kc.tokenize(corpus, cache=False))["word"].tolist()
['ハローワーク', '感じる', '課題', '連携']
"""

from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.corpus import Corpus
from kotoba_code.errors import CodebookError, CorpusReadError, KotobaError, KotobaWarning, TokenizerError
from kotoba_code.io.readers import read_corpus, read_table, read_transcripts
from kotoba_code.io.writers import write_table
from kotoba_code.tokenize import SudachiTokenizer, Token, Tokens, normalize_text, tokenize

__version__ = "0.1.0"

__all__ = [
    "CodebookError",
    "Corpus",
    "CorpusReadError",
    "KotobaError",
    "KotobaWarning",
    "SudachiTokenizer",
    "Token",
    "TokenizerError",
    "Tokens",
    "normalize_text",
    "read_corpus",
    "read_table",
    "read_transcripts",
    "tokenize",
    "word_frequency",
    "write_table",
]


def __getattr__(name: str):  # noqa: ANN202 - spaCy loads only when GiNZA is asked for
    if name == "GinzaTokenizer":
        from kotoba_code.tokenize.ginza import GinzaTokenizer

        return GinzaTokenizer
    raise AttributeError(f"module 'kotoba_code' has no attribute {name!r}")
