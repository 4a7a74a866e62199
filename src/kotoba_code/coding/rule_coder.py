"""Coding with the rules of a codebook."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kotoba_code.codebook.model import Codebook
from kotoba_code.coding.engine import evaluate_rules
from kotoba_code.coding.result import CodingResult
from kotoba_code.corpus import Corpus
from kotoba_code.tokenize import SudachiTokenizer, Tokenizer, tokenize
from kotoba_code.tokenize.tokens import Tokens


class RuleCoder:
    """Codes units with the rules of a codebook, with the evidence for every hit.

    The rules are evaluated over an index of the tokens kept with the token
    store, so recoding the same tokens with an edited codebook reuses it.

    Parameters
    ----------
    codebook : Codebook
    split_mode : {"A", "B", "C"}, default="C"
        Sudachi split mode of :meth:`tokenizer` (the tokens a corpus is coded on).
    user_words : sequence of str, default=()
        Compounds kept whole, added to the codebook's own ``user_words``.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> coder = RuleCoder(Codebook.from_dict({"codes": [{"id": "gap", "rule": "温度差"}]}))
    >>> tokens = coder.tokenize(Corpus.from_texts(["温度差がある", "温度差はない"]), cache=False)
    >>> coder.code(tokens).matrix["gap"].tolist()
    [True, False]
    """

    def __init__(self, codebook: Codebook, *, split_mode: str = "C", user_words: Sequence[str] = ()) -> None:
        self.codebook = codebook
        self.split_mode = split_mode
        self.user_words = user_words

    def __repr__(self) -> str:
        return f"RuleCoder({self.codebook!r})"

    def tokenizer(self) -> Tokenizer:
        """The tokenizer a corpus is coded on: Sudachi with the codebook's user words."""
        words = list(self.codebook.user_words) + list(self.user_words)
        return SudachiTokenizer(split_mode=self.split_mode, user_words=words)

    def tokenize(self, corpus: Corpus, *, cache: bool | str | Path = True, progress: bool = False) -> Tokens:
        """Tokenize ``corpus`` with :meth:`tokenizer`, using the token cache."""
        return tokenize(corpus, tokenizer=self.tokenizer(), cache=cache, progress=progress)

    def code(self, tokens: Tokens, *, unit: str = "document") -> CodingResult:
        """Code every unit of ``tokens`` at level ``unit``."""
        index, values, evidence = evaluate_rules(self.codebook, tokens, unit)
        return CodingResult(self.codebook, tokens, index.units, values, evidence, unit=unit)


def apply_codebook(
    codebook: Codebook,
    data: Corpus | Tokens,
    *,
    unit: str = "document",
    cache: bool | str | Path = True,
    progress: bool = False,
) -> CodingResult:
    """Code a corpus (tokenized with the codebook's user words) or tokens with a codebook's rules.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "rule": "温度差"}]})
    >>> from kotoba_code.coding import apply_codebook
    >>> apply_codebook(cb, Corpus.from_texts(["温度差がある"]), cache=False).counts.to_dict()
    {'gap': 1}
    """
    coder = RuleCoder(codebook)
    tokens = coder.tokenize(data, cache=cache, progress=progress) if isinstance(data, Corpus) else data
    return coder.code(tokens, unit=unit)
