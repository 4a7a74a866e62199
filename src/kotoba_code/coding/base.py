"""What every coder offers: tokens in, a :class:`CodingResult` out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
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
