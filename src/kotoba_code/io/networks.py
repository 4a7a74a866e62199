"""Writing networks: GraphML, GEXF, node-link JSON, figures and HTML pages, by suffix."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from kotoba_code.errors import Errors, OutputError
from kotoba_code.plot import network_html, plot_network, save_figure

NETWORK_SUFFIXES = (".graphml", ".gexf", ".json", ".png", ".svg", ".html")


def write_network(g: nx.Graph, path: str | Path, *, seed: int = 0, title: str = "") -> Path:
    """Write ``g`` by suffix: ``.graphml``, ``.gexf`` (Gephi), ``.json``
    (node-link), ``.png``/``.svg`` (figure) or ``.html`` (interactive page).

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> g = nx.Graph([("連携", "不足", {"weight": 0.5})])
    >>> path = write_network(g, os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> sorted(nx.read_graphml(path).nodes)
    ['不足', '連携']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(_plain(g), path)
    elif suffix == ".gexf":
        nx.write_gexf(_plain(g), path)
    elif suffix == ".json":
        data = nx.node_link_data(_plain(g), edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix in (".png", ".svg"):
        import matplotlib.pyplot as plt  # matplotlib loads only when a figure is asked for

        ax = plot_network(g, seed=seed, title=title)
        save_figure(ax.figure, path)
        plt.close(ax.figure)
    elif suffix == ".html":
        path.write_text(network_html(g, seed=seed, title=title), encoding="utf-8")
    else:
        raise OutputError(
            Errors.E901.format(path=path, suffix=suffix, what="a network", supported=", ".join(NETWORK_SUFFIXES))
        )
    return path


def _plain(g: nx.Graph) -> nx.Graph:
    """A copy whose graph attributes are plain scalars (GraphML and GEXF need it)."""
    h = g.copy()
    for k, v in list(h.graph.items()):
        if not isinstance(v, (str, int, float, bool)):
            h.graph[k] = str(v)
    return h
