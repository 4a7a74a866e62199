"""Coders: rules, learned models and both together, each with
``code(tokens, *, unit="document") -> CodingResult``
(:class:`~kotoba_code.coding.base.Coder`), and the review queue.
"""

from kotoba_code.coding.base import Coder, codebook_hash
from kotoba_code.coding.hybrid import HybridCoder, load_coder, load_model
from kotoba_code.coding.learned import LearnedCoder
from kotoba_code.coding.lint import lint_codebook, lint_summary
from kotoba_code.coding.persistence import save_model
from kotoba_code.coding.result import CodingResult, frequency_table
from kotoba_code.coding.rule_coder import RuleCoder, apply_codebook

__all__ = [
    "Coder",
    "CodingResult",
    "HybridCoder",
    "LearnedCoder",
    "RuleCoder",
    "apply_codebook",
    "codebook_hash",
    "frequency_table",
    "lint_codebook",
    "lint_summary",
    "load_coder",
    "load_model",
    "save_model",
]
