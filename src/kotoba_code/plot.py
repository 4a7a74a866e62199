"""Figures with readable Japanese labels (IPAexGothic from matplotlib-fontja)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from kotoba_code.i18n import TEXTS, check_language
from kotoba_code.i18n import t as _t


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
        # bbox "tight": titles, colour-bar labels and legends outside the axes
        # are never cut off at the figure's edge.
        fig.savefig(path, dpi=dpi, metadata=_NO_DATE.get(fmt), bbox_inches="tight", pad_inches=0.15)
    return path


def plot_frequencies(
    table: pd.DataFrame, *, path: str | Path | None = None, ax: Any = None, lang: str | None = None
) -> Any:
    """Bar chart (no groups) or bubble chart (groups) of a frequency table from
    :meth:`CodingResult.frequencies`; returns the matplotlib Axes.

    With groups, bubble area is the percent of the group's units with the code
    and colour the adjusted standardized residual (red above, blue below the
    expected share); each group is labelled with its N. Headings are in
    Japanese unless ``lang="en"`` (default: :func:`kotoba_code.i18n.get_language`).
    """
    lang = check_language(lang)
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
        ax.set_xlabel(_t("axis_percent", lang))
        for yi, c, p in zip(y, table["count"], table["percent"], strict=True):
            ax.text(p, yi, f" {c}（{p:.1f}%）" if lang == "ja" else f" {c} ({p:.1f}%)", va="center", fontsize=8)
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
                ax.text(j + 0.18, yi, f"{p:.1f}%", va="center", fontsize=7)
        ax.set_xticks(range(len(groups)), [f"{g}\n(N={int(table[f'n:{g}'].iloc[0]):,})" for g in groups])
        ax.set_xlim(-0.6, len(groups) - 0.1)
        bar = ax.figure.colorbar(sc, ax=ax, shrink=0.6, pad=0.04)
        # The label goes above the bar, horizontal: a rotated label at the
        # right edge was cut off in the saved figure.
        bar.ax.set_title(_t("residual", lang), fontsize=8, loc="left")
        ax.set_title(_t("freq_title", lang), fontsize=10)
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
# Communities past the palette share one light grey, listed once in the
# legend, rather than reusing the first colours (an 11th community in the
# colour of the 1st reads as part of it).
_OTHER_COMMUNITY = "#D9D9D9"


def _community_colour(k: int) -> str:
    return _PALETTE[k] if 0 <= k < len(_PALETTE) else _OTHER_COMMUNITY


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


def plot_network(g: Any, *, seed: int = 0, ax: Any = None, title: str = "", lang: str | None = None) -> Any:
    """Draw a co-occurrence network: node size by frequency, colour by
    community, edge width by the coefficient, Japanese labels, and a legend
    saying so. Group nodes of a words × group network are drawn as dark
    squares with bold labels, unlike the word nodes. Returns the Axes."""
    japanese_font()
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    lang = check_language(lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7.5))
    pos = network_layout(g, seed=seed)
    freq = [g.nodes[n].get("frequency", 1) for n in g.nodes]
    top = max(freq) if freq else 1
    size = {n: 80 + 900 * (f / top) ** 0.5 for n, f in zip(g.nodes, freq, strict=True)}
    groups = [n for n in g.nodes if g.nodes[n].get("kind") == "group"]
    others = [n for n in g.nodes if g.nodes[n].get("kind") != "group"]
    # Words × a variable (KH Coder's external-variable network): words are
    # coloured by whether several groups share them. Otherwise a boxed node is
    # the term searched for (related words) and colours are communities.
    by_groups = bool(groups) and "by" in g.graph
    weights = [d.get("weight", 1.0) for _, _, d in g.edges(data=True)]
    wmax = max(weights) if weights else 1.0
    wmin = min(weights) if weights else 1.0
    nx.draw_networkx_edges(
        g, pos, ax=ax, width=[0.6 + 3.0 * w / wmax for w in weights], edge_color="#999999", alpha=0.7
    )
    communities = sorted({int(g.nodes[n].get("community", 0)) for n in others})
    shared = [n for n in others if g.nodes[n].get("shared")]
    nx.draw_networkx_nodes(
        g,
        pos,
        nodelist=others,
        ax=ax,
        node_size=[size[n] for n in others],
        node_color=[
            (_PALETTE[0] if g.nodes[n].get("shared") else "#bbbbbb")
            if by_groups
            else _community_colour(int(g.nodes[n].get("community", 0)))
            for n in others
        ],
        edgecolors="white",
        linewidths=0.8,
        alpha=0.9,
    )
    nx.draw_networkx_labels(
        g, pos, ax=ax, labels={n: g.nodes[n].get("label", n) for n in others}, font_size=9, font_family=japanese_font()
    )
    if groups:
        # Groups are dark boxes around their name, so a group and a word of
        # the same form (自治体) are never confused.
        nx.draw_networkx_labels(
            g,
            pos,
            ax=ax,
            labels={n: g.nodes[n].get("label", n) for n in groups},
            font_size=11,
            font_color="white",
            font_family=japanese_font(),
            bbox={"boxstyle": "square,pad=0.5", "facecolor": "#333333", "edgecolor": "black"},
        )
    measure = str(g.graph.get("measure", ""))
    measure_name = _t(f"measure:{measure}", lang) if f"measure:{measure}" in TEXTS else measure
    ax.set_title(
        title
        or _t(
            "network_title_groups" if by_groups else "network_title",
            lang,
            measure=measure_name,
            nodes=g.number_of_nodes(),
            edges=g.number_of_edges(),
        ),
        fontsize=10,
    )
    # Legend: what colour, edge width and node size mean.
    handles, names = [], []
    if groups and not by_groups:
        handles.append(Line2D([], [], marker="s", ls="", color="#333333", markersize=10))
        names.append(_t("legend_target", lang))
    if by_groups:
        handles.append(Line2D([], [], marker="s", ls="", color="#333333", markersize=10))
        names.append(_t("legend_group", lang))
        handles.append(Line2D([], [], marker="o", ls="", color=_PALETTE[0], markersize=8))
        names.append(_t("legend_shared_word", lang))
        if len(shared) < len(others):
            handles.append(Line2D([], [], marker="o", ls="", color="#bbbbbb", markersize=8))
            names.append(_t("legend_word", lang))
    if not by_groups and len(communities) > 1:
        for c in communities[: len(_PALETTE)]:
            handles.append(Line2D([], [], marker="o", ls="", color=_community_colour(c), markersize=8))
            names.append(_t("legend_community", lang, k=c + 1))
        if len(communities) > len(_PALETTE):
            handles.append(Line2D([], [], marker="o", ls="", color=_OTHER_COMMUNITY, markersize=8))
            names.append(_t("legend_community_other", lang))
    if weights:
        for w in sorted({wmin, wmax}):
            handles.append(Line2D([], [], color="#999999", lw=0.6 + 3.0 * w / wmax))
            names.append(_t("legend_edge", lang, measure=measure_name, w=w))
    handles.append(Line2D([], [], marker="o", ls="", color="#cccccc", markersize=6))
    names.append(_t("legend_size", lang))
    ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
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
            else _community_colour(int(g.nodes[n].get("community", 0))),
            "attrs": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in g.nodes[n].items()},
        }
        for n in g.nodes
    ]
    edges = [{"s": str(a), "t": str(b), "w": round(float(d.get("weight", 1.0)), 4)} for a, b, d in g.edges(data=True)]
    # json.dumps escapes nothing for HTML: make "</script>" inside data harmless.
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
    heading = html.escape(title or _t("network_html_title"))
    # The same legend as the figures: what colours, line widths and circle sizes mean.
    items = []
    kinds = {g.nodes[n].get("kind") for n in g.nodes}
    if "group" in kinds:
        items.append(f'<span class="sw" style="background:#dddddd"></span>{html.escape(_t("legend_group"))}')
    communities = sorted({g.nodes[n].get("community", 0) for n in g.nodes if g.nodes[n].get("kind") != "group"})
    for k in communities[: len(_PALETTE)]:
        colour = _community_colour(k)
        items.append(
            f'<span class="sw" style="background:{colour}"></span>{html.escape(_t("legend_community", k=k + 1))}'
        )
    if len(communities) > len(_PALETTE):
        other = html.escape(_t("legend_community_other"))
        items.append(f'<span class="sw" style="background:{_OTHER_COMMUNITY}"></span>{other}')
    if edges:
        measure = _t(f"measure:{g.graph.get('measure', 'jaccard')}") if g.graph.get("measure") else ""
        lo, hi = min(e["w"] for e in edges), max(e["w"] for e in edges)
        items.append(html.escape(_t("legend_edge", measure=measure, w=lo) + " – " + f"{hi:.2f}"))
    items.append(html.escape(_t("legend_size")))
    legend = '<div id="legend">' + "".join(f'<span class="item">{i}</span>' for i in items) + "</div>"
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:sans-serif;margin:1em}}svg{{border:1px solid #ddd}}
line{{stroke:#999;stroke-opacity:.6}}.dim{{opacity:.15}}text{{font-size:12px;pointer-events:none}}
#info{{white-space:pre;font-family:monospace;font-size:12px;min-height:3em}}
#legend{{margin:.5em 0;font-size:13px}}.item{{margin-right:1.2em;white-space:nowrap}}
.sw{{display:inline-block;width:.9em;height:.9em;border-radius:50%;margin-right:.3em;vertical-align:middle}}</style></head>
<body><h1>{heading}</h1>{legend}<svg id="net" width="{w}" height="{h}"></svg><div id="info"></div>
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


# --- Multivariate analyses: correspondence analysis, MDS, dendrograms -------

# Cluster colours: the palette without its grey (grey marks links above the cut), then more.
_CLUSTER_COLORS = [c for c in _PALETTE if c != "#8C8C8C"] + ["#2F4B7C", "#A05195", "#7A9A01", "#D45087"]


def _cluster_color(k: int) -> str:
    return _CLUSTER_COLORS[(k - 1) % len(_CLUSTER_COLORS)] if k > 0 else "#4C72B0"


def place_labels(ax: Any, x: Any, y: Any, labels: list[str], *, fontsize: float = 9.0, **text_kw: Any) -> list[Any]:
    """Write ``labels`` next to the points (x, y) and move them apart so that
    none overlaps another (adjustText, with a deterministic separation pass
    after it); a thin line joins a moved label to its point."""
    from adjustText import adjust_text

    texts = [
        ax.text(float(xi), float(yi), str(lab), fontsize=fontsize, ha="center", va="center", **text_kw)
        for xi, yi, lab in zip(x, y, labels, strict=True)
    ]
    if len(texts) > 1:
        adjust_text(
            texts,
            x=list(map(float, x)),
            y=list(map(float, y)),
            ax=ax,
            expand=(1.1, 1.3),
            force_text=(0.3, 0.5),
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.5},
            iter_lim=400,
        )
        _separate_labels(ax, texts)
    return texts


def _separate_labels(ax: Any, texts: list[Any], rounds: int = 300) -> None:
    """Push apart label boxes that still overlap (adjustText stops at its
    iteration limit), in display coordinates, moving each pair along the
    axis that needs the smaller move."""
    import numpy as np

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for _ in range(rounds):
        boxes = np.array([t.get_window_extent(renderer).extents for t in texts])  # x0 y0 x1 y1
        pad = 1.0
        ox = np.minimum(boxes[:, None, 2], boxes[None, :, 2]) - np.maximum(boxes[:, None, 0], boxes[None, :, 0]) + pad
        oy = np.minimum(boxes[:, None, 3], boxes[None, :, 3]) - np.maximum(boxes[:, None, 1], boxes[None, :, 1]) + pad
        clash = (ox > 0) & (oy > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            return
        cx = (boxes[:, 0] + boxes[:, 2]) / 2
        cy = (boxes[:, 1] + boxes[:, 3]) / 2
        dx = cx[:, None] - cx[None, :]
        dy = cy[:, None] - cy[None, :]
        # Ties (identical centres) are broken by position in the list, so the result is deterministic.
        idx = np.arange(len(texts))
        tie = np.where(idx[:, None] > idx[None, :], 1.0, -1.0)
        move_y = clash & (oy <= ox)
        move_x = clash & ~move_y
        shift_x = (np.where(move_x, ox * np.where(dx != 0, np.sign(dx), tie), 0.0) / 2).sum(axis=1)
        shift_y = (np.where(move_y, oy * np.where(dy != 0, np.sign(dy), tie), 0.0) / 2).sum(axis=1)
        for t, sx, sy in zip(texts, shift_x, shift_y, strict=True):
            if sx or sy:
                px, py = ax.transData.transform(t.get_position())
                t.set_position(inv.transform((px + sx, py + sy)))


def label_overlaps(ax: Any) -> list[tuple[str, str]]:
    """Pairs of text labels in ``ax`` whose boxes overlap (for checking figures)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text().strip() and t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5:
                out.append((texts[i].get_text(), texts[j].get_text()))
    return out


