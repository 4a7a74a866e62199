"""words, keyness, network and code -o in chunks: the same files as a whole-file run.

Each command runs twice on a generated table of 2,000 answers (empty
answers, an empty group, two metadata columns): with ``--chunk-size 300``
(seven chunks, the last one partial) and with ``--chunk-size 0`` (the whole
file in memory). The output files must be byte-identical.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "answers.csv"
N = 2000
CHUNK = "300"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    """The generated answers as CSV and Parquet, and a token cache shared by the runs."""
    folder = tmp_path_factory.mktemp("stream_cmds")
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    sentences = [s for t in sample["answer"] for s in re.split(r"(?<=[。\n])", t) if s.strip()]
    rng = random.Random(7)
    path = folder / "answers.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "group", "pref", "answer"])
        for i in range(N):
            text = "".join(rng.choice(sentences) for _ in range(rng.choice([0, 1, 1, 2, 3])))
            w.writerow([f"R{i:05d}", rng.choice(["自治体", "ハローワーク", "NPO", ""]), rng.choice("東西"), text])
    parquet = folder / "answers.parquet"
    pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(parquet, row_group_size=450)
    return {"csv": path, "parquet": parquet, "cache": folder / "cache"}


def _run(data: dict[str, Path], *args: str, chunk: str, source: str = "csv") -> str:
    common = ["--text-col", "answer", "--id-col", "id", "--cache-dir", str(data["cache"])]
    r = CliRunner().invoke(cli, [args[0], str(data[source]), *common, "--chunk-size", chunk, *args[1:]])
    assert r.exit_code == 0, r.output
    # The chunked runs really read in chunks (the whole-file runs do not).
    assert ("in chunks" in r.output) == (chunk != "0"), r.output
    return r.output


def _both(data: dict[str, Path], tmp_path: Path, name: str, *args: str, source: str = "csv") -> tuple[bytes, bytes]:
    whole, chunked = tmp_path / f"whole_{name}", tmp_path / f"chunked_{name}"
    _run(data, *args, "-o", str(whole), chunk="0", source=source)
    _run(data, *args, "-o", str(chunked), chunk=CHUNK, source=source)
    return whole.read_bytes(), chunked.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"])
def test_code_in_chunks_writes_the_same_file(data, tmp_path, suffix):
    out = {}
    for chunk in ("0", CHUNK):
        coded, evidence = tmp_path / f"coded_{chunk}{suffix}", tmp_path / f"evidence_{chunk}{suffix}"
        args = ["code", "--codebook", "welfare_employment", "-o", str(coded), "--evidence", str(evidence)]
        _run(data, *args, chunk=chunk)
        out[chunk] = (coded.read_bytes(), evidence.read_bytes())
    assert out[CHUNK] == out["0"]
    if suffix == ".csv":
        coded = pd.read_csv(tmp_path / f"coded_{CHUNK}.csv", dtype=str, keep_default_na=False)
        # Every answer comes out, empty ones too, with its metadata, once.
        assert coded["id"].tolist() == [f"R{i:05d}" for i in range(N)]
        assert list(coded.columns[:3]) == ["id", "group", "pref"] and (coded["group"] == "").any()
        codes = coded.columns[4:].tolist() if "answer" in coded.columns else coded.columns[3:].tolist()
        assert coded[codes].astype(int).to_numpy().sum() > 100
        assert len(pd.read_csv(tmp_path / f"evidence_{CHUNK}.csv")) > 100
    # No temporary file is left beside the outputs.
    assert not list(tmp_path.glob(".*.part"))


def test_code_in_sentence_units_in_chunks(data, tmp_path):
    whole, chunked = _both(data, tmp_path, "s.csv", "code", "--codebook", "welfare_employment", "--unit", "sentence")
    assert chunked == whole


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_code_in_chunks_to_parquet_and_xlsx_reads_back_the_same(data, tmp_path, suffix):
    # Both formats record how (Parquet: row groups) or when (.xlsx) they were
    # written, so the files differ; the tables in them must not.
    read = pd.read_parquet if suffix == ".parquet" else pd.read_excel
    frames = {}
    for chunk in ("0", CHUNK):
        coded, evidence = tmp_path / f"coded_{chunk}{suffix}", tmp_path / f"evidence_{chunk}{suffix}"
        args = ["code", "--codebook", "welfare_employment", "-o", str(coded), "--evidence", str(evidence)]
        said = _run(data, *args, chunk=chunk)
        assert "whole instead" not in said
        frames[chunk] = (read(coded), read(evidence))
    for whole, chunked in zip(frames["0"], frames[CHUNK], strict=True):
        pd.testing.assert_frame_equal(chunked, whole)
    coded, evidence = frames[CHUNK]
    assert coded["id"].tolist() == [f"R{i:05d}" for i in range(N)] and len(evidence) > 100
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        # Written a chunk at a time: one row group per chunk of 300.
        assert pq.ParquetFile(tmp_path / f"coded_{CHUNK}.parquet").metadata.num_row_groups == -(-N // int(CHUNK))
    assert not list(tmp_path.glob(".*.part"))


def test_code_in_chunks_to_standard_output(data):
    common = ["--text-col", "answer", "--id-col", "id", "--cache-dir", str(data["cache"])]
    out = {}
    for chunk in ("0", CHUNK):
        r = CliRunner().invoke(
            cli, ["code", str(data["csv"]), *common, "--codebook", "welfare_employment", "--chunk-size", chunk]
        )
        assert r.exit_code == 0, r.stderr
        assert ("in chunks" in r.stderr) == (chunk != "0")
        out[chunk] = r.stdout
    assert out[CHUNK] == out["0"]
    assert out[CHUNK].count("\n") == N + 1 and out[CHUNK].startswith("id,group,pref")


def test_markdown_output_is_written_from_the_whole_file(data, tmp_path):
    md = tmp_path / "coded.md"
    said = _run(data, "code", "--codebook", "welfare_employment", "-o", str(md), chunk=CHUNK)
    assert "whole instead (an output that is not appended to)" in said
    assert md.read_text(encoding="utf-8").count("\n") >= N + 2


def test_code_failing_in_a_later_chunk_leaves_no_file(data, tmp_path):
    rows = pd.read_csv(data["csv"], dtype=str, keep_default_na=False).head(700)
    rows.loc[650, "id"] = rows.loc[10, "id"]  # an id repeated two chunks later
    bad = tmp_path / "dup.csv"
    rows.to_csv(bad, index=False)
    out = tmp_path / "coded.csv"
    args = ["code", str(bad), "--text-col", "answer", "--id-col", "id", "--codebook", "welfare_employment"]
    r = CliRunner().invoke(cli, [*args, "--no-cache", "--chunk-size", CHUNK, "-o", str(out)])
    assert r.exit_code == 1 and "E105" in r.output and "rows 12 (line 13) and 652" in r.output, r.output
    assert "whole instead (an id of an earlier chunk)" in r.output
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_words_in_chunks(data, tmp_path):
    whole, chunked = _both(data, tmp_path, "w.csv", "words", "--by", "group", "--top", "25", "--min-count", "2")
    assert chunked == whole
    table = pd.read_csv(tmp_path / "chunked_w.csv", keep_default_na=False)
    # The empty group is a group as in the whole-file table; 25 words each.
    assert set(table["group"]) == {"", "NPO", "ハローワーク", "自治体"}
    assert table.groupby("group").size().eq(25).all()
    whole, chunked = _both(data, tmp_path, "ws.tsv", "words", "--unit", "sentence", "--key", "norm", "--pos", "名詞")
    assert chunked == whole and len(pd.read_csv(tmp_path / "chunked_ws.tsv", sep="\t")) > 300


def test_keyness_in_chunks(data, tmp_path):
    whole, chunked = _both(data, tmp_path, "k.csv", "keyness", "--by", "group", "--measure", "chi2", "--min-df", "2")
    assert chunked == whole
    table = pd.read_csv(tmp_path / "chunked_k.csv")
    assert set(table["group"]) == {"NPO", "ハローワーク", "自治体"} and (table["score"] > 0).any()
    whole, chunked = _both(data, tmp_path, "shared.csv", "keyness", "--by", "group", "--shared", "0.02")
    assert chunked == whole and len(pd.read_csv(tmp_path / "chunked_shared.csv")) > 5


@pytest.mark.parametrize(
    "args",
    [
        ("network",),
        ("network", "--unit", "sentence", "--measure", "dice", "--max-words", "40", "--top-n", "30"),
        ("network", "--by", "group"),
        ("network", "--of", "codes", "--codebook", "welfare_employment", "--unit", "sentence"),
    ],
)
def test_network_in_chunks(data, tmp_path, args):
    whole, chunked = _both(data, tmp_path, "n.graphml", *args)
    assert chunked == whole
    g = nx.read_graphml(tmp_path / "chunked_n.graphml")
    assert g.number_of_edges() >= 10


def test_parquet_in_batches(data, tmp_path):
    whole, chunked = _both(data, tmp_path, "p.csv", "code", "--codebook", "welfare_employment", source="parquet")
    assert chunked == whole
    # A Parquet table reads to the same documents as the CSV it was made from.
    from_csv = tmp_path / "from_csv.csv"
    _run(data, "code", "--codebook", "welfare_employment", "-o", str(from_csv), chunk="0")
    assert from_csv.read_bytes() == whole
    whole, chunked = _both(data, tmp_path, "pw.csv", "words", "--by", "pref", source="parquet")
    assert chunked == whole


@pytest.mark.slow
def test_code_with_a_learned_model_and_scores_in_chunks(data, tmp_path):
    sample = tmp_path / "sample.csv"
    labelled = ROOT / "corpus" / "labelled" / "tune.csv"
    pd.read_csv(labelled, dtype=str, keep_default_na=False).head(300).to_csv(sample, index=False)
    model = tmp_path / "m.kcm"
    r = CliRunner().invoke(
        cli, ["train", str(sample), "--codebook", "welfare_employment", "-o", str(model), "--no-vectors", "-q"]
    )
    assert r.exit_code == 0, r.output
    out = {}
    for chunk in ("0", CHUNK):
        coded, scores = tmp_path / f"coded_{chunk}.csv", tmp_path / f"scores_{chunk}.jsonl"
        args = ["code", "--codebook", "welfare_employment", "--model", str(model), "-o", str(coded)]
        _run(data, *args, "--scores", str(scores), chunk=chunk)
        out[chunk] = (coded.read_bytes(), scores.read_bytes())
    assert out[CHUNK] == out["0"]
    scores = pd.read_json(tmp_path / f"scores_{CHUNK}.jsonl", lines=True)
    assert len(scores) == N and scores.drop(columns="id").to_numpy().max() > 0.5


def test_cooccurrence_words_do_not_depend_on_the_vocabulary_order(data):
    """Two token stores of the same answers with their vocabulary rows in
    different orders (one process, and two joined) keep the same words in the
    same order, ties included."""
    from kotoba_code import read_corpus, tokenize, word_cooccurrence, word_keyness
    from kotoba_code.parallel import tokenize_parallel

    corpus = read_corpus(data["csv"], text_col="answer", id_col="id")
    one = tokenize(corpus, cache=False)
    two = tokenize_parallel(corpus, jobs=2, cache=False)
    assert one.vocab["lemma"].tolist() != two.vocab["lemma"].tolist()
    a, b = word_cooccurrence(one, min_df=1), word_cooccurrence(two, min_df=1)
    pd.testing.assert_frame_equal(a.terms, b.terms)
    assert a.terms["df"].duplicated().any()  # there are ties to order
    pd.testing.assert_frame_equal(word_keyness(one, "group"), word_keyness(two, "group"))
