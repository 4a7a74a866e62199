"""Coders: rules (and learned models) that code tokenized units.

Every coder has ``code(tokens, *, unit="document") -> CodingResult``
(:class:`~kotoba_code.coding.base.Coder`).
"""

from kotoba_code.coding.base import Coder
from kotoba_code.coding.lint import lint_codebook, lint_summary
from kotoba_code.coding.result import CodingResult, frequency_table
from kotoba_code.coding.rule_coder import RuleCoder, apply_codebook

__all__ = ["Coder", "CodingResult", "RuleCoder", "apply_codebook", "frequency_table", "lint_codebook", "lint_summary"]
