"""Markdown output quotes respondents' text as text: no live HTML, no layout broken by # | * [ ] in an answer.

The files are rendered with markdown-it-py with raw HTML allowed, as GitHub,
wikis and editors render them.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli
from kotoba_code.io.writers import to_markdown

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (dev extra) renders the Markdown")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
ANSWERS = {
    "a1": ("<b>自治体</b>", f"{SCRIPT}温度差がある"),
    "a2": ("<b>自治体</b>", "温度差 | 表 | を壊す & ノウハウ"),
    "h1": ("# HW", "# 温度差が見出しになる"),
    "h2": ("# HW", "温度差 / ノウハウ不足 [link](javascript:alert(3)) *強調*"),
}
CODEBOOK = f"""\
codes:
  - id: gap
    label: '{IMG}温度差'
    rule: 温度差
  - id: know
    label: "ノウハウ | 不足"
    rule: ノウハウ
"""


def _render(md: str) -> str:
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)


@pytest.fixture
def synthesis_md(tmp_path):
    data = tmp_path / "answers.csv"
    pd.DataFrame(
        {"id": list(ANSWERS), "group": [g for g, _ in ANSWERS.values()], "answer": [t for _, t in ANSWERS.values()]}
    ).to_csv(data, index=False)
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / "synthesis.md"
    args = ["synthesize", data, "--text-col", "answer", "--id-col", "id", "--codebook", cb, "--by", "group"]
    r = CliRunner().invoke(cli, [str(a) for a in args] + ["--min-share", "0.1", "-o", str(out), "-q", "--no-cache"])
    assert r.exit_code == 0, r.output
    return out.read_text(encoding="utf-8")


def test_synthesis_markdown_shows_html_as_text(synthesis_md):
    page = _render(synthesis_md)
    # No element a respondent or a codebook author wrote is live.
    assert not re.search(r"<(script|img|b)\b", page), page
    assert "javascript:" not in re.findall(r'href="([^"]*)"', page)
    assert "<em>" not in page and "<a " not in page
    # The characters themselves are all there, shown as typed.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;温度差がある" in page
    assert "&lt;img src=x onerror=alert(2)&gt;温度差" in page
    # Quotes are cited with their group and respondent id (issue #15).
    assert "」（&lt;b&gt;自治体&lt;/b&gt;、ID a1）" in page and "「# 温度差が見出しになる」（# HW、ID h1）" in page
    assert "&amp; ノウハウ" in page and "[link](javascript:alert(3)) *強調*" in page


def test_synthesis_markdown_layout_survives_hostile_text(synthesis_md):
    page = _render(synthesis_md)
    # One title, one section per theme, nothing else became a heading or a table.
    assert len(re.findall(r"<h1>", page)) == 1
    assert len(re.findall(r"<h2>", page)) == 2
    assert "<table>" not in page
    gap = page.split("<h2>")[1]
    quotes = re.findall(r"<li>「([^<]*)」（(?:&lt;b&gt;自治体&lt;/b&gt;|# HW)、ID [ah][12]）</li>", gap)
    # Each group's quotes are whole list items, including the one containing " / ".
    assert len(quotes) == 4, quotes
    assert any(q.startswith("温度差 / ノウハウ不足") for q in quotes)


def test_markdown_table_keeps_its_columns(tmp_path):
    df = pd.DataFrame({"word": ["a|b", SCRIPT, "x\\", "改行\nあり"], "count": [1, 2, 3, -4]})
    page = _render(to_markdown(df))
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    assert len(rows) == 5
    assert all(len(re.findall(r"<t[dh]>", r)) == 2 for r in rows), rows
    cells = [re.findall(r"<td>(.*?)</td>", r)[0] for r in rows[1:]]
    assert cells == ["a|b", "&lt;script&gt;alert(1)&lt;/script&gt;", "x\\", "改行 あり"]
    assert re.findall(r"<td>(-?\d+)</td>", page) == ["1", "2", "3", "-4"]
