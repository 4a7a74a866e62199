"""Hostile and broken CSV/TSV files: every row comes out with its id, or one error names the line.

Each crafted file goes through the library and through the real command line
(a subprocess running ``kotoba-code code``), which must end in seconds with a
one-line ``Error: [E###]`` and exit 1, or exit 0 with every id in its output
and a warning naming the affected rows.
"""

import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from kotoba_code import CorpusReadError, KotobaWarning, read_corpus
from kotoba_code.io.readers import read_table

ROOT = Path(__file__).resolve().parents[1]

UNTERMINATED = 'id,text\n1,"unterminated ハローワーク\n2,連携\n3,x\n'.encode()
WIDE_FIRST = "id,text\n1,ハローワーク,と連携\n2,連携\n".encode()
WIDE_LATER = "id,text\n1,ハローワーク\n2,連携,と温度差\n3,x\n".encode()
NUL = "id,text\n1,ハローワーク\n2,連\x00携\n3,x\n".encode()
UTF16_NO_BOM = "id,text\n1,ハローワーク\n2,連携\n3,温度差\n".encode("utf-16-le")


def _read(path, **kw):
    """read_corpus, returning the corpus and the messages of its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = read_corpus(path, text_col="text", id_col="id", **kw)
    return corpus, [str(w.message) for w in caught if issubclass(w.category, KotobaWarning)]


def _cli(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-c", "from kotoba_code.cli.app import main; main()", "code", str(path)]
    cmd += ["--text-col", "text", "--id-col", "id", "--codebook", "welfare_employment", "-o", str(out)]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)


def _assert_one_line_error(proc: subprocess.CompletedProcess, code: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: [{code}]"), proc.stderr
    return lines[0]


def _coded_ids(tmp_path: Path) -> list[str]:
    return pd.read_csv(tmp_path / "out.csv", dtype=str, encoding="utf-8-sig")["id"].tolist()


# -- 1. a quote that never closes -------------------------------------------


def test_unterminated_quote_is_an_error_naming_its_line(tmp_path):
    path = tmp_path / "unterminated.csv"
    path.write_bytes(UNTERMINATED)
    with pytest.raises(CorpusReadError, match=r"\[E119\] .*unterminated.csv: row 2: a quoted field .* lines 2-4"):
        read_corpus(path, text_col="text", id_col="id")
    line = _assert_one_line_error(_cli(path, tmp_path), "E119")
    assert "row 2" in line and "lines 2-4" in line
    assert not (tmp_path / "out.csv").exists()


def test_unterminated_quote_after_multiline_answers_names_row_and_line(tmp_path):
    # Row 3 starts on line 4 because row 2's answer spans two lines; the
    # quote that never closes opens on line 5, inside row 4.
    path = tmp_path / "late.csv"
    path.write_bytes('id,text\r\n1,"一行目\r\n二行目"\r\n2,ok\r\n3,"ハローワーク\r\n4,連携\r\n'.encode())
    with pytest.raises(CorpusReadError, match=r"late.csv: row 4 \(line 5\): .* lines 5-6"):
        read_corpus(path, text_col="text", id_col="id")


def test_quote_in_the_header_that_never_closes(tmp_path):
    path = tmp_path / "header.csv"
    path.write_bytes(b'id,"text\n1,a\n')
    with pytest.raises(CorpusReadError, match=r"header.csv: row 1: .* lines 1-2"):
        read_table(path)


def test_rows_swallowed_by_a_stray_quote_are_reported(tmp_path):
    # The quote opened in row 2 closes at a stray quote in row 4: the file is
    # valid CSV, but rows 3 and 4 look like rows inside row 2's answer.
    path = tmp_path / "swallowed.csv"
    path.write_bytes('id,text\n1,"ハローワーク\n2,連携\n3,x"\n4,温度差\n'.encode())
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "4"]
    assert any("[W105]" in w and "row 2:" in w and "line(s) 3, 4" in w for w in warned), warned


def test_multiline_answers_from_excel_read_silently(tmp_path):
    path = tmp_path / "excel.csv"
    text = 'id,text,group\r\n1,"・定例会議\r\n・ケース検討, 同行支援",自治体\r\n2,"一行\n""引用""",HW\r\n3,,HW\r\n'
    path.write_bytes(text.encode("cp932"))
    corpus, warned = _read(path)
    assert warned == []
    assert corpus.ids.tolist() == ["1", "2", "3"]
    assert corpus.texts == ["・定例会議\r\n・ケース検討, 同行支援", '一行\n"引用"', ""]


# -- 2. rows wider or narrower than the header ------------------------------


