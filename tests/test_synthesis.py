"""The report's synthesis, reproduced from the sample corpus; the analysis commands."""

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from kotoba_code import read_corpus
from kotoba_code.analysis.keyness import keyness_chi2, keyness_g2
from kotoba_code.analysis.synthesis import KEYWORD_POS, synthesize
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
    # Quotes are "group [respondent id]: text" (issue #15: citable quotes).
    assert re.search(r"(^| / )自治体 \[[A-Z]\d+\]: ", row["examples"])
    assert re.search(r"(^| / )ハローワーク \[[A-Z]\d+\]: ", row["examples"])
    md = synthesis_markdown(synthesis, lang="ja")
    assert "## 温度差（`engagement_gap`）: 共通" in md
    en = synthesis_markdown(synthesis, lang="en")
    assert "## 温度差 (`engagement_gap`): shared by all groups" in en


def test_quotes_cite_respondent_and_group(synthesis, request):
    """Every quote is the text of the answer whose id it cites, from the group it names."""
    root = request.config.rootpath
    answers = pd.read_csv(root / "corpus" / "answers.csv", dtype=str, keep_default_na=False).set_index("id")
    n = 0
    for row in synthesis.itertuples():
        cited = row.example_ids.split(";") if row.example_ids else []
        quotes = row.examples.split(" / ") if row.examples else []
        assert len(cited) == len(quotes) > 0, row.theme
        for ref, quote in zip(cited, quotes, strict=True):
            group, rid = ref.split(":")
            assert answers.loc[rid, "group"] == group
            assert quote.startswith(f"{group} [{rid}]: ")
            assert quote.split("]: ", 1)[1] == " ".join(answers.loc[rid, "answer"].split())
            n += 1
    assert n >= 4 * len(synthesis) - 4


def test_quotes_are_typical_of_their_theme(synthesis, request):
    """No quote has more evidence (distinct rule terms) for another theme than for its own."""
    root = request.config.rootpath
    corpus = read_corpus(root / "corpus" / "answers.csv", text_col="answer", id_col="id")
    result = apply_codebook(Codebook.load("welfare_employment"), corpus, cache=False)
    ev = result.evidence.groupby(["id", "code"])["term"].nunique()
    for row in synthesis.itertuples():
        for ref in row.example_ids.split(";"):
            rid = ref.split(":")[1]
            mine = ev.get((rid, row.theme), 0)
            assert mine >= 1 and mine >= ev.loc[rid].max(), (row.theme, rid, ev.loc[rid].to_dict())


def test_keywords_leave_out_function_words_and_counters(synthesis):
    words = {w for k in synthesis["keywords"] for w in k.split(";") if w}
    # The words issue #15 found among the keywords, and other grammar words.
    assert not words & {
        "よる",
        "差",
        "回",
        "月",
        "社",
        "先",
        "後",
        "手",
        "課",
        "多い",
        "よい",
        "する",
        "こちら",
        "どこ",
    }
    assert all(len(w) >= 2 for w in words)
    assert {"温度差", "ノウハウ", "交通費", "コロナ"} <= words


def test_vectorised_keyness_agrees_with_scipy():
    rng = np.random.default_rng(0)
    n = 200.0
    n1 = rng.integers(1, 199, 300).astype(float)
    df = rng.integers(1, 199, 300).astype(float)
    a = np.array([rng.integers(max(0, d + m - n), min(d, m) + 1) for d, m in zip(df, n1, strict=True)], dtype=float)
    got = keyness_g2(a, n1, df, n)
    yates = keyness_chi2(a, n1, df, n)
    for k in range(len(a)):
        table = [[a[k], df[k] - a[k]], [n1[k] - a[k], n - n1[k] - df[k] + a[k]]]
        ref = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert np.isclose(got[k], ref, atol=1e-9), (k, table)
        assert np.isclose(yates[k], stats.chi2_contingency(table, correction=True)[0], atol=1e-9), (k, table)
    assert keyness_g2(np.array([0.0]), np.array([0.0]), np.array([5.0]), n)[0] == 0.0
    assert "名詞" in KEYWORD_POS and "代名詞" not in KEYWORD_POS


def test_sharing_rule_is_stated_and_settable(request):
    root = request.config.rootpath
    corpus = read_corpus(root / "corpus" / "answers.csv", text_col="answer", id_col="id")
    result = apply_codebook(Codebook.load("welfare_employment"), corpus, cache=False)
    strict = synthesize(result, by="group", min_share=0.08, lang="ja")
    loose = synthesize(result, by="group", min_share=0.08, min_groups=1, lang="ja")
    assert "すべてのグループ（2 群）" in strict.attrs["rule"] and "8.0%" in strict.attrs["rule"]
    assert "2 群のうち 1 群以上" in loose.attrs["rule"]
    # With one group enough, every theme shared under the strict rule stays shared, and more join.
    assert set(strict.loc[strict["shared"] == 1, "theme"]) < set(loose.loc[loose["shared"] == 1, "theme"])
    shares = strict.set_index("theme")[["share:自治体", "share:ハローワーク"]]
    assert (shares[strict.set_index("theme")["shared"] == 1] >= 0.08).all().all()
    md = synthesis_markdown(strict)
    assert strict.attrs["rule"] in md and "自治体 N=" in md and "ハローワーク N=" in md


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
    assert r.exit_code == 0 and "| グループ | 語 |" in r.output
    r = run("keyness", *base, "--by", "group", "--shared", "0.05")
    assert r.exit_code == 0 and r.output.startswith("| 語 | ハローワーク | 自治体 |") and "| 連携 |" in r.output
