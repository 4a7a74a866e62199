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


# Same figure, same bytes: a diff or a build cache then sees only real changes.
# The SVG backend names clip paths and glyphs by hashing with a salt that is
# random per process unless fixed, and stamps the date into the metadata.
_SVG_HASHSALT = "kotoba-code"
_NO_DATE = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}


def save_figure(fig: Any, path: str | Path, *, dpi: int = 150) -> Path:
    """Save ``fig`` by suffix (.png, .svg …) reproducibly: no date, fixed ids.

    Saving the same figure twice, in one process or in two, gives
    byte-identical files.

    Examples
    --------
    >>> import tempfile, os
    >>> japanese_font()
    'IPAexGothic'
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0]); _ = ax.set_title("温度差")
    >>> d = tempfile.mkdtemp()
    >>> a, b = save_figure(fig, os.path.join(d, "a.svg")), save_figure(fig, os.path.join(d, "b.svg"))
    >>> a.read_bytes() == b.read_bytes()
    True
    >>> plt.close(fig)
    """
    import matplotlib

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    with matplotlib.rc_context({"svg.hashsalt": _SVG_HASHSALT}):
        fig.savefig(path, dpi=dpi, metadata=_NO_DATE.get(fmt))
    return path


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
        save_figure(ax.figure, path)
    return ax


_PALETTE = [
    "#4C72B0",
    "#DD8452",
    "#55A868",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#8C8C8C",
    "#CCB974",
    "#64B5CD",
]


def network_layout(
    g: Any, *, seed: int = 0, width_in: float = 9.0, height_in: float = 7.5, font_pt: float = 9.0
) -> dict[Any, tuple[float, float]]:
    """A seeded force-directed layout, then nudged apart so that the label
    boxes (estimated from label length and font size) do not overlap."""
    import networkx as nx
    import numpy as np

    if g.number_of_nodes() == 0:
        return {}
    pos = nx.spring_layout(g, seed=seed, weight="weight", iterations=200, k=1.5 / max(g.number_of_nodes(), 1) ** 0.5)
    nodes = list(pos)
    xy = np.array([pos[n] for n in nodes], dtype=float)
    xy = (xy - xy.min(axis=0)) / np.maximum(np.ptp(xy, axis=0), 1e-9)  # unit square
    # Label box half-sizes in unit-square coordinates of a width_in × height_in plot.
    char_w = font_pt / 72 / (width_in * 0.85)
    line_h = 1.6 * font_pt / 72 / (height_in * 0.85)
    half_w = np.array([max(len(str(g.nodes[n].get("label", n))), 2) * char_w / 2 + 0.01 for n in nodes])
    half_h = np.full(len(nodes), line_h / 2 + 0.008)
    for _ in range(200):
        dx = xy[:, None, 0] - xy[None, :, 0]
        dy = xy[:, None, 1] - xy[None, :, 1]
        over_x = half_w[:, None] + half_w[None, :] - np.abs(dx)
        over_y = half_h[:, None] + half_h[None, :] - np.abs(dy)
        clash = (over_x > 0) & (over_y > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        # Separate along the axis that needs the smaller move.
        move_y = clash & (over_y <= over_x)
        move_x = clash & ~move_y
        sign_x = np.where(dx >= 0, 1.0, -1.0)
        sign_y = np.where(dy >= 0, 1.0, -1.0)
        xy[:, 0] += 0.5 * (np.where(move_x, over_x * sign_x, 0.0)).sum(axis=1) / np.maximum(clash.sum(axis=1), 1)
        xy[:, 1] += 0.5 * (np.where(move_y, over_y * sign_y, 0.0)).sum(axis=1) / np.maximum(clash.sum(axis=1), 1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


def plot_network(g: Any, *, seed: int = 0, ax: Any = None, title: str = "") -> Any:
    """Draw a co-occurrence network: node size by frequency, colour by
    community, edge width by weight, Japanese labels. Returns the Axes."""
    japanese_font()
    import matplotlib.pyplot as plt
    import networkx as nx

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7.5))
    pos = network_layout(g, seed=seed)
    freq = [g.nodes[n].get("frequency", 1) for n in g.nodes]
    top = max(freq) if freq else 1
    sizes = [80 + 900 * (f / top) ** 0.5 for f in freq]
    colors = [
        "#dddddd" if g.nodes[n].get("kind") == "group" else _PALETTE[g.nodes[n].get("community", 0) % len(_PALETTE)]
        for n in g.nodes
    ]
    weights = [d.get("weight", 1.0) for _, _, d in g.edges(data=True)]
    wmax = max(weights) if weights else 1.0
    nx.draw_networkx_edges(
        g, pos, ax=ax, width=[0.6 + 3.0 * w / wmax for w in weights], edge_color="#999999", alpha=0.7
    )
    nx.draw_networkx_nodes(
        g, pos, ax=ax, node_size=sizes, node_color=colors, edgecolors="white", linewidths=0.8, alpha=0.9
    )
    nx.draw_networkx_labels(
        g, pos, ax=ax, labels={n: g.nodes[n].get("label", n) for n in g.nodes}, font_size=9, font_family=japanese_font()
    )
    ax.set_title(
        title
        or f"{g.graph.get('measure', '')} co-occurrence network ({g.number_of_nodes()} nodes, "
        f"{g.number_of_edges()} edges)",
        fontsize=10,
    )
    ax.axis("off")
    ax.figure.tight_layout()
    return ax


