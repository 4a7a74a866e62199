"""Reading, tokenizing and coding in chunks: bounded memory, the same tables.

The chunked path (``kotoba-code freq`` on large tables, ``--chunk-size``)
must give byte-identical tables to the whole-file path, and read exactly the
documents the whole-file reader reads, warnings included.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.coding.counts import frequencies_from_counts, sum_counts
from kotoba_code.coding.stream import frequencies_by_chunk
from kotoba_code.errors import CorpusReadError, KotobaWarning
from kotoba_code.io.readers import read_corpus
from kotoba_code.io.stream import NotStreamable, iter_corpus_chunks

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "answers.csv"
CB = "welfare_employment"


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> Path:
    """The first 300 sample answers (multi-line ones included): enough
    chunks and codes, a fraction of the time of the whole sample."""
    p = tmp_path_factory.mktemp("stream") / "answers.csv"
    pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(300).to_csv(p, index=False)
    return p


def _freq(tmp_path: Path, inp: Path, name: str, *extra: str) -> bytes:
    out = tmp_path / name
    args = ["freq", str(inp), "--text-col", "answer", "--id-col", "id", "--codebook", CB, "--no-cache", "-q"]
    r = CliRunner().invoke(cli, [*args, *extra, "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_freq_in_chunks_equals_whole_file(tmp_path, unit, subset):
    whole = _freq(tmp_path, subset, "whole.csv", "--by", "group", "--unit", unit)
    chunked = _freq(tmp_path, subset, "chunked.csv", "--by", "group", "--unit", unit, "--chunk-size", "97")
    assert chunked == whole
    table = pd.read_csv(tmp_path / "chunked.csv")
    # A real table: every code, groups with units, some code present.
    assert len(table) == len(Codebook.load(CB)) and table.filter(like="count:").to_numpy().sum() > 0


def test_freq_in_chunks_without_by_and_with_a_unit_attribute(tmp_path, subset):
    assert _freq(tmp_path, subset, "a.csv", "--chunk-size", "50") == _freq(tmp_path, subset, "b.csv")
    # "paragraph" is an attribute of sentence units, not a column: read whole.
    extra = ("--unit", "sentence", "--by", "paragraph")
    assert _freq(tmp_path, subset, "c.csv", *extra, "--chunk-size", "50") == _freq(tmp_path, subset, "d.csv", *extra)


def test_chunks_read_what_the_whole_file_reader_reads(tmp_path):
    p = tmp_path / "messy.csv"
    rows = [
        "id,group,answer",
        'a1,x,"一行目\n二行目"',
        "a2,y,カンマ,入り,回答",  # a wide row: extra fields joined, W102
        "",  # a blank line: no record
        "a3,x",  # a short row: padded, W104
        "a4,y,普通の回答",
    ]
    p.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    with warnings.catch_warnings(record=True) as w_whole:
        warnings.simplefilter("always")
        whole = read_corpus(p, text_col="answer", id_col="id")
    with warnings.catch_warnings(record=True) as w_chunks:
        warnings.simplefilter("always")
        chunks = list(iter_corpus_chunks(p, text_col="answer", id_col="id", chunk_size=2))
    assert [len(c) for c in chunks] == [2, 2]
    assert sum((c.ids.tolist() for c in chunks), []) == whole.ids.tolist()
    assert sum((c.texts for c in chunks), []) == whole.texts == ["一行目\n二行目", "カンマ,入り,回答", "", "普通の回答"]
    meta = pd.concat([c.metadata for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(meta, whole.metadata)
    assert sorted(str(x.message)[:5] for x in w_chunks if issubclass(x.category, KotobaWarning)) == sorted(
        str(x.message)[:5] for x in w_whole if issubclass(x.category, KotobaWarning)
    )
    assert {str(x.message)[:5] for x in w_chunks} == {"[W102", "[W104"}


def test_row_numbers_as_ids_count_across_chunks(tmp_path):
    chunks = list(iter_corpus_chunks(SAMPLE, text_col="answer", chunk_size=1000))
    whole = read_corpus(SAMPLE, text_col="answer")
    assert len(chunks) == -(-len(whole) // 1000)
    assert np.concatenate([c.ids for c in chunks]).tolist() == whole.ids.tolist()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("id,answer\n1,温度差\n".encode("cp932"), "cp932 is guessed from the whole file"),
        (b'id,answer\n1,"open quote\n', "a quote open in the last record"),
        (b"id,id,answer\n1,2,x\n", "pandas renames repeated columns"),
        (b"id,text\n1,x\n", "no column answer"),
    ],
)
def test_files_read_whole(tmp_path, content, why):
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    with pytest.raises(NotStreamable):
        list(iter_corpus_chunks(p, text_col="answer", id_col="id", chunk_size=10))


def test_cp932_file_gives_the_same_table_with_chunk_size(tmp_path):
    p = tmp_path / "sjis.csv"
    pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(120).to_csv(p, index=False, encoding="cp932")
    assert _freq(tmp_path, p, "a.csv", "--by", "group", "--chunk-size", "40") == _freq(
        tmp_path, p, "b.csv", "--by", "group"
    )


def test_duplicate_id_in_another_chunk_is_reported_with_both_rows(tmp_path):
    p = tmp_path / "dup.csv"
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(50)
    df.loc[45, "id"] = df.loc[2, "id"]
    df.to_csv(p, index=False)
    args = ["freq", str(p), "--text-col", "answer", "--id-col", "id", "--codebook", CB, "--no-cache", "-q"]
    r = CliRunner().invoke(cli, [*args, "--chunk-size", "10"])
    assert r.exit_code == 1
    assert "[E105]" in r.output and f"duplicate id {df.loc[2, 'id']!r}" in r.output


def test_jsonl_in_chunks(tmp_path):
    p = tmp_path / "a.jsonl"
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(200)
    df.to_json(p, orient="records", lines=True, force_ascii=False)
    chunks = list(iter_corpus_chunks(p, text_col="answer", id_col="id", chunk_size=64))
    whole = read_corpus(p, text_col="answer", id_col="id")
    assert [len(c) for c in chunks] == [64, 64, 64, 8]
    assert sum((c.texts for c in chunks), []) == whole.texts
    assert _freq(tmp_path, p, "a.csv", "--by", "group", "--chunk-size", "64") == _freq(
        tmp_path, p, "b.csv", "--by", "group"
    )
    # Records whose keys differ are read whole (pandas aligns them by column).
    p.write_text('{"id": "1", "answer": "x"}\n{"id": "2"}\n', encoding="utf-8")
    with pytest.raises(NotStreamable):
        list(iter_corpus_chunks(p, text_col="answer", id_col="id"))


def test_frequencies_by_chunk_equal_whole_corpus(subset):
    corpus = read_corpus(subset, text_col="answer", id_col="id")
    cb = Codebook.load(CB)
    parts = list(iter_corpus_chunks(subset, text_col="answer", id_col="id", chunk_size=77))
    for unit, by in [("document", "group"), ("sentence", "prefecture"), ("paragraph", None)]:
        whole = apply_codebook(cb, corpus, unit=unit, cache=False)
        expected = whole.frequencies(by=by)
        got = frequencies_by_chunk(parts, cb, unit=unit, by=by)
        pd.testing.assert_frame_equal(got, expected)
        # The counts behind it add up chunk by chunk.
        summed = sum_counts([apply_codebook(cb, c, unit=unit, cache=False).group_counts(by) for c in parts], cb.ids)
        pd.testing.assert_frame_equal(summed, sum_counts([whole.group_counts(by)], cb.ids))
        labels = [cb[c].label for c in cb.ids]
        pd.testing.assert_frame_equal(frequencies_from_counts(cb.ids, labels, summed, by), expected)


def test_large_tables_are_read_in_chunks_unless_chunk_size_0(tmp_path, subset, monkeypatch):
    from kotoba_code.cli import _common

    monkeypatch.setattr(_common, "STREAM_MIN_BYTES", subset.stat().st_size - 1)
    monkeypatch.setattr(_common, "DEFAULT_CHUNK_SIZE", 120)
    args = ["freq", str(subset), "--text-col", "answer", "--id-col", "id", "--codebook", CB, "--no-cache"]
    outs = {}
    for name, extra in [("auto", []), ("whole", ["--chunk-size", "0"])]:
        out = tmp_path / f"{name}.csv"
        r = CliRunner().invoke(cli, [*args, *extra, "-o", str(out)])
        assert r.exit_code == 0, r.output
        outs[name] = (out.read_bytes(), "in chunks of 120 answers" in r.output)
    assert outs["auto"][1] and not outs["whole"][1]
    assert outs["auto"][0] == outs["whole"][0]


def test_a_last_answer_with_a_line_break_is_streamed(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('id,answer\n1,温度差\n2,"一行目\n二行目\n"\n', encoding="utf-8")
    chunks = list(iter_corpus_chunks(p, text_col="answer", id_col="id", chunk_size=1))
    assert [c.texts for c in chunks] == [["温度差"], ["一行目\n二行目\n"]]


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_a_dask_partition_coded_in_pieces_gives_the_same_rows(subset, monkeypatch, unit):
    from kotoba_code import dask as kdask

    part = pd.read_csv(subset, dtype=str, keep_default_na=False)
    part.index = part.index + 1000  # a partition's own index must survive
    cb = Codebook.load(CB)
    whole = kdask._code_partition(part, cb, "answer", "id", unit)
    monkeypatch.setattr(kdask, "_PIECE_ROWS", 70)
    pieces = kdask._code_partition(part, cb, "answer", "id", unit)
    pd.testing.assert_frame_equal(pieces, whole)
    assert len(whole) == len(part) and whole[cb.ids].to_numpy().sum() > 0
    dup = part.copy()
    dup.iloc[250, dup.columns.get_loc("id")] = dup["id"].iloc[3]
    with pytest.raises(CorpusReadError, match="E105"):
        kdask._code_partition(dup, cb, "answer", "id", unit)
