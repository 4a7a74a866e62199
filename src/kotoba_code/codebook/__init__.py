"""Codebooks, the coding-rule language and the coding engine."""

from kotoba_code.codebook.model import Code, Codebook, LintWarning
from kotoba_code.codebook.result import CodingResult
from kotoba_code.codebook.rules import parse_rule

__all__ = ["Code", "Codebook", "CodingResult", "LintWarning", "parse_rule"]
