"""Coders: rules, learned models and both together, and the review queue."""

from kotoba_code.coding.base import Coder, codebook_hash
from kotoba_code.coding.hybrid import HybridCoder
from kotoba_code.coding.learned import LearnedCoder
from kotoba_code.coding.persistence import load_coder, load_model, save_model

__all__ = ["Coder", "HybridCoder", "LearnedCoder", "codebook_hash", "load_coder", "load_model", "save_model"]