def _bubble_sizes(freq: Any, *, smallest: float = 30.0, largest: float = 900.0) -> Any:
    """Marker areas proportional to frequency (a bubble's area, not its radius, is read as size)."""
    import numpy as np

    f = np.asarray(freq, dtype=float)
    top = f.max() if len(f) and f.max() > 0 else 1.0
    return smallest + (largest - smallest) * f / top


def plot_correspondence(
    ca: Any,
    *,
    dims: tuple[int, int] = (1, 2),
    row_kind: str = "グループ",
    column_kind: str = "語",
    title: str = "",
    path: str | Path | None = None,
    ax: Any = None,
) -> Any:
    """Correspondence-analysis map: columns (words or codes) as bubbles sized
    by frequency, rows (groups) as red squares, origin cross-hairs, and the
    explained inertia on the axes. Returns the Axes.

    With one dimension only (two groups), the words are spread along it and
    drawn against their frequency, so the map stays readable.
    """
    japanese_font()
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7.5))
    d1, d2 = dims
    c1 = f"dim{d1}"
    one_dim = f"dim{d2}" not in ca.columns.columns
    col_freq = ca.table.sum(axis=0).loc[ca.columns.index].to_numpy(dtype=float)
    cx = ca.columns[c1].to_numpy()
    rx = ca.rows[c1].to_numpy()
    if one_dim:
        from matplotlib.ticker import FuncFormatter

        ax.set_yscale("log")
        # Plain counts on the log axis: "200", not "2 × 10²".
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        cy = np.maximum(col_freq, 1.0)
        ry = np.full(len(rx), max(col_freq.max(), 1.0) * 1.6)
    else:
        cy = ca.columns[f"dim{d2}"].to_numpy()
        ry = ca.rows[f"dim{d2}"].to_numpy()
    ax.axhline(0 if not one_dim else np.nan, color="#999999", lw=0.8, ls="--", zorder=0)
    ax.axvline(0, color="#999999", lw=0.8, ls="--", zorder=0)
    ax.scatter(
        cx, cy, s=_bubble_sizes(col_freq), color="#4C72B0", alpha=0.35, edgecolors="#4C72B0", linewidths=0.6, zorder=2
    )
    ax.scatter(rx, ry, s=90, marker="s", color="#C44E52", edgecolors="white", linewidths=0.8, zorder=3)
    xs = np.concatenate([cx, rx])
    ys = np.concatenate([cy, ry])
    span_x = np.ptp(xs) or 1.0
    ax.set_xlim(xs.min() - 0.12 * span_x, xs.max() + 0.12 * span_x)
    if one_dim:
        ax.set_ylim(ys.min() / 1.6, ys.max() * 1.6)
    else:
        span_y = np.ptp(ys) or 1.0
        ax.set_ylim(ys.min() - 0.12 * span_y, ys.max() + 0.12 * span_y)
    labels = [str(s) for s in ca.columns.index] + [str(s) for s in ca.rows.index]
    texts = place_labels(ax, xs, ys, labels, fontsize=9)
    for t in texts[len(cx) :]:
        t.set_color("#A02020")
        t.set_fontsize(10)
    _separate_labels(ax, texts)
    ev = ca.explained
    ax.set_xlabel(f"成分{d1}（{ev.loc[d1] * 100:.2f}%）")
    ax.set_ylabel("度数（対数目盛）" if one_dim else f"成分{d2}（{ev.loc[d2] * 100:.2f}%）")
    ax.set_title(title or f"対応分析：{column_kind} × {row_kind}（{len(cx)}{column_kind}、{len(rx)}群）", fontsize=11)
    # Legend for bubble sizes: three round frequencies spanning the range.
    top = col_freq.max() if len(col_freq) else 1
    marks = sorted({_round_nice(top), _round_nice(top / 3), _round_nice(top / 10)} - {0})
    sizes = _bubble_sizes([*marks, top])[:-1]
    handles = [ax.scatter([], [], s=s, color="#4C72B0", alpha=0.35, edgecolors="#4C72B0") for s in sizes]
    ax.legend(
        handles,
        [f"{m:,}" for m in marks],
        title="度数",
        loc="best",
        labelspacing=1.3,
        borderpad=1.0,
        fontsize=8,
        title_fontsize=8,
    )
    ax.figure.tight_layout()
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax


