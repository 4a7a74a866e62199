"""Tables and statistics computed from tokens and coded results."""

from kotoba_code.analysis.frequency import word_frequency

__all__ = ["word_frequency"]
