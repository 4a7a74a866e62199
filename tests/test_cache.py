"""The token cache heals itself: a damaged entry is discarded with W202 and rebuilt, never a failed run."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kotoba_code import Corpus, SudachiTokenizer, tokenize
from kotoba_code.errors import KotobaWarning
from kotoba_code.tokenize import TokenCache, cache_key

TEXTS = ["ノウハウが不足している。\n・人手不足", "", "ＨＷとの温度差を感じる", "支援候補者の選定が難しい"]
FILES = ("meta.json", "tokens.parquet", "vocab.parquet", "doc_ptr.npy")


@pytest.fixture
def corpus() -> Corpus:
    return Corpus.from_texts(TEXTS)


@pytest.fixture
def fresh(corpus):
    return tokenize(corpus, cache=False).to_frame()


def _entry(corpus: Corpus, cache: Path) -> Path:
    tokenize(corpus, cache=cache)
    entry = cache / cache_key(corpus.texts, SudachiTokenizer().settings())
    assert sorted(p.name for p in entry.iterdir()) == sorted(FILES)
    return entry


def _zero(p: Path) -> None:
    p.write_bytes(b"")


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _garbage(p: Path) -> None:
    p.write_bytes(b"\x00\xff garbage \x93NUMPY PAR1 {" * 7)


def _missing(p: Path) -> None:
    p.unlink()


def _rewrite_tokens(entry: Path, edit) -> None:
    table = pq.read_table(entry / "tokens.parquet")
    pq.write_table(edit(table), entry / "tokens.parquet")


def _rewrite_meta(entry: Path, **changes) -> None:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    (entry / "meta.json").write_text(json.dumps({**meta, **changes}), encoding="utf-8")


def _shift_word(t: pa.Table) -> pa.Table:
    word = t.column("word").to_numpy() + 10**6
    return t.set_column(t.column_names.index("word"), "word", pa.array(word))


def _stretch_end(t: pa.Table) -> pa.Table:
    end = t.column("end").to_numpy() + 1000
    return t.set_column(t.column_names.index("end"), "end", pa.array(end))


# Damage that leaves well-formed files which no longer describe the corpus.
INCONSISTENT = {
    "doc_ptr 2-d": lambda e: np.save(e / "doc_ptr.npy", np.zeros((5, 2), dtype=np.int64)),
    "doc_ptr too short": lambda e: np.save(e / "doc_ptr.npy", np.load(e / "doc_ptr.npy")[:-1]),
    "doc_ptr floats": lambda e: np.save(e / "doc_ptr.npy", np.load(e / "doc_ptr.npy").astype(float)),
    "doc_ptr descending": lambda e: np.save(e / "doc_ptr.npy", np.load(e / "doc_ptr.npy")[::-1].copy()),
    "doc_ptr object array": lambda e: np.save(e / "doc_ptr.npy", np.array([{}], dtype=object), allow_pickle=True),
    "tokens rows dropped": lambda e: _rewrite_tokens(e, lambda t: t.slice(0, t.num_rows - 2)),
    "tokens column missing": lambda e: _rewrite_tokens(e, lambda t: t.drop_columns(["start"])),
    "word index past vocabulary": lambda e: _rewrite_tokens(e, _shift_word),
    "offsets past the text": lambda e: _rewrite_tokens(e, _stretch_end),
    "vocab column missing": lambda e: pq.write_table(
        pq.read_table(e / "vocab.parquet").drop_columns(["lemma"]), e / "vocab.parquet"
    ),
    "wrong format version": lambda e: _rewrite_meta(e, format=99),
    "wrong document count": lambda e: _rewrite_meta(e, n_docs=3),
    "meta not an object": lambda e: (e / "meta.json").write_text("[1, 2]", encoding="utf-8"),
    "meta not UTF-8": lambda e: (e / "meta.json").write_bytes('{"format": 1, "x": "温度"}'.encode("cp932")),
}


def _assert_heals(corpus: Corpus, cache: Path, entry: Path, fresh) -> None:
    with pytest.warns(KotobaWarning, match=r"\[W202\].*discarded") as record:
        got = tokenize(corpus, cache=cache)
    assert len(record) == 1
    assert str(entry) in str(record[0].message)
    assert got.to_frame().equals(fresh)
    # The entry was rebuilt: the next run is a clean hit, without a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hit = TokenCache(cache).load(entry.name, corpus)
    assert hit is not None and hit.to_frame().equals(fresh)
    assert not [p for p in cache.iterdir() if p.name.startswith((".tmp-", ".trash-"))]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("damage", [_zero, _truncate, _garbage, _missing], ids=lambda f: f.__name__[1:])
def test_damaged_file_is_discarded_and_rebuilt(corpus, fresh, tmp_path, name, damage):
    entry = _entry(corpus, tmp_path)
    damage(entry / name)
    _assert_heals(corpus, tmp_path, entry, fresh)


@pytest.mark.parametrize("damage", INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_inconsistent_entry_is_discarded_and_rebuilt(corpus, fresh, tmp_path, damage):
    entry = _entry(corpus, tmp_path)
    damage(entry)
    _assert_heals(corpus, tmp_path, entry, fresh)


def test_entry_that_is_a_file_or_an_empty_directory(corpus, fresh, tmp_path):
    entry = _entry(corpus, tmp_path)
    for p in entry.iterdir():
        p.unlink()
    _assert_heals(corpus, tmp_path, entry, fresh)  # empty directory
    for p in entry.iterdir():
        p.unlink()
    entry.rmdir()
    entry.write_bytes(b"")
    _assert_heals(corpus, tmp_path, entry, fresh)  # a plain file under the key


def test_interrupted_write_leaves_no_entry(corpus, fresh, tmp_path, monkeypatch):
    # A run killed while writing the last file: the key must stay a miss, not a half entry.
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        tokenize(corpus, cache=tmp_path)
    monkeypatch.undo()
    key = cache_key(corpus.texts, SudachiTokenizer().settings())
    assert not (tmp_path / key).exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a plain miss, no W202
        assert tokenize(corpus, cache=tmp_path).to_frame().equals(fresh)
    assert (tmp_path / key / "meta.json").is_file()


def test_concurrent_runs_share_one_entry(corpus, fresh, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ThreadPoolExecutor(6) as pool:
            frames = list(pool.map(lambda _: tokenize(corpus, cache=tmp_path).to_frame(), range(12)))
    assert all(f.equals(fresh) for f in frames)
    assert [p.name for p in tmp_path.iterdir()] == [cache_key(corpus.texts, SudachiTokenizer().settings())]


def test_concurrent_runs_heal_a_damaged_entry(corpus, fresh, tmp_path):
    entry = _entry(corpus, tmp_path)
    _zero(entry / "doc_ptr.npy")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(6) as pool:
            frames = list(pool.map(lambda _: tokenize(corpus, cache=tmp_path).to_frame(), range(12)))
    assert all(f.equals(fresh) for f in frames)
    assert record and all("[W202]" in str(w.message) for w in record)
    assert TokenCache(tmp_path).load(entry.name, corpus).to_frame().equals(fresh)


def test_cli_runs_with_a_zeroed_doc_ptr(tmp_path):
    # The reported case: every run printed only "Aborted!" and exited 1 until the cache was deleted by hand.
    answers = tmp_path / "answers.csv"
    answers.write_text("id,answer\n1,ノウハウが不足している\n2,温度差がある\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-c", "from kotoba_code.cli import main; main()", "words", str(answers)]
    cmd += ["--text-col", "answer", "--cache-dir", str(cache)]
    first = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=True)
    (entry,) = cache.iterdir()
    _zero(entry / "doc_ptr.npy")
    r = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    assert r.stdout == first.stdout and "| ノウハウ |" in r.stdout
    assert "Aborted" not in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("Warning: [W202]") and len(r.stderr.strip().splitlines()) == 1
    assert (entry / "doc_ptr.npy").stat().st_size > 0  # rebuilt


def test_cli_names_a_truncated_file_instead_of_aborting(tmp_path, monkeypatch):
    # An EOFError from any reader (numpy, pickle-free loaders) is a catalogue error, not click's "Aborted!".
    from click.testing import CliRunner

    from kotoba_code.cli import app, corpus_cmds

    def ended(*args, **kwargs):
        raise EOFError("No data left in file")

    monkeypatch.setattr(corpus_cmds, "word_frequency", ended)
    answers = tmp_path / "answers.csv"
    answers.write_text("id,answer\n1,温度差がある\n", encoding="utf-8")
    r = CliRunner().invoke(app.cli, ["words", str(answers), "--text-col", "answer", "--no-cache"])
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: [E207] A file ended before its data did (No data left in file); it is truncated or still being written."
    ]
