"""What every coder offers: tokens in, a :class:`CodingResult` out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.codebook.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens


@runtime_checkable
class Coder(Protocol):
    """Anything that codes tokenized answers: a codebook's rules, a learned
    model, or both together.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> from kotoba_code.coding import LearnedCoder
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
    import hashlib
    import json

    data = {
        "codes": [[c.id, c.rule] for c in codebook.codes],
        "synonyms": codebook.synonyms,
        "user_words": codebook.user_words,
        "negation": codebook.negation,
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]
