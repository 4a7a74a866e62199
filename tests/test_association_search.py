"""Word association (関連語検索) and document search (文書検索): hand-counted cases, the sample corpus, the CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import ROOT
from kotoba_code import Corpus, tokenize
from kotoba_code.analysis.association import association_graph, related_words
from kotoba_code.analysis.search import search
from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import AnalysisError

ARGS = [str(ROOT / "corpus" / "answers.csv"), "--text-col", "answer", "--id-col", "id"]


@pytest.fixture(scope="module")
def small():
    texts = [
        "ハローワークと連携して面接",  # T: 連携, 面接
        "ハローワークと連携",  # T: 連携
        "ハローワークで研修",  # T: 研修
        "連携が課題",
        "面接の練習",
        "研修が不足",
        "特になし",
        "研修と面接",
    ]
    return tokenize(Corpus.from_texts(texts), cache=False)


def test_measures_by_hand(small):
    # N = 8, target ハローワーク: units 1-3 (n_T = 3).
    # 連携: df 3, a 2 → P(w)=3/8, P(w|T)=2/3, P(T|w)=2/3, Jaccard 2/(3+3-2)=1/2, lift (2/3)/(3/8)=16/9
    # 面接: df 3, a 1 → Jaccard 1/5, lift 8/9;  研修: df 3, a 1 → the same, after 面接? (tie: word order)
    t = related_words(small, "ハローワーク", min_df=1).set_index("word")
    assert t.attrs["n_target"] == 3 and t.attrs["n_units"] == 8
    r = t.loc["連携"]
    assert (r["units"], r["cooccur"]) == (3, 2)
    assert r["p_word"] == pytest.approx(3 / 8)
    assert r["p_word_given_target"] == pytest.approx(2 / 3)
    assert r["p_target_given_word"] == pytest.approx(2 / 3)
    assert r["jaccard"] == pytest.approx(1 / 2)
    assert r["lift"] == pytest.approx(16 / 9)
    assert t.loc["面接", "jaccard"] == pytest.approx(1 / 5)
    assert list(t.index)[0] == "連携" and "ハローワーク" not in t.index and "課題" not in t.index
    # lift ranks differently from Jaccard when a rare word is always with the target
    lift = related_words(small, "ハローワーク", min_df=1, measure="lift")
    assert lift["lift"].is_monotonic_decreasing
    cond = related_words(small, "ハローワーク", min_df=1, measure="conditional")
    assert cond["p_word_given_target"].is_monotonic_decreasing
    assert related_words(small, "ハローワーク", min_df=4).empty
    with pytest.raises(AnalysisError, match="E504.*存在しない語"):
        related_words(small, "存在しない語")


def test_related_to_a_code_and_its_graph(small):
    cb = Codebook.from_dict({"codes": [{"id": "hw", "label": "HW", "rule": "ハローワーク"}]})
    res = apply_codebook(cb, small)
    by_code = related_words(res, code="hw", min_df=1)
    by_term = related_words(small, "ハローワーク", min_df=1)
    # A code does not leave out its own words: ハローワーク is in all its units (Jaccard 1).
    assert by_code.loc[0, "word"] == "ハローワーク" and by_code.loc[0, "jaccard"] == 1.0
    pd.testing.assert_frame_equal(by_code.iloc[1:].reset_index(drop=True), by_term)
    with pytest.raises(AnalysisError, match="E505"):
        related_words(res, code="nope")
    g = association_graph(by_term, small)
    assert {"ハローワーク", "連携", "面接", "研修"} <= set(g.nodes)
    assert g.has_edge("ハローワーク", "連携") and g["ハローワーク"]["連携"]["weight"] == pytest.approx(1.0)
    assert g.has_edge("連携", "面接")  # both in unit 1


def test_search_marks_spans_and_sorts_by_hits():
    c = Corpus.from_texts(
        ["交通費の支給。交通費は高い", "特になし", "交通費がかかる", "バス代"],
        ids=["a", "b", "c", "d"],
        metadata=pd.DataFrame({"group": ["X", "Y", "Y", "X"]}),
    )
    t = search(c, "交通費 | バス代")
    assert t["id"].tolist() == ["a", "c", "d"]
    assert t["hits"].tolist() == [2, 1, 1]
    assert t.loc[0, "marked"] == "【交通費】の支給。【交通費】は高い"
    assert t.loc[0, "text"] == "交通費の支給。交通費は高い" and t.loc[0, "group"] == "X"
    assert search(c, "交通費 | バス代", sort="id")["id"].tolist() == ["a", "c", "d"]
    s = search(c, "交通費", unit="sentence")
    assert s[["id", "unit", "marked"]].values.tolist() == [
        ["a", 1, "【交通費】の支給。"],
        ["a", 2, "【交通費】は高い"],
        ["c", 1, "【交通費】がかかる"],
    ]
    with pytest.raises(AnalysisError, match="E508"):
        search(c, "交通費 & (")


def test_search_by_code_and_rule_with_codebook_lists(sample):
    cb, tokens = sample
    by_code = search(tokens, code="transport_support", codebook=cb)
    res = apply_codebook(cb, tokens)
    assert set(by_code["id"]) == set(res.matrix.index[res.matrix["transport_support"]])
    assert by_code["hits"].is_monotonic_decreasing
    # a unit coded through a variable condition alone (question: transport) has no words to mark
    assert ((by_code["hits"] > 0) == (by_code["marked"].str.count("【") >= 1)).all()
    assert (by_code["hits"] > 0).mean() > 0.9
    with_list = search(tokens, "$hw & 交通費", codebook=cb)
    assert len(with_list) > len(search(tokens, "ハローワーク & 交通費"))
    assert with_list["marked"].str.contains("【交通費】").all()


def test_related_and_search_commands(tmp_path, sample):
    from kotoba_code.cli.app import cli

    csv, png = tmp_path / "r.csv", tmp_path / "r.png"
    r = CliRunner().invoke(cli, ["related", *ARGS, "--term", "交通費", "-o", str(csv), "-o", str(png)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(csv, encoding="utf-8-sig")
    assert t.loc[0, "word"] == "支給" and t["jaccard"].is_monotonic_decreasing
    assert png.read_bytes()[:4] == b"\x89PNG"
    r = CliRunner().invoke(cli, ["related", *ARGS, "-q"])
    assert r.exit_code == 2
    out = tmp_path / "s.xlsx"
    r = CliRunner().invoke(
        cli, ["search", *ARGS, "--rule", "$hw & 交通費", "--codebook", "welfare_employment", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    s = pd.read_excel(out)
    assert {"id", "group", "hits", "marked"} <= set(s.columns) and len(s) >= 3
    r = CliRunner().invoke(cli, ["search", *ARGS, "--rule", "交通費 & 自己負担", "--by", "group", "-q"])
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert lines and all("【交通費】" in x and "[" in x for x in lines)
    groups = [x.split("[")[1].split("]")[0] for x in lines]
    assert groups == sorted(groups)