def network_html(g: Any, *, seed: int = 0, title: str = "") -> str:
    """A self-contained interactive HTML page (inline SVG and script, no
    network access needed): hover a node to highlight its neighbours and see
    its attributes. All labels are escaped."""
    import html
    import json

    pos = network_layout(g, seed=seed)
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    else:
        x0 = x1 = y0 = y1 = 0.0
    w, h, pad = 960, 720, 60

    def sx(x: float) -> float:
        return pad + (x - x0) / ((x1 - x0) or 1) * (w - 2 * pad)

    def sy(y: float) -> float:
        return pad + (y1 - y) / ((y1 - y0) or 1) * (h - 2 * pad)

    freq = [g.nodes[n].get("frequency", 1) for n in g.nodes] or [1]
    top = max(freq)
    nodes = [
        {
            "id": str(n),
            "label": str(g.nodes[n].get("label", n)),
            "x": round(sx(pos[n][0]), 1),
            "y": round(sy(pos[n][1]), 1),
            "r": round(6 + 22 * (g.nodes[n].get("frequency", 1) / top) ** 0.5, 1),
            "color": "#dddddd"
            if g.nodes[n].get("kind") == "group"
            else _PALETTE[g.nodes[n].get("community", 0) % len(_PALETTE)],
            "attrs": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in g.nodes[n].items()},
        }
        for n in g.nodes
    ]
    edges = [{"s": str(a), "t": str(b), "w": round(float(d.get("weight", 1.0)), 4)} for a, b, d in g.edges(data=True)]
    # json.dumps escapes nothing for HTML: make "</script>" inside data harmless.
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
    heading = html.escape(title or "Co-occurrence network")
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:sans-serif;margin:1em}}svg{{border:1px solid #ddd}}
line{{stroke:#999;stroke-opacity:.6}}.dim{{opacity:.15}}text{{font-size:12px;pointer-events:none}}
#info{{white-space:pre;font-family:monospace;font-size:12px;min-height:3em}}</style></head>
<body><h1>{heading}</h1><svg id="net" width="{w}" height="{h}"></svg><div id="info"></div>
<script>
const data = {data};
const svg = document.getElementById("net"), info = document.getElementById("info");
const NS = "http://www.w3.org/2000/svg", byId = {{}};
data.nodes.forEach(n => byId[n.id] = n);
const lines = data.edges.map(e => {{
  const l = document.createElementNS(NS, "line"), a = byId[e.s], b = byId[e.t];
  l.setAttribute("x1", a.x); l.setAttribute("y1", a.y); l.setAttribute("x2", b.x); l.setAttribute("y2", b.y);
  l.setAttribute("stroke-width", 1 + 4 * e.w); svg.appendChild(l); return {{el: l, e}};
}});
const groups = data.nodes.map(n => {{
  const g = document.createElementNS(NS, "g"), c = document.createElementNS(NS, "circle"),
        t = document.createElementNS(NS, "text");
  c.setAttribute("cx", n.x); c.setAttribute("cy", n.y); c.setAttribute("r", n.r); c.setAttribute("fill", n.color);
  t.setAttribute("x", n.x); t.setAttribute("y", n.y + 4); t.setAttribute("text-anchor", "middle");
  t.textContent = n.label;  // textContent: respondent words are never parsed as markup
  g.appendChild(c); g.appendChild(t); svg.appendChild(g);
  g.addEventListener("mouseenter", () => highlight(n.id));
  g.addEventListener("mouseleave", () => highlight(null));
  return {{el: g, n}};
}});
function highlight(id) {{
  const near = new Set([id]);
  lines.forEach(({{e}}) => {{ if (e.s === id) near.add(e.t); if (e.t === id) near.add(e.s); }});
  groups.forEach(({{el, n}}) => el.classList.toggle("dim", id !== null && !near.has(n.id)));
  lines.forEach(({{el, e}}) => el.classList.toggle("dim", id !== null && e.s !== id && e.t !== id));
  info.textContent = id === null ? "" : JSON.stringify(byId[id].attrs, null, 1);
}}
</script></body></html>
"""
