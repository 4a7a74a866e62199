"""The seam every coder fits: ``code(tokens, unit=...) -> CodingResult``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.tokenize.tokens import Tokens


@runtime_checkable
class Coder(Protocol):
    """Anything that codes tokenized units: rules, a learned model, both.

    A coder returns a :class:`~kotoba_code.coding.result.CodingResult`, so
    tables, networks, synthesis, evaluation and exports work with any of them.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> from kotoba_code.coding import RuleCoder
    >>> isinstance(RuleCoder(Codebook.from_dict({"codes": [{"id": "a", "rule": "連携"}]})), Coder)
    True
    """

    def code(self, tokens: Tokens, *, unit: str = "document") -> CodingResult: ...
