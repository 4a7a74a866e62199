"""Excel survey forms: real .xlsx files made with openpyxl, plus broken ones."""

from __future__ import annotations

import io
import warnings

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.workbook.defined_name import DefinedName

from kotoba_code import CorpusReadError, KotobaWarning
from kotoba_code.cli.app import cli
from kotoba_code.io.forms import read_excel_forms

CELLS = {"group": "B3", "prefecture": "B4"}
QUESTIONS = {"challenge": "B10", "practice": "B12"}


def make_form(path, group, prefecture, challenge, practice, *, merged=True, names=False, sheet_title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if sheet_title:
        ws.title = sheet_title
    ws["A1"] = "生活困窮者自立支援制度と就労支援の連携に関する調査"
    ws["A3"], ws["B3"] = "区分", group
    ws["A4"], ws["B4"] = "都道府県", prefecture
    ws["A10"], ws["B10"] = "連携上の課題", challenge
    ws["A12"], ws["B12"] = "工夫している取組", practice
    if merged:
        # Answer boxes are merged ranges in real templates.
        ws.merge_cells("B10:F11")
        ws.merge_cells("B12:F13")
    if names:
        title = ws.title
        wb.defined_names["回答_課題"] = DefinedName("回答_課題", attr_text=f"'{title}'!$B$10:$F$11")
        wb.defined_names["区分"] = DefinedName("区分", attr_text=f"'{title}'!$B$3")
    wb.save(path)
    return path


@pytest.fixture
def forms(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    make_form(
        folder / "kyoto_city.xlsx", "自治体", "京都府", "ハローワークとの温度差がある。\n情報共有も不十分。", "定例会議"
    )
    make_form(folder / "hw_osaka.xlsx", "ハローワーク", "大阪府", None, "  ")
    make_form(folder / "yamagata.xlsx", "自治体", "山形県", 123, "同行支援")
    # A truncated package: the zip's central directory is gone.
    good = (folder / "kyoto_city.xlsx").read_bytes()
    (folder / "broken.xlsx").write_bytes(good[: len(good) // 2])
    # Not a zip at all: a CSV someone renamed.
    (folder / "renamed.xlsx").write_bytes("区分,回答\n自治体,温度差\n".encode("cp932"))
    # Password-protected: a real encrypted OOXML package (an OLE compound file).
    plain = io.BytesIO(make_form(tmp_path / "secret_plain.xlsx", "自治体", "北海道", "秘密", "").read_bytes())
    with (folder / "secret.xlsx").open("wb") as out:
        OOXMLFile(plain).encrypt("pass", out)
    (folder / "notes.txt").write_text("回収状況メモ", encoding="utf-8")
    (folder / "~$kyoto_city.xlsx").write_bytes(b"lock")  # Excel's lock file: ignored
    return folder


def read_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KotobaWarning)
        return read_excel_forms(*args, **kwargs)


def test_forms_become_one_corpus(forms):
    corpus, summary = read_quietly(forms, CELLS, text_cells=QUESTIONS)
    df = corpus.to_frame()
    assert df["id"].tolist() == [
        "hw_osaka:challenge",
        "hw_osaka:practice",
        "kyoto_city:challenge",
        "kyoto_city:practice",
        "yamagata:challenge",
        "yamagata:practice",
    ]
    assert df.columns.tolist() == ["id", "text", "file", "question", "group", "prefecture"]
    # Empty and white-space answers stay documents; line breaks in a cell survive.
    assert df["text"].tolist() == [
        "",
        "  ",
        "ハローワークとの温度差がある。\n情報共有も不十分。",
        "定例会議",
        "123",
        "同行支援",
    ]
    assert df["group"].tolist() == ["ハローワーク"] * 2 + ["自治体"] * 4
    assert df["prefecture"].tolist()[2:4] == ["京都府", "京都府"]
    assert df["question"].tolist() == ["challenge", "practice"] * 3
    assert len(corpus.units("sentence")[lambda u: u["id"] == "kyoto_city:challenge"]) == 2


def test_summary_names_each_skipped_form(forms):
    with pytest.warns(KotobaWarning) as record:
        _, summary = read_excel_forms(forms, CELLS, text_cells=QUESTIONS)
    s = summary.set_index("file")
    assert s.index.tolist() == [
        "broken.xlsx",
        "hw_osaka.xlsx",
        "kyoto_city.xlsx",
        "notes.txt",
        "renamed.xlsx",
        "secret.xlsx",
        "yamagata.xlsx",
    ]
    assert s["status"].to_dict() == {
        "broken.xlsx": "skipped",
        "hw_osaka.xlsx": "ok",
        "kyoto_city.xlsx": "ok",
        "notes.txt": "skipped",
        "renamed.xlsx": "skipped",
        "secret.xlsx": "skipped",
        "yamagata.xlsx": "ok",
    }
    assert s["documents"].tolist() == [0, 2, 2, 0, 0, 0, 2]
    assert "password-protected" in s.loc["secret.xlsx", "reason"]
    assert "not a zip" in s.loc["renamed.xlsx", "reason"]
    assert "not an .xlsx form" in s.loc["notes.txt", "reason"]
    assert s.loc["broken.xlsx", "reason"]
    assert s.loc["kyoto_city.xlsx", "reason"] == ""
    messages = [str(w.message) for w in record]
    assert len(messages) == 4
    assert any("secret.xlsx" in m and "[W103]" in m and "skipped" in m for m in messages)


def test_old_xls_with_xlsx_name_is_explained(tmp_path):
    # An OLE compound file without an EncryptedPackage stream: Excel 97-2003.
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    make_form(tmp_path / "new.xlsx", "自治体", "京都府", "a", "b")
    with pytest.warns(KotobaWarning, match="old.xlsx"):
        corpus, summary = read_excel_forms(tmp_path, CELLS, text_cells=QUESTIONS)
    assert "97-2003" in summary.loc[summary["file"] == "old.xlsx", "reason"].item()
    assert len(corpus) == 2


def test_defined_names_sheet_refs_and_plain_cells(tmp_path):
    make_form(tmp_path / "a.xlsx", "自治体", "京都府", "課題あり", "会議", names=True, sheet_title="回答 票")
    corpus, summary = read_excel_forms(
        tmp_path,
        {"group": "区分", "prefecture": "'回答 票'!$B$4"},
        text_cells={"challenge": "回答_課題", "practice": "C12"},  # C12 is inside the merged box B12:F13
    )
    assert corpus.to_frame()[["id", "text", "group", "prefecture"]].values.tolist() == [
        ["a:challenge", "課題あり", "自治体", "京都府"],
        ["a:practice", "会議", "自治体", "京都府"],
    ]
    assert summary["status"].tolist() == ["ok"]


def test_missing_name_or_sheet_skips_the_form(tmp_path):
    make_form(tmp_path / "named.xlsx", "自治体", "京都府", "課題", "会議", names=True)
    make_form(tmp_path / "plain.xlsx", "自治体", "京都府", "課題", "会議")
    with pytest.warns(KotobaWarning, match="plain.xlsx"):
        corpus, summary = read_excel_forms(tmp_path, {"group": "区分"}, text_cells={"challenge": "回答_課題"})
    assert corpus.ids.tolist() == ["named:challenge"]
    assert "no cell or defined name '区分'" in summary.loc[1, "reason"]
    with pytest.warns(KotobaWarning):
        _, summary = read_excel_forms(tmp_path, {}, text_cells={"challenge": "B10"}, sheet="回答")
    assert summary["status"].tolist() == ["skipped", "skipped"]
    assert "no sheet '回答'" in summary.loc[0, "reason"]


def test_values_become_text(tmp_path):
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"], ws["B4"], ws["B10"], ws["B12"] = 3.0, dt.datetime(2024, 7, 1), 2.5, True
    wb.save(tmp_path / "f.xlsx")
    corpus, _ = read_excel_forms(tmp_path, CELLS, text_cells=QUESTIONS)
    assert corpus.metadata[["group", "prefecture"]].iloc[0].tolist() == ["3", "2024-07-01"]
    assert corpus.texts == ["2.5", "TRUE"]


def test_user_mistakes_are_errors(tmp_path):
    with pytest.raises(CorpusReadError, match="E110"):
        read_excel_forms(tmp_path / "nope", CELLS, text_cells=QUESTIONS)
    with pytest.raises(CorpusReadError, match=r"\[E116\].*no question cells"):
        read_excel_forms(tmp_path, CELLS)
    with pytest.raises(CorpusReadError, match=r"\[E117\].*reserved"):
        read_excel_forms(tmp_path, {"question": "B3"}, text_cells=QUESTIONS)
    with pytest.raises(CorpusReadError, match=r"\[E118\].*holds no forms"):
        read_excel_forms(tmp_path, CELLS, text_cells=QUESTIONS)


def test_unsafe_zip_member_is_refused(tmp_path):
    import zipfile

    src = make_form(tmp_path / "src.xlsx", "自治体", "京都府", "a", "b")
    folder = tmp_path / "forms"
    folder.mkdir()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(folder / "evil.xlsx", "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item))
        zout.writestr("../../escape.txt", "x")
    with pytest.warns(KotobaWarning, match="unsafe path"):
        corpus, _ = read_excel_forms(folder, CELLS, text_cells=QUESTIONS)
    assert len(corpus) == 0


def test_corpus_classmethod(forms):
    with pytest.warns(KotobaWarning):
        corpus = read_excel_forms(forms, CELLS, text_cells=QUESTIONS)[0]
    assert len(corpus) == 6
    assert corpus.metadata.columns.tolist() == ["file", "question", "group", "prefecture"]


def test_cli_ingest(forms, tmp_path):
    out = tmp_path / "answers.csv"
    summary_out = tmp_path / "summary.csv"
    args = ["ingest", forms, "--cell", "group=B3", "--cell", "prefecture=B4"]
    args += ["--question", "challenge=B10", "--question", "practice=B12", "-o", out, "--summary", summary_out]
    r = CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "secret.xlsx" in r.stdout and "password-protected" in r.stdout
    assert "Warning" not in r.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(df) == 6 and df.columns.tolist()[:4] == ["id", "text", "file", "question"]
    assert pd.read_csv(summary_out)["status"].value_counts().to_dict() == {"skipped": 4, "ok": 3}
    # The table codes like any answers file.
    r = CliRunner().invoke(
        cli,
        ["code", str(out), "--text-col", "text", "--id-col", "id", "--codebook", "welfare_employment", "-q"],
        catch_exceptions=False,
    )
    assert r.exit_code == 0 and r.stdout.count("\n") == 7


def test_cli_ingest_mistakes(forms, tmp_path):
    r = CliRunner().invoke(cli, ["ingest", str(forms), "--question", "B10", "-o", str(tmp_path / "a.csv")])
    assert r.exit_code == 2 and "NAME=CELL" in r.output
    r = CliRunner().invoke(cli, ["ingest", str(forms), "--question", "q=ZZ", "-o", str(tmp_path / "a.csv")])
    assert r.exit_code == 1 and "no form could be read" in r.output


def test_a_file_is_not_a_folder_of_forms(tmp_path):
    path = tmp_path / "one.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CorpusReadError, match=r"\[E115\].*one.xlsx is not a folder of Excel forms"):
        read_excel_forms(path, CELLS, text_cells=QUESTIONS)
