"""Co-occurrence measures, networks, exports, KWIC, keyness and synthesis."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from kotoba_code import Corpus, tokenize
from kotoba_code.analysis.cooccurrence import Cooccurrence, pair_similarity, word_cooccurrence
from kotoba_code.analysis.keyness import keyness_table, shared_terms
from kotoba_code.analysis.kwic import kwic
from kotoba_code.analysis.network import annotate, cooccurrence_network
from kotoba_code.io.networks import write_network

# Units x terms: a in 3 units, b in 2, c in 2; a&b co-occur twice, a&c once, b&c once.
X = sp.csr_matrix([[1, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 0]])
TERMS = pd.DataFrame({"term": ["a", "b", "c"]})


@pytest.fixture
def co():
    return Cooccurrence.from_matrix(X, TERMS)


def test_counts_and_document_frequencies(co):
    assert co.terms["df"].tolist() == [3, 2, 2]
    assert co.counts.toarray().tolist() == [[0, 2, 1], [2, 0, 1], [1, 1, 0]]
    assert co.n_units == 4


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        # (a, b): count 2, df 3 and 2, N = 4
        ("jaccard", 2 / (3 + 2 - 2)),
        ("dice", 2 * 2 / (3 + 2)),
        ("simpson", 2 / 2),
        ("cosine", 2 / math.sqrt(6)),
        ("pmi", math.log(2 * 4 / 6)),
        ("npmi", math.log(2 * 4 / 6) / -math.log(2 / 4)),
    ],
)
def test_measures_hand_computed(co, measure, expected):
    pairs = co.similarity(measure)
    ab = pairs[(pairs["i"] == 0) & (pairs["j"] == 1)]["weight"].iloc[0]
    assert ab == pytest.approx(expected)


def test_log_likelihood_hand_computed():
    # 2 x 2 table for a pair: a = 2, b = df_i - a = 1, c = df_j - a = 0, d = 1 (N = 4)
    obs = np.array([2, 1, 0, 1], dtype=float)
    exp = np.array([3 * 2 / 4, 3 * 2 / 4, 1 * 2 / 4, 1 * 2 / 4])
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp, strict=True) if o > 0)
    got = pair_similarity(np.array([2.0]), np.array([3.0]), np.array([2.0]), 4.0, "loglik")[0]
    assert got == pytest.approx(g2)


def test_network_top_n_threshold_and_attributes(co):
    g = cooccurrence_network(co, top_n=1)
    assert sorted(g.edges()) == [("a", "b")]
    assert g.nodes["a"]["frequency"] == 3 and g.edges["a", "b"]["count"] == 2
    g = cooccurrence_network(co, top_n=None, threshold=0.3)
    assert sorted(tuple(sorted(e)) for e in g.edges()) == [("a", "b"), ("b", "c")]
    for n in g.nodes:
        assert {"community", "degree", "betweenness", "eigenvector", "label"} <= set(g.nodes[n])


def test_communities_on_two_cliques_joined_by_one_edge():
    # Two 4-cliques joined by a single edge: any modularity method separates them.
    g = nx.Graph()
    for clique in ("abcd", "wxyz"):
        g.add_edges_from((u, v, {"weight": 1.0}) for i, u in enumerate(clique) for v in clique[i + 1 :])
    g.add_edge("d", "w", weight=0.1)
    for method in ("louvain", "greedy"):
        annotate(g, communities=method, seed=1)
        comm = {n: g.nodes[n]["community"] for n in g}
        assert len({comm[n] for n in "abcd"}) == 1 and len({comm[n] for n in "wxyz"}) == 1
        assert comm["a"] != comm["w"]
        # Modularity of the two-clique split, computed by hand: Q = sum_c [L_c/m - (d_c/2m)^2]
        m = 12.1
        q = 2 * (6 / m - ((2 * 6 + 0.1) / (2 * m)) ** 2)
        assert g.graph["modularity"] == pytest.approx(q)
    # Betweenness: d and w carry every shortest path between the cliques.
    assert g.nodes["d"]["betweenness"] > g.nodes["a"]["betweenness"]


def test_louvain_is_reproducible_with_a_seed():
    g = nx.karate_club_graph()
    for _, _, d in g.edges(data=True):
        d["weight"] = 1.0
    a = annotate(g.copy(), seed=7)
    b = annotate(g.copy(), seed=7)
    assert [a.nodes[n]["community"] for n in a] == [b.nodes[n]["community"] for n in b]


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_exports_load_back_with_all_attributes(co, tmp_path, suffix):
    g = cooccurrence_network(co, top_n=None)
    path = write_network(g, tmp_path / f"net{suffix}")
    h = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert set(h.nodes) == set(g.nodes)
    assert {tuple(sorted(e)) for e in h.edges()} == {tuple(sorted(e)) for e in g.edges()}
    for n in g.nodes:
        for key, value in g.nodes[n].items():
            got = h.nodes[n][key]
            assert (got == pytest.approx(value)) if isinstance(value, float) else str(got) == str(value)
    for u, v, d in g.edges(data=True):
        assert h.edges[u, v]["weight"] == pytest.approx(d["weight"])


def test_json_png_and_escaped_html(co, tmp_path):
    g = cooccurrence_network(co, top_n=None)
    nx.relabel_nodes(g, {"a": "<script>alert(1)</script>"}, copy=False)
    g.nodes["<script>alert(1)</script>"]["label"] = "<script>alert(1)</script>"
    html = write_network(g, tmp_path / "n.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "alert(1)" in html  # present, but only as escaped data
    assert write_network(g, tmp_path / "n.png").read_bytes()[:4] == b"\x89PNG"
    assert write_network(g, tmp_path / "n.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert '"nodes"' in write_network(g, tmp_path / "n.json").read_text(encoding="utf-8")


def test_japanese_font_has_the_glyphs():
    from matplotlib import font_manager

    from kotoba_code.plot import japanese_font

    family = japanese_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    charmap = font.get_charmap()
    for ch in "温度差ノウハウ不足連携自治体ハローワーク支援候補者の選定困難":
        assert ord(ch) in charmap, f"{ch} missing from {path}"


def test_window_cooccurrence():
    t = tokenize(Corpus.from_texts(["ノウハウ 経験 不足 人手", "人手 予算"]), cache=False)
    co = word_cooccurrence(t, window=1, min_df=1, stop_words=[])
    pairs = {(co.terms["term"][r.i], co.terms["term"][r.j]) for r in co.similarity().itertuples()}
    pairs = {tuple(sorted(p)) for p in pairs}
    # Only direct neighbours (white space tokens in between count as tokens).
    assert ("ノウハウ", "人手") not in pairs


def test_kwic_lemma_surface_and_string_fallback():
    t = tokenize(Corpus.from_texts(["ＨＷとの温度差を感じた", "温度差は小さいが連携した"], ids=["a", "b"]), cache=False)
    lines = kwic(t, "小さい", window=2)
    assert lines[["id", "left", "keyword", "right"]].values.tolist() == [["b", "差は", "小さい", "が連携"]]
    lines = kwic(t, "温度差", window=1)  # two tokens here: found as a string
    assert lines["keyword"].tolist() == ["温度差", "温度差"]
    assert lines["left"].tolist() == ["の", ""]
    text = t.corpus.texts[0]
    assert text[lines["start"][0] : lines["end"][0]] == "温度差"
    assert kwic(t, "HW", match="surface")["keyword"].tolist() == ["ＨＷ"]


def test_keyness_and_shared_terms():
    presence = pd.DataFrame({"x": [1, 1, 1, 0, 0, 0], "y": [1, 1, 1, 1, 1, 0]})
    groups = np.array(list("AAABBB"))
    kt = keyness_table(presence, groups, measure="chi2")
    a_x = kt[(kt["group"] == "A") & (kt["term"] == "x")].iloc[0]
    # 2 x 2 [[3, 0], [0, 3]] with Yates: chi2 = N (|ad - bc| - N/2)^2 / (r1 r2 c1 c2) = 6 * (9 - 3)^2 / 81
    assert a_x["score"] == pytest.approx(6 * 36 / 81)
    assert a_x["effect"] > 0
    shared = shared_terms(kt, min_share=0.5)
    assert shared["term"].tolist() == ["y"]


def test_modularity_is_networkx_value_and_the_same_in_every_process(tmp_path):
    """Modularity equals networkx's, and a network's GraphML is byte-identical
    across processes with different string hashing (it used to differ in the
    last digits of the modularity)."""
    import os
    import subprocess
    import sys

    from kotoba_code.analysis.network import modularity

    g = nx.karate_club_graph()
    parts = nx.community.louvain_communities(g, seed=2)
    for k, members in enumerate(parts):
        for n in members:
            g.nodes[n]["community"] = k
    assert modularity(g) == pytest.approx(nx.community.modularity(g, parts, weight="weight"), abs=1e-12)
    src = tmp_path / "a.csv"
    src.write_text(
        "id,group,text\n"
        + "".join(
            f"{i},{'AB'[i % 2]},ハローワークと連携して面接の練習と交通費の支援を行う{i % 5}\n" for i in range(40)
        ),
        encoding="utf-8",
    )
    outs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"n{seed}.graphml"
        code = "from kotoba_code.cli import main; main()"
        args = [sys.executable, "-c", code, "network", str(src), "--by", "group", "--min-df", "1", "--no-cache"]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([*args, "-q", "-o", str(out)], check=True, env=env)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_html_page_has_a_legend_and_escapes_labels(tmp_path):
    """The interactive page explains colours, line widths and sizes, like the figures."""
    g = nx.Graph()
    g.add_edge("連携", "<b>不足</b>", weight=0.4)
    g.add_edge("連携", "会議", weight=0.1)
    for n, k in (("連携", 0), ("<b>不足</b>", 0), ("会議", 1)):
        g.nodes[n]["community"] = k
    g.graph["measure"] = "jaccard"
    page = write_network(g, tmp_path / "n.html").read_text(encoding="utf-8")
    legend = page[page.index('<div id="legend">') : page.index("</div>", page.index('<div id="legend">'))]
    assert "サブグラフ 1" in legend and "サブグラフ 2" in legend
    assert "線の太さ: Jaccard係数 0.10 – 0.40" in legend and "円の大きさ" in legend
    assert "<b>不足</b>" not in page.split("<script>")[0]


def test_communities_past_the_palette_share_one_grey_listed_once():
    """An 11th community must not take the 1st community's colour (it would
    read as part of it): past the palette, one grey and one legend entry."""
    import json
    import re

    import matplotlib.pyplot as plt
    import networkx as nx

    from kotoba_code.plot import network_html, plot_network

    g = nx.Graph()
    for k in range(12):
        g.add_edge(f"語{k}a", f"語{k}b", weight=0.5)
        for n in (f"語{k}a", f"語{k}b"):
            g.nodes[n].update(community=k, frequency=3, label=n)
    page = network_html(g)
    data = json.loads(re.search(r"(\{\"nodes\".*?\});?\s*\n", page).group(1).replace("<\\/", "</"))
    colour = {n["id"]: n["color"] for n in data["nodes"]}
    assert colour["語10a"] == colour["語11a"] != colour["語0a"]
    assert page.count("その他のサブグラフ") == 1 and "サブグラフ 11" not in page
    ax = plot_network(g, lang="ja")
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "その他のサブグラフ" in names and "サブグラフ 11" not in names
    plt.close(ax.figure)
