"""Coders: rules, learned models and both together, and the review queue."""

from kotoba_code.coding.base import Coder
from kotoba_code.coding.hybrid import HybridCoder, codebook_hash
from kotoba_code.coding.learned import LearnedCoder

__all__ = ["Coder", "HybridCoder", "LearnedCoder", "codebook_hash"]
