"""Figures with readable Japanese labels (IPAexGothic from matplotlib-fontja)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def japanese_font() -> str:
    """Register the bundled Japanese font with matplotlib and return its family name."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib_fontja  # noqa: F401 - registers IPAexGothic as the default family
    from matplotlib import rcParams

    return str(rcParams["font.family"][0])


def plot_frequencies(table: pd.DataFrame, *, path: str | Path | None = None, ax: Any = None) -> Any:
    """Bar chart (no groups) or bubble chart (groups) of a frequency table from
    :meth:`CodingResult.frequencies`; returns the matplotlib Axes.

    With groups, bubble area is the percent of the group's units with the code
    and colour the adjusted standardized residual (red above, blue below the
    expected share).
    """
    japanese_font()
    import matplotlib.pyplot as plt
    import numpy as np

    groups = [c[len("percent:") :] for c in table.columns if c.startswith("percent:")]
    labels = table["label"].tolist()
    if ax is None:
        height = 0.35 * len(labels) + 1.2
        _, ax = plt.subplots(figsize=(7 if not groups else 2.2 + 1.6 * len(groups), height))
    y = np.arange(len(labels))[::-1]
    if not groups:
        ax.barh(y, table["percent"], color="#4C72B0")
        ax.set_xlabel("% of units")
        for yi, c, p in zip(y, table["count"], table["percent"], strict=True):
            ax.text(p, yi, f" {c}", va="center", fontsize=8)
    else:
        for j, g in enumerate(groups):
            pct = table[f"percent:{g}"].to_numpy(dtype=float)
            res = table.get(f"resid:{g}", pd.Series(np.zeros(len(pct)))).fillna(0).to_numpy(dtype=float)
            sc = ax.scatter(
                np.full(len(y), j),
                y,
                s=pct * 12 + 5,
                c=np.clip(res, -4, 4),
                cmap="coolwarm",
                vmin=-4,
                vmax=4,
                edgecolors="grey",
                linewidths=0.5,
            )
            for yi, p in zip(y, pct, strict=True):
                ax.text(j + 0.18, yi, f"{p:.0f}%", va="center", fontsize=7)
        ax.set_xticks(range(len(groups)), [f"{g}\n(n={int(table[f'n:{g}'].iloc[0])})" for g in groups])
        ax.set_xlim(-0.6, len(groups) - 0.2)
        ax.figure.colorbar(sc, ax=ax, label="adjusted residual", shrink=0.6)
    ax.set_yticks(y, labels)
    ax.figure.tight_layout()
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax
