"""Frequency tables from unit counts that add up across parts of a corpus.

A code's frequency table only needs, per group, the number of units and the
number of units with each code. Those sums add up across any split of the
corpus into documents, so a corpus read in chunks (``kotoba-code freq`` on a
file larger than memory), coded on Dask partitions or in local processes
gives exactly the table of the whole corpus in memory: every path counts
with :func:`unit_counts`, adds with :func:`sum_counts` and builds the table
with :func:`frequencies_from_counts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from kotoba_code.corpus import INTERVIEWER_SPEAKERS

__all__ = ["N_UNITS", "chi2_presence", "frequencies_from_counts", "frequency_table", "sum_counts", "unit_counts"]

# Column of the units per group in a table of unit counts.
N_UNITS = "__n__"


def unit_counts(keys: np.ndarray, matrix: np.ndarray, codes: Sequence[str]) -> pd.DataFrame:
    """Units and units with each code per group: one row per distinct key.

    ``keys`` holds each unit's group as text (``""`` for none), ``matrix`` is
    units × codes (0/1 or boolean).

    Examples
    --------
    >>> unit_counts(np.array(["a", "b", "a"], dtype=object), np.array([[1], [0], [1]]), ["k"]).to_dict("index")
    {'a': {'__n__': 2, 'k': 2}, 'b': {'__n__': 1, 'k': 0}}
    """
    codes = list(codes)
    codes_idx, uniques = pd.factorize(np.asarray(keys, dtype=object), sort=True)
    k = len(uniques)
    m = np.asarray(matrix)
    table = np.zeros((k, len(codes) + 1), dtype=np.int64)
    table[:, 0] = np.bincount(codes_idx, minlength=k)
    for j in range(len(codes)):
        col = m[:, j]
        table[:, j + 1] = np.bincount(codes_idx, weights=col.astype(np.int64), minlength=k).astype(np.int64)
    index = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    return pd.DataFrame(table, index=index, columns=[N_UNITS, *codes])


def sum_counts(parts: Iterable[pd.DataFrame], codes: Sequence[str]) -> pd.DataFrame:
    """The sum of tables of :func:`unit_counts`, one row per group, sorted.

    Examples
    --------
    >>> a = unit_counts(np.array(["x"], dtype=object), np.array([[1]]), ["k"])
    >>> b = unit_counts(np.array(["x", "y"], dtype=object), np.array([[0], [1]]), ["k"])
    >>> sum_counts([a, b], ["k"]).to_dict("index")
    {'x': {'__n__': 2, 'k': 1}, 'y': {'__n__': 1, 'k': 1}}
    """
    frames = list(parts)
    columns = [N_UNITS, *codes]
    if not frames:
        return pd.DataFrame(
            np.zeros((0, len(columns)), dtype=np.int64), columns=columns, index=pd.Index([], dtype=object)
        )
    return pd.concat(frames)[columns].groupby(level=0, sort=True).sum().astype(np.int64)


def frequencies_from_counts(
    codes: Sequence[str], labels: Sequence[str], totals: pd.DataFrame, by: str | None, *, interviewers: bool = False
) -> pd.DataFrame:
    """The table of :meth:`CodingResult.frequencies` from summed unit counts.

    ``totals`` is a table of :func:`unit_counts` (or its :func:`sum_counts`):
    one row per group. Without ``by`` every row counts; with ``by``, units
    with an empty value are left out, and a group without units is none. By
    ``speaker``, the interviewer's turns are left out unless ``interviewers``
    (:data:`~kotoba_code.corpus.INTERVIEWER_SPEAKERS`).

    Examples
    --------
    >>> t = unit_counts(np.array(["x", "y"], dtype=object), np.array([[1], [0]]), ["k"])
    >>> frequencies_from_counts(["k"], ["ノウハウ"], t, None).values.tolist()
    [['k', 'ノウハウ', 1, 50.0]]
    """
    codes = list(codes)
    if by is None:
        n = int(totals[N_UNITS].sum()) if len(totals) else 0
        counts = totals[codes].sum().to_numpy(np.int64) if len(totals) else np.zeros(len(codes), dtype=np.int64)
        return frequency_table(codes, list(labels), counts[:, None], np.array([n]), None)
    groups = totals[(totals.index != "") & (totals[N_UNITS] > 0)]
    if by == "speaker" and not interviewers:
        groups = groups[~groups.index.isin(INTERVIEWER_SPEAKERS)]
    names = sorted(groups.index.tolist())
    table = (
        np.column_stack([groups.loc[g, codes].to_numpy(np.int64) for g in names])
        if names
        else np.zeros((len(codes), 0))
    )
    sizes = np.array([int(groups.loc[g, N_UNITS]) for g in names])
    return frequency_table(codes, list(labels), table, sizes, names)


def frequency_table(
    codes: list[str],
    labels: list[str],
    table: np.ndarray,
    sizes: np.ndarray,
    names: list[str] | None,
) -> pd.DataFrame:
    """The frequency table of :meth:`CodingResult.frequencies` from counts:
    ``table`` is codes × groups (units with the code), ``sizes`` the units per
    group; ``names`` None for the table without groups (one column of counts,
    ``sizes`` = [all units])."""
    table = np.asarray(table, dtype=np.int64)
    if names is None:
        n = int(sizes[0])
        counts = table[:, 0] if table.size else np.zeros(len(codes), dtype=np.int64)
        return pd.DataFrame(
            {"code": codes, "label": labels, "count": counts, "percent": np.round(100 * counts / n, 2) if n else 0.0}
        )
    k = len(codes)
    # Columns gathered first and framed once: inserting them one by one
    # fragments the frame (and warns) with many groups.
    cols: dict[str, object] = {"code": codes, "label": labels}
    for j, g in enumerate(names):
        cols[f"n:{g}"] = np.full(k, int(sizes[j]), dtype=np.int64)
        cols[f"count:{g}"] = table[:, j]
        cols[f"percent:{g}"] = np.round(100 * table[:, j] / sizes[j], 2) if sizes[j] else np.zeros(k)
    tests = [chi2_presence(table[i], sizes) for i in range(k)]
    cols["chi2"] = [t[0] for t in tests]
    cols["dof"] = [t[1] for t in tests]
    cols["p"] = [t[2] for t in tests]
    for j, g in enumerate(names):
        cols[f"resid:{g}"] = [t[3][j] if len(t[3]) else np.nan for t in tests]
    return pd.DataFrame(cols)


def chi2_presence(present: np.ndarray, sizes: np.ndarray) -> tuple[float, int, float, np.ndarray]:
    """Chi-square test of a 2 × k table (code present/absent × group).

    Returns ``(chi2, dof, p, adjusted standardized residuals of 'present')``.
    Yates' continuity correction is applied for 2 × 2 tables; groups with no
    units are dropped. A code present in no unit or in every unit has no test
    (NaN).

    The adjusted residual of cell (i, j) is
    ``(O - E) / sqrt(E (1 - r_i / N) (1 - c_j / N))`` (Haberman 1973).

    Examples
    --------
    >>> chi, dof, p, r = chi2_presence(np.array([30, 10]), np.array([50, 50]))
    >>> round(chi, 3), dof, round(p, 5)
    (15.042, 1, 0.00011)
    """
    present = np.asarray(present, dtype=float)
    sizes = np.asarray(sizes, dtype=float)
    keep = sizes > 0
    obs = np.vstack([present[keep], sizes[keep] - present[keep]])
    if obs.shape[1] < 2 or obs[0].sum() == 0 or obs[1].sum() == 0:
        return float("nan"), 0, float("nan"), np.full(len(sizes), np.nan)
    chi2, p, dof, expected = _chi2_contingency(obs)
    total = obs.sum()
    row = obs.sum(axis=1, keepdims=True)
    col = obs.sum(axis=0, keepdims=True)
    resid = (obs - expected) / np.sqrt(expected * (1 - row / total) * (1 - col / total))
    full = np.full(len(sizes), np.nan)
    full[keep] = resid[0]
    return float(chi2), int(dof), float(p), np.round(full, 3)


def _chi2_contingency(obs: np.ndarray) -> tuple[float, float, int, np.ndarray]:
    """``scipy.stats.chi2_contingency(obs, correction=True)`` for a 2 × k
    table of floats (k ≥ 2) with no empty row or column, computed as SciPy
    does: Pearson's chi-square, Yates' correction when there is one degree of
    freedom, the p-value from the chi-square survival function of
    ``scipy.special``.

    Written out because importing ``scipy.stats`` takes about 0.5 s, a fifth
    of a ``freq --by`` run on a few thousand answers; ``scipy.special`` takes
    0.07 s. tests/test_frequency_tests.py checks it equals SciPy's on random tables.
    """
    from scipy.special import chdtrc  # here: a command without tests never needs it

    expected = np.multiply(obs.sum(axis=1, keepdims=True), obs.sum(axis=0, keepdims=True)) / obs.sum()
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    if dof == 1:
        diff = expected - obs
        obs = obs + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    chi2 = float(((obs - expected) ** 2 / expected).sum())
    return chi2, float(chdtrc(dof, chi2)), int(dof), expected