def _round_nice(v: float) -> int:
    """A round number near v (1, 2 or 5 × a power of ten)."""
    import math

    if v < 1:
        return 0
    p = 10 ** math.floor(math.log10(v))
    return int(min((1, 2, 5, 10), key=lambda m: abs(m * p - v)) * p)


def plot_mds(result: Any, *, title: str = "", path: str | Path | None = None, ax: Any = None) -> Any:
    """MDS map: bubbles sized by frequency, coloured by cluster, labels kept
    apart, stress in the title. Returns the Axes."""
    japanese_font()
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7.5))
    xy = result.coordinates.to_numpy()
    x = xy[:, 0]
    y = xy[:, 1] if xy.shape[1] > 1 else np.zeros(len(x))
    clusters = result.clusters.to_numpy()
    colors = [_cluster_color(int(c)) for c in clusters]
    ax.scatter(
        x,
        y,
        s=_bubble_sizes(result.frequency.to_numpy()),
        c=colors,
        alpha=0.45,
        edgecolors=colors,
        linewidths=0.6,
        zorder=2,
    )
    span_x, span_y = (np.ptp(x) or 1.0), (np.ptp(y) or 1.0)
    ax.set_xlim(x.min() - 0.12 * span_x, x.max() + 0.12 * span_x)
    ax.set_ylim(y.min() - 0.12 * span_y, y.max() + 0.12 * span_y)
    place_labels(ax, x, y, [str(s) for s in result.coordinates.index], fontsize=9)
    names = {"nonmetric": "Kruskal 非計量", "metric": "計量", "classical": "古典的（Torgerson）"}
    ax.set_title(
        title
        or f"多次元尺度構成法：{names.get(result.method, result.method)}、Jaccard 距離（stress = {result.stress:.3f}）",
        fontsize=11,
    )
    ax.set_xlabel("次元1")
    ax.set_ylabel("次元2")
    if (clusters > 0).any():
        from matplotlib.lines import Line2D

        ks = sorted(set(clusters.tolist()))
        handles = [Line2D([], [], marker="o", ls="", color=_cluster_color(k), alpha=0.6, markersize=8) for k in ks]
        ax.legend(handles, [f"クラスター{k}" for k in ks], loc="best", fontsize=8, framealpha=0.8)
    ax.figure.tight_layout()
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax


