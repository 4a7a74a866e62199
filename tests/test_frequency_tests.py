"""The chi-square tests of frequency and keyness tables equal SciPy's.

They are computed without importing ``scipy.stats`` (half a second of every
``freq --by`` and ``keyness`` run), so each is checked here against
``scipy.stats`` itself, on random tables small enough for Yates' correction
to be capped (|O - E| < 0.5) and large enough for tiny p-values.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kotoba_code.analysis.keyness import keyness_from_counts
from kotoba_code.coding.counts import _chi2_contingency, chi2_presence


@pytest.mark.parametrize("seed", range(40))
def test_chi2_contingency_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    scale = [3, 30, 3000][seed % 3]
    sizes = rng.integers(1, scale + 2, size=k).astype(float)
    present = np.minimum(rng.integers(0, scale + 2, size=k), sizes).astype(float)
    if present.sum() in (0, sizes.sum()):
        present[0] = 1 if present.sum() == 0 else sizes[0] - 1
    obs = np.vstack([present, sizes - present])
    assert (obs.sum(axis=1) > 0).all()  # chi2_presence returns NaN for an empty row before computing
    mine = _chi2_contingency(obs)
    ref = stats.chi2_contingency(obs, correction=True)
    # Exactly: the same operations in the same order.
    assert (mine[0], mine[1], mine[2]) == (ref.statistic, ref.pvalue, ref.dof)
    np.testing.assert_array_equal(mine[3], ref.expected_freq)


def test_yates_correction_capped_by_the_difference():
    # |O - E| = 0.25 in every cell: the correction removes it all, chi2 = 0, p = 1.
    obs = np.array([[1.0, 1.5], [1.0, 0.5]])
    chi2, p, dof, _ = _chi2_contingency(obs)
    ref = stats.chi2_contingency(obs, correction=True)
    assert (chi2, p, dof) == (ref.statistic, ref.pvalue, ref.dof) == (0.0, 1.0, 1)


def test_frequency_table_test_and_residuals_match_scipy():
    present, sizes = np.array([30.0, 10.0, 22.0]), np.array([50.0, 50.0, 40.0])
    chi, dof, p, resid = chi2_presence(present, sizes)
    ref = stats.chi2_contingency(np.vstack([present, sizes - present]), correction=True)
    assert (chi, dof, p) == (ref.statistic, ref.dof, ref.pvalue)
    assert p < 1e-3 and resid[1] < -2 < 2 < resid[0]


@pytest.mark.parametrize("measure", ["ll", "chi2"])
def test_keyness_p_values_are_scipys(measure):
    rng = np.random.default_rng(3)
    sizes = np.array([300, 200, 100])
    counts = rng.binomial(sizes[:, None], rng.uniform(0, 0.3, size=(3, 200)))
    counts[:, 0] = 0  # a term in no unit: score 0, p 1
    table = keyness_from_counts(counts, sizes, ["A", "B", "C"], [f"w{i}" for i in range(200)], measure=measure)
    assert len(table) == 600 and (table["p"] < 1e-6).any() and (table["p"] == 1).any()
    np.testing.assert_array_equal(table["p"].to_numpy(), stats.chi2.sf(table["score"].to_numpy(), 1))
