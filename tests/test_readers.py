"""Reading answers and transcripts: encodings, formats, empty rows, clear errors."""

import codecs
import json

import pandas as pd
import pytest

from kotoba_code import Corpus, CorpusReadError, KotobaWarning, read_corpus, read_transcripts
from kotoba_code.textfile import decode_bytes

ROWS = [
    ("M001", "自治体", "北海道", "ＨＷとの連携に温度差を感じる。"),
    ("M002", "自治体", "青森県", ""),
    ("H001", "ハローワーク", "東京都", "   "),
    ("H002", "ハローワーク", "大阪府", "ﾉｳﾊｳ不足,情報共有も不十分"),
]


def _csv_text(sep=","):
    df = pd.DataFrame(ROWS, columns=["id", "group", "prefecture", "answer"])
    return df.to_csv(index=False, sep=sep, lineterminator="\r\n")


def _check(corpus: Corpus):
    assert corpus.ids.tolist() == ["M001", "M002", "H001", "H002"]
    assert corpus.texts[0] == "ＨＷとの連携に温度差を感じる。"
    assert corpus.texts[1] == "" and corpus.texts[2] == "   "
    assert corpus.texts[3] == "ﾉｳﾊｳ不足,情報共有も不十分"
    assert corpus.metadata["group"].tolist() == ["自治体", "自治体", "ハローワーク", "ハローワーク"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "euc_jp"])
def test_csv_encodings_detected(tmp_path, encoding):
    path = tmp_path / "answers.csv"
    path.write_bytes(_csv_text().encode(encoding))
    _check(read_corpus(path, text_col="answer", id_col="id"))


def test_bom_is_not_part_of_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + _csv_text().encode())
    corpus = read_corpus(path, text_col="answer", id_col="id")
    assert corpus.ids[0] == "M001"


def test_explicit_encoding_and_wrong_explicit_encoding(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes(_csv_text().encode("cp932"))
    _check(read_corpus(path, text_col="answer", id_col="id", encoding="cp932"))
    with pytest.raises(CorpusReadError, match=r"sjis.csv.*utf-8.*line 2"):
        read_corpus(path, text_col="answer", id_col="id", encoding="utf-8")


def test_tsv_jsonl_and_dataframe(tmp_path):
    tsv = tmp_path / "a.tsv"
    tsv.write_text(_csv_text("\t"), encoding="utf-8")
    _check(read_corpus(tsv, text_col="answer", id_col="id"))
    jl = tmp_path / "a.jsonl"
    jl.write_text(
        "\n".join(
            json.dumps(dict(zip(["id", "group", "prefecture", "answer"], r, strict=True)), ensure_ascii=False)
            for r in ROWS
        )
        + "\n",
        encoding="utf-8",
    )
    _check(read_corpus(jl, text_col="answer", id_col="id"))
    df = pd.DataFrame(ROWS, columns=["id", "group", "prefecture", "answer"])
    df.loc[1, "answer"] = None  # NaN from a real DataFrame stays a document
    c = Corpus.from_dataframe(df, text_col="answer", id_col="id")
    assert c.texts[1] == "" and len(c) == 4


def test_xlsx_sheet_and_columns(tmp_path):
    path = tmp_path / "survey.xlsx"
    df = pd.DataFrame(ROWS, columns=["id", "group", "prefecture", "answer"])
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"memo": ["表紙"]}).to_excel(xw, sheet_name="表紙", index=False)
        df.to_excel(xw, sheet_name="回答", index=False)
    _check(read_corpus(path, sheet="回答", text_col="answer", id_col="id"))
    _check(read_corpus(path, sheet=1, text_col="answer", id_col="id"))
    with pytest.raises(CorpusReadError, match=r"survey.xlsx: no sheet '集計'.*表紙, 回答"):
        read_corpus(path, sheet="集計", text_col="answer")


def test_missing_column_names_file_and_columns(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(_csv_text(), encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"answers.csv: no column '回答'. Columns found: id, group"):
        read_corpus(path, text_col="回答")
    with pytest.raises(CorpusReadError, match=r"no column 'text'.*--text-col"):
        read_corpus(path)


def test_unreadable_files(tmp_path):
    with pytest.raises(CorpusReadError, match="no such file"):
        read_corpus(tmp_path / "missing.csv", text_col="answer")
    binary = tmp_path / "broken.xlsx"
    binary.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusReadError, match=r"broken.xlsx.*not a readable .xlsx"):
        read_corpus(binary, text_col="answer")
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"id,answer\n1,\x00\x00\n")
    with pytest.raises(CorpusReadError, match="NUL bytes"):
        read_corpus(nul, text_col="answer")
    with pytest.raises(CorpusReadError, match="unsupported file type '.pdf'"):
        read_corpus(tmp_path / "x.pdf", text_col="answer") if (tmp_path / "x.pdf").write_bytes(b"%PDF") else None
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"bad.jsonl: line 2 is not valid JSON"):
        read_corpus(bad_json)


