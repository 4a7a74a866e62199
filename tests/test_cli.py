"""The kotoba-code command line, run in-process through click's CliRunner."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli


@pytest.fixture
def answers(tmp_path):
    path = tmp_path / "answers.csv"
    df = pd.DataFrame(
        {
            "no": ["M1", "M2", "H1", "H2", "H3"],
            "group": ["自治体", "自治体", "ハローワーク", "ハローワーク", "ハローワーク"],
            "answer": [
                "ノウハウが不足している。\n・人手不足",
                "",
                "ﾉｳﾊｳ不足と温度差",
                "   ",
                "支援候補者の選定が難しい",
            ],
        }
    )
    path.write_bytes(df.to_csv(index=False).encode("cp932"))
    return path


def run(*args):
    result = CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)
    return result


def test_help_lists_commands():
    r = run("--help")
    assert r.exit_code == 0
    for cmd in ("tokenize", "words", "demo"):
        assert cmd in r.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_tokenize_writes_one_row_per_token(answers, tmp_path, suffix):
    out = tmp_path / f"tokens{suffix}"
    r = run("tokenize", answers, "--text-col", "answer", "--id-col", "no", "-o", out, "-q")
    assert r.exit_code == 0, r.output
    if suffix == ".csv":
        df = pd.read_csv(out, dtype={"id": str})
    elif suffix == ".parquet":
        df = pd.read_parquet(out)
    else:
        df = pd.DataFrame([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
    assert {"id", "unit", "start", "end", "surface", "lemma", "norm", "pos"} <= set(df.columns)
    texts = dict(
        zip(
            ["M1", "M2", "H1", "H2", "H3"],
            ["ノウハウが不足している。\n・人手不足", "", "ﾉｳﾊｳ不足と温度差", "   ", "支援候補者の選定が難しい"],
            strict=True,
        )
    )
    for row in df.itertuples():
        assert texts[row.id][row.start : row.end] == row.surface
    assert df[df["id"] == "M1"]["unit"].max() == 2
    assert set(df["id"]) == {"M1", "H1", "H3"}


def test_tokenize_to_stdout(answers):
    r = run("tokenize", answers, "--text-col", "answer", "--id-col", "no", "--no-cache")
    assert r.exit_code == 0
    assert r.output.splitlines()[0].startswith("id,unit,start,end,surface,lemma,norm,pos")


def test_words_by_group_and_pos(answers, tmp_path):
    out = tmp_path / "words.csv"
    r = run("words", answers, "--text-col", "answer", "--id-col", "no", "--by", "group", "--pos", "名詞", "-o", out)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["group", "word", "pos", "count", "docs", "rank"]
    hw = df[df["group"] == "ハローワーク"].set_index("word")
    assert hw.loc["ノウハウ", "count"] == 1  # half-width ﾉｳﾊｳ counted as ノウハウ
    assert df["pos"].str.startswith("名詞").all()
    muni = df[df["group"] == "自治体"].set_index("word")
    assert muni.loc["ノウハウ", "count"] == 1 and muni.loc["人手不足", "docs"] == 1
    assert "する" not in set(df["word"])  # default stop word


def test_words_markdown_to_stdout_and_cache_dir(answers, tmp_path):
    cache = tmp_path / "cache"
    r = run("words", answers, "--text-col", "answer", "--cache-dir", cache, "--top", "3")
    assert r.exit_code == 0
    assert r.output.startswith("| 語 | 品詞 | 出現数 | 文書数 | 順位 |")  # Japanese headings (issue #15)
    assert any(cache.iterdir())


def test_missing_column_is_one_clear_line(answers):
    r = run("words", answers, "--text-col", "回答")
    assert r.exit_code == 1
    assert "answers.csv: no column '回答'" in r.output
    assert "Traceback" not in r.output


def test_unreadable_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    r = run("tokenize", bad, "--text-col", "answer")
    assert r.exit_code == 1 and "broken.xlsx" in r.output and "Traceback" not in r.output
    r = run("words", tmp_path / "nothing.csv", "--text-col", "answer")
    assert r.exit_code == 1 and "nothing.csv: no such file" in r.output


def test_unknown_pos_and_group_column(answers):
    r = run("words", answers, "--text-col", "answer", "--pos", "形容動詞")
    assert r.exit_code == 1 and "形容動詞" in r.output
    r = run("words", answers, "--text-col", "answer", "--by", "prefecture")
    assert r.exit_code == 1 and "'prefecture'" in r.output


def test_user_words_option(answers, tmp_path):
    uw = tmp_path / "uw.txt"
    uw.write_text("支援候補者\n", encoding="utf-8")
    r = run("words", answers, "--text-col", "answer", "--user-words", uw, "--no-cache")
    assert r.exit_code == 0 and "| 支援候補者 |" in r.output