def test_wide_first_row_keeps_ids_and_every_answer(tmp_path):
    path = tmp_path / "wide_first.csv"
    path.write_bytes(WIDE_FIRST)
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "2"]
    assert corpus.texts == ["ハローワーク,と連携", "連携"]
    assert warned == [f"[W102] {path}: row 2 has 3 fields, expected 2; extra fields were joined."]
    proc = _cli(path, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Warning: [W102]" in proc.stderr and "row 2 has 3 fields" in proc.stderr
    assert _coded_ids(tmp_path) == ["1", "2"]


def test_wide_later_row_and_empty_id_are_numbered_alike(tmp_path):
    path = tmp_path / "wide_later.csv"
    path.write_bytes(WIDE_LATER)
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "2", "3"] and corpus.texts[1] == "連携,と温度差"
    assert warned == [f"[W102] {path}: row 3 has 3 fields, expected 2; extra fields were joined."]
    # The same physical row, now also without an id: the error names row 3 too.
    path.write_bytes("id,text\n1,ハローワーク\n,連携,と温度差\n3,x\n".encode())
    with pytest.warns(KotobaWarning, match="row 3 has 3 fields"):
        with pytest.raises(CorpusReadError, match=r"\[E106\] .*: row 3 has an empty id"):
            read_corpus(path, text_col="text", id_col="id")
    path.write_bytes("id,text\n1,ハローワーク\n2,連携\n1,x\n".encode())
    with pytest.raises(CorpusReadError, match=r"duplicate id '1' in rows 2 and 4"):
        read_corpus(path, text_col="text", id_col="id")
    path.write_bytes(WIDE_LATER)
    proc = _cli(path, tmp_path)
    assert proc.returncode == 0 and "row 3 has 3 fields" in proc.stderr
    assert _coded_ids(tmp_path) == ["1", "2", "3"]


def test_rows_after_multiline_answers_and_blank_lines_name_row_and_line(tmp_path):
    path = tmp_path / "lines.tsv"
    path.write_bytes('id\ttext\n1\t"二行の\n回答"\n\n2\tx\textra\n\tno id\n'.encode())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CorpusReadError, match=r"lines.tsv: row 5 \(line 6\) has an empty id"):
            read_corpus(path, text_col="text", id_col="id")
    # The blank line is row 3 as in a spreadsheet, so the wide row is row 4, on line 5.
    assert [str(w.message) for w in caught] == [
        f"[W102] {path}: row 4 (line 5) has 3 fields, expected 2; extra fields were joined."
    ]


def test_short_rows_are_kept_and_reported(tmp_path):
    path = tmp_path / "short.csv"
    path.write_bytes("id,text,group\n1,連携,自治体\n2,温度差\n3\n".encode())
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "2", "3"]
    assert corpus.texts == ["連携", "温度差", ""] and corpus.metadata["group"].tolist() == ["自治体", "", ""]
    assert warned == [
        f"[W104] {path}: 2 row(s) have fewer fields than the header (3); the missing fields are empty: rows 3, 4."
    ]


def test_blank_lines_are_skipped_but_counted_as_rows(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"id,text\n1,a\n\n2,b\n\n")
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "2"] and warned == []
    path.write_bytes(b"id,text\n1,a\n\n1,b\n")
    with pytest.raises(CorpusReadError, match=r"duplicate id '1' in rows 2 and 4"):
        read_corpus(path, text_col="text", id_col="id")


def test_jsonl_rows_name_their_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "1", "text": "a"}\n\n{"id": "", "text": "b"}\n', encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"a.jsonl: row 3 \(line 3\) has an empty id"):
        read_corpus(path, text_col="text", id_col="id")


def test_dataframe_rows_are_counted_as_in_a_spreadsheet():
    from kotoba_code import Corpus

    df = pd.DataFrame({"id": ["a", "", "c"], "text": ["x", "y", "z"]})
    with pytest.raises(CorpusReadError, match=r"<DataFrame>: row 3 has an empty id"):
        Corpus.from_dataframe(df, id_col="id")


# -- 3. NUL bytes -------------------------------------------------------------


def test_nul_byte_is_an_error_naming_its_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(NUL)
    with pytest.raises(CorpusReadError, match=r"\[E120\] .*nul.csv: line 3 contains a NUL byte;"):
        read_corpus(path, text_col="text", id_col="id")
    line = _assert_one_line_error(_cli(path, tmp_path), "E120")
    assert "line 3" in line
    path.write_bytes(b"id,text\n1,\x00a\n2,\x00b\n")
    with pytest.raises(CorpusReadError, match=r"line 2 contains a NUL byte \(and 1 more line\(s\)\)"):
        read_corpus(path, text_col="text")


def test_binary_file_named_csv_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(CorpusReadError, match=r"binary.csv: line \d+ contains a NUL byte.*binary file"):
        read_corpus(path, text_col="text")


# -- 4. UTF-16 without a BOM --------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path, encoding):
    path = tmp_path / "utf16.csv"
    path.write_bytes("id,text\n1,ハローワーク\n2,連携\n3,温度差\n".encode(encoding))
    corpus, warned = _read(path)
    assert corpus.ids.tolist() == ["1", "2", "3"] and warned == []
    assert corpus.texts == ["ハローワーク", "連携", "温度差"]


def test_utf16_without_bom_through_the_cli(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(UTF16_NO_BOM)
    proc = _cli(path, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _coded_ids(tmp_path) == ["1", "2", "3"]


def test_utf16_read_with_a_wrong_explicit_encoding_gets_a_hint(tmp_path):
    path = tmp_path / "ascii16.csv"
    path.write_bytes("id,text\n1,HW\n2,OK\n".encode("utf-16-le"))
    with pytest.raises(CorpusReadError, match=r"line 1 contains a NUL byte.*UTF-16 without a BOM.*utf-16-le"):
        read_corpus(path, text_col="text", encoding="utf-8")
