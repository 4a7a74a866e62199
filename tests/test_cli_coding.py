"""The coding commands: code, freq, lint."""

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli

CODEBOOK = """
name: mini
user_words: [温度差]
categories:
  - id: challenge
    label: 課題
    codes:
      - id: gap
        label: 温度差
        rule: 温度差
      - id: knowhow
        label: ノウハウ不足
        rule: |
          ノウハウ & 不足 | neg(ノウハウ)
"""


@pytest.fixture
def files(tmp_path):
    cb = tmp_path / "mini.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    data = tmp_path / "a.xlsx"
    pd.DataFrame(
        {
            "no": ["1", "2", "3", "4", "5", "6"],
            "group": ["自治体", "自治体", "自治体", "HW", "HW", "HW"],
            "answer": [
                "温度差がある。ノウハウが不足",
                "温度差はない",
                "",
                "ノウハウがない",
                "温度差を感じる",
                "特になし",
            ],
        }
    ).to_excel(data, index=False)
    return cb, data


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_code_writes_every_document_and_evidence(files, tmp_path):
    cb, data = files
    out, ev = tmp_path / "coded.csv", tmp_path / "ev.csv"
    r = run("code", data, "--text-col", "answer", "--id-col", "no", "--codebook", cb, "-o", out, "--evidence", ev, "-q")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"id": str})
    assert df["id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    assert list(df.columns) == ["id", "group", "gap", "knowhow"]
    assert df["gap"].tolist() == [1, 0, 0, 0, 1, 0]
    assert df["knowhow"].tolist() == [1, 0, 0, 1, 0, 0]
    hits = pd.read_csv(ev, dtype={"id": str})
    assert {"id", "code", "text", "start", "end"} <= set(hits.columns)
    assert set(hits[hits["code"] == "gap"]["text"]) == {"温度差"}


def test_freq_without_by_is_one_row_per_code(files, tmp_path):
    cb, data = files
    out = tmp_path / "freq.csv"
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "-o", out)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["code", "label", "count", "percent"]
    assert df.values.tolist() == [["gap", "温度差", 2, 33.33], ["knowhow", "ノウハウ不足", 2, 33.33]]


def test_freq_by_group_excel_markdown_and_figure(files, tmp_path):
    cb, data = files
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "--by", "group", "-o", tmp_path / "f.xlsx")
    assert r.exit_code == 0, r.output
    df = pd.read_excel(tmp_path / "f.xlsx")
    assert {"n:HW", "count:HW", "percent:自治体", "chi2", "p", "resid:HW"} <= set(df.columns)
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "--by", "group")
    # Markdown is for people (issue #15): code labels, Japanese headings, N per group, p with marks.
    assert r.output.startswith("| コード名 | HW N | HW 件数 | HW 割合(%) |") and "| p値 |" in r.output
    png = tmp_path / "f.png"
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "--by", "group", "-o", png)
    assert r.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_vars_option_attaches_variables(files, tmp_path):
    cb, data = files
    v = tmp_path / "vars.csv"
    v.write_text("wave\n1\n1\n1\n2\n2\n2\n", encoding="utf-8")
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "--vars", f"{v}:document", "--by", "wave")
    assert r.exit_code == 0, r.output
    assert "| 2 件数 |" in r.output  # the group "2" of the variable, Japanese heading (issue #15)
    v.write_text("wave\n1\n2\n", encoding="utf-8")
    r = run("freq", data, "--text-col", "answer", "--codebook", cb, "--vars", f"{v}:document", "--by", "wave")
    assert r.exit_code == 1 and "one row per unit" in r.output


def test_bad_codebook_is_a_clear_error(files, tmp_path):
    _, data = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - id: a\n    rule: (温度差\n", encoding="utf-8")
    r = run("code", data, "--text-col", "answer", "--codebook", bad)
    assert r.exit_code == 1
    assert "bad.yaml, line 3, code 'a'" in r.output and "Traceback" not in r.output


def test_lint_reports_split_and_unseen_words(files, tmp_path):
    cb, data = files
    cb.write_text(CODEBOOK.replace("rule: 温度差", "rule: 温度差 | 支援候補者 | 存在しない語彙"), encoding="utf-8")
    r = run("lint", data, "--text-col", "answer", "--codebook", cb)
    assert r.exit_code == 0
    assert "'支援候補者' is 2 tokens here (支援 + 候補者)" in r.output
    assert "'存在しない語彙'" in r.output


def test_shipped_codebook_loads_by_name():
    from kotoba_code.codebook import Codebook

    cb = Codebook.load("welfare_employment")
    assert cb.name == "welfare_employment" and len(cb) >= 1


def test_freq_by_speaker_leaves_interviewers_out(tmp_path):
    """Per-speaker theme tables count the respondents' turns, not the interviewer's questions."""
    from pathlib import Path

    transcripts = Path(__file__).resolve().parents[1] / "corpus" / "transcripts"
    out = tmp_path / "s.csv"
    base = ["freq", str(transcripts), "--codebook", "welfare_employment", "--unit", "paragraph", "--by", "speaker"]
    r = CliRunner().invoke(cli, [*base, "--no-cache", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    cols = pd.read_csv(out, encoding="utf-8-sig").columns
    speakers = {c.split(":", 1)[1] for c in cols if c.startswith("n:")}
    assert speakers and not speakers & {"聞き手", "調査員", "質問者", "Q"}
    assert "ハローワーク北浜" in speakers
    r = CliRunner().invoke(cli, [*base, "--with-interviewers", "--no-cache", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    cols = pd.read_csv(out, encoding="utf-8-sig").columns
    assert {"n:聞き手", "n:質問者"} <= set(cols)