def plot_dendrogram(result: Any, *, title: str = "", path: str | Path | None = None, ax: Any = None) -> Any:
    """Dendrogram of a :class:`~kotoba_code.analysis.clustering.ClusterResult`,
    drawn sideways so Japanese labels read horizontally, branches coloured by
    cluster, the cut marked, and each term's frequency beside its label."""
    japanese_font()
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram

    n = len(result.membership)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(4.0, 0.26 * n + 1.5)))
    labels = list(result.distances.index)
    freq = dict(zip(result.membership["label"], result.membership["frequency"], strict=True))
    cluster_of = dict(zip(result.membership["label"], result.membership["cluster"], strict=True))
    leaf_color = {i: _cluster_color(cluster_of[lab]) for i, lab in enumerate(labels)}

    # Colour a link by its cluster when both sides are in the same one, grey above the cut.
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    for j, (a, b, _, _) in enumerate(result.linkage):
        members[n + j] = members[int(a)] | members[int(b)]

    def link_color(node: int) -> str:
        cl = {cluster_of[labels[i]] for i in members[node]}
        return _cluster_color(cl.pop()) if len(cl) == 1 else "#999999"

    dendrogram(
        result.linkage,
        labels=[f"{lab}（{freq[lab]}）" if freq[lab] else lab for lab in labels],
        orientation="right",
        ax=ax,
        link_color_func=link_color,
        leaf_font_size=9,
    )
    # dendrogram lists leaves bottom-up with orientation="right": reverse so the first cluster is on top
    ax.invert_yaxis()
    order = result.membership["label"].tolist()
    for tick, lab in zip(ax.get_yticklabels(), order, strict=True):
        tick.set_color(leaf_color[labels.index(lab)])
    if 1 < result.k < n:
        ax.axvline(result.cut_height, color="#C44E52", ls="--", lw=0.8)
    method = {"ward": "Ward 法", "average": "群平均法", "complete": "最遠隣法", "single": "最近隣法"}.get(
        result.method, result.method
    )
    ax.set_title(title or f"階層的クラスター分析：{method}、Jaccard 距離（{result.k}クラスター）", fontsize=11)
    ax.set_xlabel("併合水準（距離）")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.figure.tight_layout()
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax


def plot_find_k(table: pd.DataFrame, *, path: str | Path | None = None) -> Any:
    """Perplexity and coherence against the number of topics (two panels). Returns the Figure."""
    japanese_font()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    panels = [("perplexity", "パープレキシティ（低いほど良い）"), ("coherence", "UMass コヒーレンス（高いほど良い）")]
    for ax, (col, name) in zip(axes, panels, strict=True):
        ax.plot(table["k"], table[col], marker="o", color="#4C72B0")
        ax.set_xlabel("トピック数 K")
        ax.set_title(name, fontsize=10)
        ax.set_xticks(table["k"])
        ax.grid(alpha=0.3)
    fig.suptitle("最適なトピック数の探索", fontsize=11)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig
