"""KH Coder export: rule files and heading-tagged text that load back unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from kotoba_code import Corpus, read_table
from kotoba_code.codebook import Codebook
from kotoba_code.codebook.rules import parse_rule
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import CodebookError, CorpusReadError
from kotoba_code.io.khcoder import read_khcoder_text
from kotoba_code.io.khcoder_export import write_khcoder_rules, write_khcoder_text

# Only constructs KH Coder has, plus synonym lists (written out): exact.
PORTABLE = {
    "name": "portable",
    "negation": False,
    "synonyms": {"hw": ["ハローワーク", "HW", "ハロワ"]},
    "codes": [
        {"id": "hw", "label": "ハローワーク", "examples": ["-"], "rule": "$hw"},
        {"id": "hw2", "label": "HW二回", "examples": ["-"], "rule": "$hw >= 2"},
        {"id": "gap", "label": "温度差", "examples": ["-"], "rule": "温度差 | (取組 & 差) | near(意識-差)[5]"},
        {"id": "ref", "label": "連携の温度差", "examples": ["-"], "rule": "<*温度差> &! (連携 or 協力+体制)"},
        {"id": "seq", "label": "順序", "examples": ["-"], "rule": "seq(情報-共有)[b] and not (lw < 3 or lc > 200)"},
        {"id": "math", "label": "計算", "examples": ["-"], "rule": "(温度差 + 差) * 2 >= 2 - 1"},
        {"id": "var", "label": "変数", "examples": ["-"], "rule": "<>group-->HW | <>group<> & 'ない'"},
        {"id": "pos", "label": "品詞", "examples": ["-"], "rule": "ない-->形容詞B | 言う=>言っ | near(先生-奥さん)[0]"},
    ],
}
TEXTS = [
    "ハローワークとの温度差がある。HWとの取組に差がある。",
    "情報の共有ができていない",
    "",
    "意識の差が大きい。\r\n<H1>見出しではない</H1>\r\n連携協力体制はない",
    "ハロワとHW、ハローワーク",
]


def _corpus() -> Corpus:
    meta = pd.DataFrame(
        {"group": ["HW", "自治体", "自治体", "", "HW"], "pref": ["京都府", "山形県", "", "大阪府", "x"]}
    )
    return Corpus(["a1", "a2", "a3", "a4", "a5"], TEXTS, metadata=meta)


# -- rules -----------------------------------------------------------------------


def test_rule_file_loads_back_and_codes_the_same(tmp_path):
    cb = Codebook.from_dict(PORTABLE)
    path = tmp_path / "portable.cod"
    assert write_khcoder_rules(cb, path, names="id") == []
    text = path.read_bytes().decode("cp932")
    assert "＊hw\n# ハローワーク\n(ハローワーク or HW or ハロワ)\n" in text
    assert "＊hw2\n# HW二回\n(ハローワーク + HW + ハロワ) >= 2\n" in text
    assert "＊ref\n# 連携の温度差\n<*gap> and not (連携 or 協力+体制)\n" in text
    back = Codebook.load(path)
    assert back.ids == cb.ids and back.negation is False
    for code in cb.codes:
        # $lists are written out, and <*温度差> becomes <*gap>: checked above.
        if "$" not in code.rule and "<*" not in code.rule:
            assert parse_rule(back[code.id].rule) == code.ast, code.id
    corpus = _corpus()
    assert apply_codebook(back, corpus, cache=False).matrix.equals(apply_codebook(cb, corpus, cache=False).matrix)


def test_kotoba_only_constructs_are_approximated_with_a_comment(tmp_path):
    cb = Codebook.from_dict(
        {
            "synonyms": {"hw": ["ハローワーク", "HW"]},
            "user_words": ["温度差"],
            "codes": [
                {"id": "neg", "label": "否定", "examples": ["-"], "rule": "neg(情報共有) | neg($hw) | any(連携)"},
                {"id": "rx", "label": "正規表現", "examples": ["-"], "rule": "/温度差が?ある/ & /\\d+/"},
                {"id": "glob", "label": "前方一致", "examples": ["-"], "rule": "連携*"},
                {"id": "hand", "label": "手作業", "examples": ["-"]},
            ],
        }
    )
    path = tmp_path / "approx.cod"
    notes = write_khcoder_rules(cb, path, encoding="utf-8", names="id")
    assert notes == [
        "neg: neg(情報共有) is written as 情報共有: KH Coder cannot count only negated occurrences",
        "neg: neg($hw) is written as its words: KH Coder cannot count only negated occurrences",
        "rx: /温度差が?ある/ is written as '温度差': KH Coder has no regular expressions",
        "rx: /\\d+/ is written as 0 (never true): KH Coder has no regular expressions",
        "glob: 連携* is written as 連携: KH Coder has no wildcards, so only that word matches",
    ]
    text = path.read_text(encoding="utf-8")
    assert "＊neg\n# 否定\n# kotoba_code: neg(情報共有) is written as 情報共有" in text
    assert "\n情報共有 or (ハローワーク or HW) or 連携\n" in text
    assert "# kotoba_code counted only words that are not negated" in text
    assert "# 温度差" in text and "# hand (手作業) has no rule and is left out." in text
    assert [(c.id, c.rule) for c in Codebook.load(path).codes] == [
        ("neg", "情報共有 or (ハローワーク or HW) or 連携"),
        ("rx", "'温度差' and 0"),
        ("glob", "連携"),
    ]


def test_shipped_codebook_exports_as_a_loadable_cp932_file(tmp_path):
    cb = Codebook.load("welfare_employment")
    path = tmp_path / "welfare.cod"
    notes = write_khcoder_rules(cb, path)
    assert notes and all(": " in n for n in notes)
    # KH Coder shows the Japanese labels; every code keeps its place.
    assert Codebook.load(path).ids == [c.label for c in cb.codes]


def test_character_cp932_lacks_names_the_code(tmp_path):
    cb = Codebook.from_dict({"codes": [{"id": "yoshi", "label": "𠮷野家", "examples": ["-"], "rule": "𠮷野家"}]})
    with pytest.raises(CodebookError, match=r"E410.*x.cod: code 'yoshi' contains '𠮷', which cp932 cannot"):
        write_khcoder_rules(cb, tmp_path / "x.cod")
    write_khcoder_rules(cb, tmp_path / "x.cod", encoding="utf-8", names="id")
    assert Codebook.load(tmp_path / "x.cod")["yoshi"].rule == "𠮷野家"


# -- text ------------------------------------------------------------------------


def test_text_loads_back_with_one_h1_per_document(tmp_path):
    corpus = _corpus()
    table = write_khcoder_text(corpus, tmp_path / "k.txt", tmp_path / "k_vars.csv")
    back = read_khcoder_text(tmp_path / "k.txt")
    h1 = back.units("h1")
    assert h1["title"].tolist() == corpus.ids.tolist()
    # The same paragraphs in the same order; the fake heading line is defused.
    original = [corpus.texts[d][s:e] for d, s, e in corpus.units("paragraph")[["doc", "start", "end"]].values]
    written = [back.texts[0][s:e] for s, e in back.units("paragraph")[["start", "end"]].values]
    assert written == [p.replace("<", "＜") if p.startswith("<H1>") else p for p in original]
    # Each paragraph sits under its document's H1.
    assert back.unit_variable("見出し1", "paragraph").tolist() == corpus.units("paragraph")["id"].tolist()
    # The variable file: one row per H1, loadable in KH Coder and kotoba_code.
    variables = read_table(tmp_path / "k_vars.csv")
    pd.testing.assert_frame_equal(variables, table)
    with_vars = back.add_variables(variables, level="h1")
    assert with_vars.unit_variable("group", "h1").tolist() == corpus.metadata["group"].tolist()
    assert with_vars.unit_variable("pref", "paragraph").tolist() == [
        "京都府",
        "山形県",
        "大阪府",
        "大阪府",
        "大阪府",
        "x",
    ]


def test_khcoder_text_keeps_its_own_headings(tmp_path):
    source = tmp_path / "kokoro.txt"
    source.write_text(
        "<H1>上＿先生と私</H1>\n<H2>一</H2>\n私はその人を常に先生と呼んでいた。だから此所でもただ先生と書く。\n\n"
        "<H2>二</H2>\n奥さんが来た\n<H1>中＿両親と私</H1>\n家に帰った。\n",
        encoding="cp932",
    )
    corpus = read_khcoder_text(source)
    write_khcoder_text(corpus, tmp_path / "again.txt", tmp_path / "again_vars.csv")
    again = read_khcoder_text(tmp_path / "again.txt")
    assert again.texts == corpus.texts
    for level in ("h1", "h2", "paragraph", "sentence"):
        pd.testing.assert_frame_equal(again.units(level).drop(columns="id"), corpus.units(level).drop(columns="id"))
    assert len(read_table(tmp_path / "again_vars.csv")) == 2


def test_text_character_cp932_lacks_names_the_document(tmp_path):
    corpus = Corpus(["ok", "yoshi"], ["問題なし", "𠮷野家の前"])
    with pytest.raises(CorpusReadError, match=r"E410.*k.txt: document 'yoshi' contains '𠮷'"):
        write_khcoder_text(corpus, tmp_path / "k.txt")
    write_khcoder_text(corpus, tmp_path / "k.txt", encoding="utf-8")
    assert read_khcoder_text(tmp_path / "k.txt").units("h1")["title"].tolist() == ["ok", "yoshi"]


def test_rule_file_names_codes_by_label_for_khcoder_users(tmp_path):
    """By default KH Coder sees the codes' Japanese labels, references included,
    and the file codes the same as the codebook."""
    cb = Codebook.from_dict(PORTABLE)
    path = tmp_path / "labels.cod"
    assert write_khcoder_rules(cb, path) == []
    text = path.read_bytes().decode("cp932")
    assert "＊ハローワーク\n# id: hw\n" in text
    assert "＊連携の温度差\n# id: ref\n<*温度差> and not" in text
    assert "＊hw\n" not in text
    back = Codebook.load(path)
    label_of = {c.label: c.id for c in cb.codes}
    corpus = _corpus()
    got = apply_codebook(back, corpus, cache=False).matrix.rename(columns=label_of)
    assert got.equals(apply_codebook(cb, corpus, cache=False).matrix)
