"""The seam every coder fits: ``code(tokens, unit=...) -> CodingResult``."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens


@runtime_checkable
class Coder(Protocol):
    """Anything that codes tokenized units: a codebook's rules, a learned model, both.

    A coder returns a :class:`~kotoba_code.coding.result.CodingResult`, so
    tables, networks, synthesis, evaluation and exports work with any of them.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> from kotoba_code.coding import LearnedCoder, RuleCoder
    >>> isinstance(RuleCoder(Codebook.from_dict({"codes": [{"id": "a", "rule": "連携"}]})), Coder)
    True
    >>> isinstance(LearnedCoder(), Coder)
    True
    """

    def code(self, tokens: Tokens, *, unit: str = "document") -> CodingResult: ...


def codebook_hash(codebook: Codebook) -> str:
    """A short hash of what decides a codebook's coding: codes, rules,
    synonyms, user words and the negation setting.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> len(codebook_hash(Codebook.load("welfare_employment")))
    16
    """
    data = {
        "codes": [[c.id, c.rule] for c in codebook.codes],
        "synonyms": codebook.synonyms,
        "user_words": codebook.user_words,
        "negation": codebook.negation,
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]