def test_duplicate_and_empty_ids(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,answer\nA,x\nB,y\nA,z\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"duplicate id 'A' in rows 2 and 4"):
        read_corpus(path, text_col="answer", id_col="id")
    path.write_text("id,answer\nA,x\n,y\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"row 3 has an empty id"):
        read_corpus(path, text_col="answer", id_col="id")


def test_row_with_unquoted_commas_is_kept_and_reported(tmp_path):
    path = tmp_path / "commas.csv"
    path.write_text(
        "id,group,answer\n1,自治体,温度差がある\n2,HW,人手不足,予算不足,研修不足\n3,HW,\n", encoding="utf-8"
    )
    with pytest.warns(KotobaWarning, match=r"commas.csv: row 3 has 5 fields, expected 3"):
        c = read_corpus(path, text_col="answer", id_col="id")
    assert c.ids.tolist() == ["1", "2", "3"]
    assert c.texts == ["温度差がある", "人手不足,予算不足,研修不足", ""]


def test_undecodable_bytes_keep_the_row_and_warn(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("id,answer\n1,温度差\n".encode() + b"2,\xff\xfe\x80abc\n" + "3,連携\n".encode())
    with pytest.warns(KotobaWarning, match=r"mixed.csv: 1 line\(s\) could not be decoded.*lines 3"):
        c = read_corpus(path, text_col="answer", id_col="id")
    assert c.ids.tolist() == ["1", "2", "3"] and c.texts[2] == "連携"


def test_decode_bytes_prefers_japanese_reading():
    assert decode_bytes("就労支援の課題".encode("euc_jp")) == ("就労支援の課題", "euc_jp")
    assert decode_bytes("就労支援の課題".encode("cp932")) == ("就労支援の課題", "cp932")


TRANSCRIPT = """# 調査日: 2021-12-10
# 対象: 〇〇市 生活福祉課
# 区分: 自治体

聞き手：本日はありがとうございます。ハローワークとの連携について伺います。
〇〇市：はい。えー、月に１回ケース会議をしています。
ただ、担当者によって温度差はありますね。

それと、情報共有が遅れることもあります。
A: 役割分担は明確です。
Q:10:30 から始めました。
"""


def test_transcript_turns_become_paragraph_units(tmp_path):
    path = tmp_path / "01_city.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    c = read_transcripts(path)
    assert c.ids.tolist() == ["01_city"]
    assert c.metadata.loc[0, "区分"] == "自治体"
    turns = c.units("paragraph")
    assert turns["speaker"].tolist() == ["聞き手", "〇〇市", "A", "Q"]
    text = c.texts[0]
    second = turns.iloc[1]
    body = text[second["start"] : second["end"]]
    assert body.startswith("はい。") and body.endswith("遅れることもあります。")
    assert text[turns.iloc[3]["start"] : turns.iloc[3]["end"]] == "10:30 から始めました。"
    sents = c.units("sentence")
    assert (sents[sents["paragraph"] == 2]["speaker"] == "〇〇市").all()
    assert len(sents[sents["paragraph"] == 2]) == 4


def test_transcripts_directory_cp932(tmp_path):
    (tmp_path / "b.txt").write_bytes("A：温度差がある。\n".encode("cp932"))
    (tmp_path / "a.txt").write_text("聞き手：どうですか。\n", encoding="utf-8")
    c = read_corpus(tmp_path)
    assert c.ids.tolist() == ["a", "b"]
    assert c.units("paragraph")["speaker"].tolist() == ["聞き手", "A"]


def test_units_of_answers():
    c = Corpus.from_texts(["・連携が不十分。温度差もある！\n・人手不足\n\n", "", "「遅い。」と言われた"])
    p = c.units("paragraph")
    assert p["id"].tolist() == ["1", "1", "3"]
    s = c.units("sentence")
    got = [c.texts[d][a:b] for d, a, b in zip(s["doc"], s["start"], s["end"], strict=True)]
    assert got == ["・連携が不十分。", "温度差もある！", "・人手不足", "「遅い。」", "と言われた"]
    d = c.units("document")
    assert d["id"].tolist() == ["1", "2", "3"]
    with pytest.raises(CorpusReadError, match="Unit 'line'"):
        c.units("line")
