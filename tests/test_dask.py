"""Scale-out: Dask partitions on a real 2-process LocalCluster, and --jobs.

Every result is compared with the single-process one on the sample corpus:
the coded rows, the frequency tables (with the chi-square columns), word
counts, and for local processes the evidence too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code import SudachiTokenizer, read_corpus, tokenize, word_frequency
from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import CodebookError, CorpusReadError
from kotoba_code.io.readers import read_table
from kotoba_code.parallel import code_parallel, tokenize_parallel

ANSWERS = Path(__file__).resolve().parents[1] / "corpus" / "answers.csv"

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def answers():
    return read_corpus(ANSWERS, text_col="answer", id_col="id"), read_table(ANSWERS)


@pytest.fixture(scope="module")
def codebook():
    return Codebook.load("welfare_employment")


def same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    # Dask stores text columns as Arrow strings; the values must be identical.
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


@pytest.mark.slow
def test_code_dask_documents_by_group(client, answers, codebook):
    from kotoba_code.dask import code_dask

    corpus, df = answers
    ddf = dd.from_pandas(df, npartitions=2)
    coded, freq = code_dask(ddf, codebook, text_col="answer", id_col="id", by="group")
    expected = apply_codebook(codebook, corpus, cache=False)
    same_rows(coded.compute(), expected.to_frame())
    pd.testing.assert_frame_equal(freq, expected.frequencies(by="group"))
    assert coded.npartitions == 2


@pytest.mark.slow
def test_code_dask_sentences_and_row_ids(client, answers, codebook):
    from kotoba_code.dask import code_dask

    _, df = answers
    # No id column: ids are the global row numbers, as in a single process.
    corpus = read_corpus(ANSWERS, text_col="answer")
    coded, freq = code_dask(dd.from_pandas(df, npartitions=3), codebook, text_col="answer", unit="sentence")
    expected = apply_codebook(codebook, corpus, unit="sentence", cache=False)
    same_rows(coded.compute(), expected.to_frame())
    pd.testing.assert_frame_equal(freq, expected.frequencies())
    # Sentences, not documents, are counted.
    assert freq["count"].sum() == expected.matrix.to_numpy().sum() > 0


@pytest.mark.slow
def test_word_frequency_dask(client, answers):
    from kotoba_code.dask import word_frequency_dask

    corpus, df = answers
    ddf = dd.from_pandas(df, npartitions=2)
    tokens = tokenize(corpus, cache=False)
    got = word_frequency_dask(ddf, text_col="answer", by="group", top=30)
    pd.testing.assert_frame_equal(got, word_frequency(tokens, by="group", top=30), check_dtype=False)
    got = word_frequency_dask(ddf, text_col="answer", pos=["名詞"], stop_words=[], key="norm", min_count=2)
    expected = word_frequency(tokens, pos=["名詞"], stop_words=[], key="norm", min_count=2)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_code_dask_refuses_what_partitions_cannot_do(answers, codebook):
    from kotoba_code.dask import code_dask

    _, df = answers
    ddf = dd.from_pandas(df, npartitions=2)
    numbered = Codebook.from_dict({"codes": [{"id": "first", "label": "最初", "rule": "No. == 1"}]})
    with pytest.raises(CodebookError, match="No\\."):
        code_dask(ddf, numbered, text_col="answer", id_col="id")
    with pytest.raises(CorpusReadError, match="E102"):
        code_dask(ddf, codebook, text_col="text", id_col="id")
    with pytest.raises(CorpusReadError, match="E112"):
        code_dask(ddf, codebook, text_col="answer", id_col="id", by="region")


@pytest.mark.slow
def test_code_parallel_equals_one_process(answers, codebook, tmp_path):
    corpus, _ = answers
    got = code_parallel(corpus, codebook, jobs=2, unit="sentence", cache=tmp_path)
    expected = apply_codebook(codebook, corpus, unit="sentence", cache=False)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame())
    pd.testing.assert_frame_equal(got.matrix, expected.matrix)
    pd.testing.assert_frame_equal(got.evidence, expected.evidence)
    pd.testing.assert_frame_equal(got.frequencies(by="group"), expected.frequencies(by="group"))
    # The joined tokens went into the cache under the single-process key.
    tokenizer = SudachiTokenizer(user_words=codebook.user_words)
    assert any(tmp_path.iterdir())
    cached = tokenize(corpus, tokenizer=tokenizer, cache=tmp_path).to_frame()
    assert cached.equals(tokenize(corpus, tokenizer=tokenizer, cache=False).to_frame())
    assert tokenize_parallel(corpus, tokenizer, jobs=2, cache=tmp_path).to_frame().equals(cached)


@pytest.mark.slow
def test_cli_jobs(tmp_path):
    base = [str(ANSWERS), "--text-col", "answer", "--id-col", "id"]
    base += ["--codebook", "welfare_employment", "--no-cache", "-q"]
    outs = {}
    for jobs in ("1", "2"):
        for cmd in ("code", "freq"):
            out = tmp_path / f"{cmd}{jobs}.csv"
            extra = ["--by", "group"] if cmd == "freq" else []
            r = CliRunner().invoke(cli, [cmd, *base, *extra, "--jobs", jobs, "-o", str(out)], catch_exceptions=False)
            assert r.exit_code == 0, r.output
            outs[cmd, jobs] = out.read_bytes()
    assert outs["code", "1"] == outs["code", "2"]
    assert outs["freq", "1"] == outs["freq", "2"]
    r = CliRunner().invoke(cli, ["code", *base, "--jobs", "0"])
    assert r.exit_code == 2


@pytest.mark.slow
def test_cli_jobs_for_token_commands(tmp_path):
    base = [str(ANSWERS), "--text-col", "answer", "--id-col", "id", "--no-cache", "-q"]
    outs = {}
    for jobs in ("1", "2"):
        for cmd, extra in (("words", ["--by", "group"]), ("tokenize", [])):
            out = tmp_path / f"{cmd}{jobs}.csv"
            r = CliRunner().invoke(cli, [cmd, *base, *extra, "--jobs", jobs, "-o", str(out)], catch_exceptions=False)
            assert r.exit_code == 0, r.output
            outs[cmd, jobs] = out.read_bytes()
    assert outs["words", "1"] == outs["words", "2"] and len(outs["words", "1"]) > 1000
    assert outs["tokenize", "1"] == outs["tokenize", "2"]


def test_progress_bar_on_a_terminal_only(monkeypatch, capsys):
    """progress=True shows Dask's bar on stderr when it is a terminal, and stays silent otherwise
    (with a local scheduler: another test's distributed client may be the default here)."""
    import io

    import dask

    from kotoba_code.dask import word_frequency_dask

    ddf = dd.from_pandas(pd.DataFrame({"text": ["ノウハウが不足", "連携が課題"] * 4}), npartitions=2)
    with dask.config.set(scheduler="threads"):
        plain = word_frequency_dask(ddf, progress=True)
    assert capsys.readouterr().err == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    with dask.config.set(scheduler="threads"):
        shown = word_frequency_dask(ddf, progress=True)
    assert "100%" in term.getvalue()
    assert shown.equals(plain)
