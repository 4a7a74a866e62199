"""The report's synthesis, reproduced from the sample corpus; the analysis commands."""

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code import read_corpus
from kotoba_code.analysis.synthesis import synthesize
from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.io.markdown import synthesis_markdown

pytestmark = pytest.mark.slow

REPORT_THEMES = [
    "info_sharing_gap",
    "engagement_gap",
    "knowhow_shortage",
    "candidate_selection",
    "hard_to_employ_referrals",
]


@pytest.fixture(scope="module")
def synthesis(request):
    root = request.config.rootpath
    corpus = read_corpus(root / "corpus" / "answers.csv", text_col="answer", id_col="id")
    return synthesize(apply_codebook(Codebook.load("welfare_employment"), corpus, cache=False), by="group")


def test_report_keyword_groups_are_shared_themes(synthesis):
    table = synthesis.set_index("theme")
    for theme in REPORT_THEMES:
        assert table.loc[theme, "shared"] == 1, theme
        assert table.loc[theme, "share:自治体"] >= 0.05 and table.loc[theme, "share:ハローワーク"] >= 0.05


def test_candidate_selection_links_knowhow_and_referrals(synthesis):
    linked = synthesis.set_index("theme").loc["candidate_selection", "linked"].split(";")
    assert "knowhow_shortage" in linked and "hard_to_employ_referrals" in linked


def test_synthesis_has_keywords_and_examples_from_each_group(synthesis):
    row = synthesis.set_index("theme").loc["engagement_gap"]
    assert "温度差" in row["keywords"].split(";")
    assert "自治体: " in row["examples"] and "ハローワーク: " in row["examples"]
    md = synthesis_markdown(synthesis)
    assert "## 温度差 (`engagement_gap`): shared by all groups" in md


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_synthesize_command_csv_columns(request, tmp_path):
    answers = request.config.rootpath / "corpus" / "answers.csv"
    out = tmp_path / "s.csv"
    r = run(
        "synthesize",
        answers,
        "--text-col",
        "answer",
        "--id-col",
        "id",
        "--codebook",
        "welfare_employment",
        "--by",
        "group",
        "-o",
        out,
        "-q",
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert {"theme", "label", "shared", "share:自治体", "share:ハローワーク", "linked", "keywords"} <= set(df.columns)


def test_network_kwic_keyness_commands(request, tmp_path):
    answers = request.config.rootpath / "corpus" / "answers.csv"
    base = [answers, "--text-col", "answer", "--id-col", "id", "-q"]
    r = run(
        "network",
        *base,
        "--codebook",
        "welfare_employment",
        "--of",
        "codes",
        "-o",
        tmp_path / "c.graphml",
        "-o",
        tmp_path / "c.html",
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c.graphml").exists() and (tmp_path / "c.html").exists()
    r = run("network", *base, "--by", "group", "-o", tmp_path / "w.gexf")
    assert r.exit_code == 0 and (tmp_path / "w.gexf").exists()
    r = run("network", *base, "--of", "codes", "-o", tmp_path / "x.png")
    assert r.exit_code == 2 and "--of codes needs --codebook" in r.output
    r = run("kwic", *base, "--term", "ノウハウ", "-o", tmp_path / "k.csv")
    assert r.exit_code == 0
    k = pd.read_csv(tmp_path / "k.csv", encoding="utf-8-sig")
    assert len(k) > 10 and (k["keyword"] == "ノウハウ").mean() > 0.8
    r = run("keyness", *base, "--by", "group", "--top", "3")
    assert r.exit_code == 0 and "| group | term |" in r.output
    r = run("keyness", *base, "--by", "group", "--shared", "0.05")
    assert r.exit_code == 0 and r.output.startswith("| term | ハローワーク | 自治体 |") and "| 連携 |" in r.output
