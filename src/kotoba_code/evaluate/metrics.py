"""Agreement metrics of 0/1 decisions: Cohen's kappa, Krippendorff's alpha,
precision/recall/F1.

Conventions for degenerate cases: a code that neither side gives to any text
has precision, recall and F1 of 1 (nothing to find, nothing found); where two
raters agree on every text, kappa and alpha are 1 (both are 0/0 there, and
perfect agreement is what they measure). scikit-learn and ``krippendorff`` are
imported on first use, so importing this module stays light.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["cohen_kappa", "krippendorff_alpha", "prf"]


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two raters' 0/1 decisions; 1.0 where they agree on
    every item (kappa is 0/0 there).

    kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e
    the agreement expected from the raters' marginals (Cohen 1960,
    doi:10.1177/001316446002000104).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.5
    """
    a, b = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    if len(a) == 0 or np.array_equal(a, b):
        return 1.0
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=[0, 1]))


def krippendorff_alpha(*raters: Sequence[float]) -> float:
    """Krippendorff's alpha (nominal) of raters' 0/1 decisions on the same
    items; ``nan`` entries are missing ratings. 1.0 where all ratings agree.

    alpha = 1 - D_o / D_e, observed over expected disagreement (Krippendorff
    2011, Computing Krippendorff's Alpha-Reliability).

    Examples
    --------
    >>> round(krippendorff_alpha([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.533
    """
    data = np.asarray(raters, dtype=float)
    values = data[~np.isnan(data)]
    if values.size == 0 or np.all(values == values[0]):
        return 1.0
    # Items rated by fewer than two raters carry no pairable information.
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data[:, pairable], level_of_measurement="nominal"))


def prf(truth: Sequence[int], pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pred`` against ``truth`` (0/1), with
    zero_division=1 (see the module docstring).

    Examples
    --------
    >>> prf([1, 1, 0, 0], [1, 0, 1, 0])
    (0.5, 0.5, 0.5)
    """
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        np.asarray(truth, dtype=int), np.asarray(pred, dtype=int), average="binary", zero_division=1.0
    )
    return float(p), float(r), float(f)
