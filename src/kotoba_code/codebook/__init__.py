"""Codebooks as data: codes, rules parsed to an AST, codebook files.

Coding with them is :mod:`kotoba_code.coding` (``RuleCoder``, ``CodingResult``).
"""

from kotoba_code.codebook.model import Code, Codebook, LintWarning
from kotoba_code.codebook.rules import parse_rule

__all__ = ["Code", "Codebook", "LintWarning", "parse_rule"]
