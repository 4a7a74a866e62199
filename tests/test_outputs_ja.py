"""Outputs a Japanese report can use as they are (issue #15): labels, headings, numbers, legends."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from kotoba_code import read_corpus  # noqa: E402
from kotoba_code.analysis.network import code_network, variable_network  # noqa: E402
from kotoba_code.cli.app import cli  # noqa: E402
from kotoba_code.codebook import Codebook  # noqa: E402
from kotoba_code.coding import apply_codebook  # noqa: E402
from kotoba_code.errors import AnalysisError  # noqa: E402
from kotoba_code.i18n import format_p, get_language, set_language  # noqa: E402
from kotoba_code.io.markdown import people_table  # noqa: E402
from kotoba_code.plot import plot_frequencies, plot_network, save_figure  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(request):
    corpus = read_corpus(request.config.rootpath / "corpus" / "answers.csv", text_col="answer", id_col="id")
    return apply_codebook(Codebook.load("welfare_employment"), corpus, cache=False)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_language_setting_and_unknown_language():
    assert get_language() == "ja"
    set_language("en")
    try:
        assert get_language() == "en"
    finally:
        set_language("ja")
    with pytest.raises(AnalysisError, match="E511"):
        set_language("fr")


def test_p_values_and_percentages_as_reports_print_them():
    assert format_p(4.057512136664182e-06) == "<.001**"
    # The number never contradicts its mark (.0099 is not printed .010**).
    assert format_p(0.0099) == ".0099**" and format_p(0.0499) == ".0499*" and format_p(0.012) == ".012*"
    assert format_p(0.0049) == ".005**" and format_p(0.5) == ".500"
    t = people_table(pd.DataFrame({"term": ["連携"], "p": [0.0312], "share_target": [0.12345]}), lang="ja")
    assert t.to_dict(orient="records") == [{"語": "連携", "p値": ".031*", "割合": "12.3%"}]


def test_frequency_chart_in_japanese_with_n_and_whole_colour_bar(result, tmp_path):
    table = result.frequencies(by="group")
    ax = plot_frequencies(table)
    fig = ax.figure
    texts = _texts(fig)
    assert "調整済み残差" in texts and not any("adjusted residual" in x for x in texts)
    assert any(x.startswith("ハローワーク\n(N=1,175)") for x in texts)
    assert "知識不足" not in texts and "ノウハウ不足" in texts  # code labels, not ids
    assert not any(x == "knowhow_shortage" for x in texts)
    assert any(x.endswith("%") and "." in x for x in texts)  # one decimal
    # Every text, the colour-bar title included, lies inside what is saved.
    save_figure(fig, tmp_path / "f.png")
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)
    title = next(t for t in fig.findobj(matplotlib.text.Text) if t.get_text() == "調整済み残差")
    ext = title.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
    assert box.x0 <= ext.x0 and ext.x1 <= box.x1
    plt.close(fig)
    en = plot_frequencies(table, lang="en")
    assert "Adjusted residual" in _texts(en.figure)
    plt.close(en.figure)


def test_network_has_a_legend_and_distinct_group_nodes(result, request):
    g = code_network(result)
    ax = plot_network(g)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(x.startswith("サブグラフ") for x in legend)
    assert any(x.startswith("線の太さ: Jaccard係数") for x in legend)
    assert "円の大きさ: 出現数" in legend
    assert ax.get_title().startswith("共起ネットワーク（Jaccard係数")
    plt.close(ax.figure)
    tokens = result.tokens
    vg = variable_network(tokens, "group")
    ax = plot_network(vg)
    boxed = {t.get_text() for t in ax.texts if t.get_bbox_patch() is not None}
    plain = {t.get_text() for t in ax.texts if t.get_bbox_patch() is None}
    assert boxed == {"自治体", "ハローワーク"}
    assert {"グループ"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    assert plain  # words are drawn without a box
    plt.close(ax.figure)
    # GraphML keeps its attributes: ids as nodes, labels beside them.
    assert all("label" in d and "kind" in d for _, d in vg.nodes(data=True))
    assert isinstance(vg, nx.Graph)


def test_cli_lang_switches_headings_not_machine_columns(request, tmp_path):
    answers = request.config.rootpath / "corpus" / "answers.csv"
    base = [answers, "--text-col", "answer", "--id-col", "id", "-q", "--codebook", "welfare_employment"]
    ja = run("synthesize", *base, "--by", "group")
    assert ja.exit_code == 0 and "# グループ間で共通するテーマ" in ja.output and "共通の基準" in ja.output
    en = run("--lang", "en", "synthesize", *base, "--by", "group")
    assert en.exit_code == 0 and "# Themes shared across groups" in en.output and "Sharing rule" in en.output
    assert get_language() == "en"
    run("--lang", "ja", "freq", *base, "--by", "group", "-o", tmp_path / "f.csv")
    assert get_language() == "ja"
    csv = pd.read_csv(tmp_path / "f.csv", encoding="utf-8-sig")
    assert {"code", "label", "n:自治体", "percent:自治体", "p"} <= set(csv.columns)
    md = run("freq", *base, "--by", "group").output
    assert md.startswith("| コード名 | ハローワーク N |") and "p値" in md
    assert "knowhow_shortage" not in md and "ノウハウ不足" in md
