"""Coders: rules, learned models and both together, each with
``code(tokens, *, unit="document") -> CodingResult``
(:class:`~kotoba_code.coding.base.Coder`), and the review queue.

The learned coders load on first use: they need scikit-learn, which a
process that only applies rules (a CLI command, a Dask worker) would load
for nothing (about 0.5 s and 20 MiB).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kotoba_code.coding.base import Coder, codebook_hash
from kotoba_code.coding.lint import lint_codebook, lint_summary
from kotoba_code.coding.result import CodingResult, frequency_table
from kotoba_code.coding.rule_coder import RuleCoder, apply_codebook

if TYPE_CHECKING:
    from kotoba_code.coding.hybrid import HybridCoder, load_coder, load_model
    from kotoba_code.coding.learned import LearnedCoder
    from kotoba_code.coding.persistence import save_model

_LAZY = {
    "HybridCoder": "kotoba_code.coding.hybrid",
    "load_coder": "kotoba_code.coding.hybrid",
    "load_model": "kotoba_code.coding.hybrid",
    "LearnedCoder": "kotoba_code.coding.learned",
    "save_model": "kotoba_code.coding.persistence",
}

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kotoba_code.coding' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
