"""On-disk cache of tokenized corpora.

Tokenizing is the slow step; coding and counting are fast. A cache entry is
keyed by a hash of every text and of the tokenizer settings (backend, split
mode, user words, library and dictionary versions), so editing a codebook or
re-running a table reuses the tokens, while any change to the texts or the
tokenizer makes a new entry. Entries are Parquet files (columnar) plus a small
JSON file; nothing is pickled.

An entry is a directory written whole under a temporary name and renamed into
place, so a run that is interrupted never leaves a half-written entry under a
key. An entry that is nevertheless unreadable or inconsistent (a disk that
filled up, a file edited or truncated by hand, a copy from another machine) is
discarded with warning W202 and the corpus is tokenized afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import KotobaWarning, Warnings
from kotoba_code.tokenize.tokens import VOCAB_COLUMNS, Tokens

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

FORMAT_VERSION = 1
# Temporary and discarded entries older than this are left-overs of killed runs.
_STALE_SECONDS = 6 * 3600
_FILES = ("meta.json", "tokens.parquet", "vocab.parquet", "doc_ptr.npy")


def default_cache_dir() -> Path:
    """The user cache directory (``$KOTOBA_CODE_CACHE`` overrides it)."""
    env = os.environ.get("KOTOBA_CODE_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kotoba-code")) / "tokens"


def cache_key(texts: list[str], settings: dict[str, Any]) -> str:
    """Hash of the texts and tokenizer settings (SHA-256, hex)."""
    h = hashlib.sha256()
    h.update(json.dumps({"format": FORMAT_VERSION, **settings}, sort_keys=True, ensure_ascii=False).encode())
    # The lengths keep ["ab", "c"] and ["a", "bc"] apart.
    h.update(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)).tobytes())
    h.update("".join(texts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class _BadEntry(Exception):
    """A cache entry that was read but does not describe the corpus."""


class TokenCache:
    """A directory of tokenized corpora.

    Examples
    --------
    >>> import tempfile
    >>> from kotoba_code import Corpus, SudachiTokenizer
    >>> corpus = Corpus.from_texts(["温度差がある"])
    >>> tokenizer = SudachiTokenizer()
    >>> cache, key = TokenCache(tempfile.mkdtemp()), cache_key(corpus.texts, tokenizer.settings())
    >>> cache.load(key, corpus) is None  # a miss
    True
    >>> cache.save(key, tokenizer.tokenize(corpus))
    >>> [t.lemma for t in cache.load(key, corpus).doc(0)]
    ['温度', '差', 'が', 'ある']
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def load(self, key: str, corpus: Corpus) -> Tokens | None:
        """The cached tokens for ``key``, attached to ``corpus``; None on a miss.

        An entry that cannot be read or does not fit ``corpus`` (empty,
        truncated or garbled files, a missing file, arrays of the wrong shape,
        another format version) is removed with warning W202 and is a miss, so
        the caller tokenizes afresh and writes a good entry.
        """
        entry = self.directory / key
        try:
            if not entry.exists():
                return None
            return self._read(entry, corpus)
        # Whatever a damaged entry makes numpy, pyarrow or json raise (EOFError
        # from an empty .npy, ArrowInvalid, UnicodeDecodeError …), the cure is
        # the same: throw the entry away and tokenize again. The cache must
        # never be the reason a run fails.
        except Exception as exc:  # noqa: BLE001
            reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, _BadEntry) else str(exc)
            warnings.warn(Warnings.W202.format(path=entry, reason=reason), KotobaWarning, stacklevel=3)
            self._discard(entry)
            return None

    def _read(self, entry: Path, corpus: Corpus) -> Tokens:
        import pyarrow.parquet as pq

        if not entry.is_dir():
            raise _BadEntry("not a directory")
        missing = [n for n in _FILES if not (entry / n).is_file()]
        if missing:
            raise _BadEntry(f"missing {', '.join(missing)}")
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or not isinstance(meta.get("settings"), dict):
            raise _BadEntry("meta.json is not a settings record")
        if meta.get("format") != FORMAT_VERSION:
            raise _BadEntry(f"format version {meta.get('format')!r}, expected {FORMAT_VERSION}")
        n_docs = len(corpus)
        if meta.get("n_docs") != n_docs:
            raise _BadEntry(f"{meta.get('n_docs')!r} documents, the corpus has {n_docs}")

        doc_ptr = np.load(entry / "doc_ptr.npy", allow_pickle=False)
        if doc_ptr.ndim != 1 or doc_ptr.shape[0] != n_docs + 1 or doc_ptr.dtype.kind not in "iu":
            raise _BadEntry(f"doc_ptr.npy holds {doc_ptr.dtype} {doc_ptr.shape}, expected {n_docs + 1} integers")
        doc_ptr = doc_ptr.astype(np.int64)
        if doc_ptr[0] != 0 or (np.diff(doc_ptr) < 0).any():
            raise _BadEntry("doc_ptr.npy is not an ascending list of token offsets from 0")

        tok = pq.read_table(entry / "tokens.parquet")
        n_tokens = int(doc_ptr[-1])
        if tok.num_rows != n_tokens or not {"word", "start", "end"} <= set(tok.column_names):
            raise _BadEntry(f"tokens.parquet has {tok.num_rows} rows {tok.column_names}, expected {n_tokens} tokens")
        cols = {name: tok.column(name).to_numpy() for name in tok.column_names}
        vocab = pq.read_table(entry / "vocab.parquet").to_pandas()
        if not set(VOCAB_COLUMNS) <= set(vocab.columns):
            raise _BadEntry(f"vocab.parquet lacks column(s) {sorted(set(VOCAB_COLUMNS) - set(vocab.columns))}")
        word, start, end = cols["word"], cols["start"], cols["end"]
        if any(a.dtype.kind not in "iu" for a in (word, start, end)):
            raise _BadEntry("tokens.parquet: word, start and end are not integers")
        if n_tokens:
            if word.min() < 0 or word.max() >= len(vocab):
                raise _BadEntry(f"tokens.parquet: word indices outside the {len(vocab)} vocabulary rows")
            # Offsets must lie inside their own document's text.
            lengths = np.fromiter(map(len, corpus.texts), dtype=np.int64, count=n_docs)
            doc_len = np.repeat(lengths, np.diff(doc_ptr))
            if (start < 0).any() or (start > end).any() or (end > doc_len).any():
                raise _BadEntry("tokens.parquet: character offsets outside their documents")
        for c in vocab.columns:
            if c != "user":
                vocab[c] = vocab[c].astype(object)
        extra = {k[6:]: v for k, v in cols.items() if k.startswith("extra_")}
        return Tokens(
            corpus=corpus,
            doc_ptr=doc_ptr,
            word=word.astype(np.int32),
            start=start.astype(np.int32),
            end=end.astype(np.int32),
            vocab=vocab,
            settings=meta["settings"],
            extra={k: np.asarray(v) for k, v in extra.items()},
        )

    def _discard(self, entry: Path) -> None:
        """Move a bad entry out of the way (atomically, so a concurrent run
        sees either the entry or nothing), then delete it."""
        trash = entry.with_name(f".trash-{entry.name}-{uuid.uuid4().hex}")
        try:
            os.replace(entry, trash)
        except OSError:
            return  # another run removed or replaced it already
        if trash.is_dir():
            shutil.rmtree(trash, ignore_errors=True)
        else:
            trash.unlink(missing_ok=True)

    def save(self, key: str, tokens: Tokens) -> None:
        """Write ``tokens`` under ``key`` atomically; an unwritable cache only warns.

        The files go into a temporary directory beside the entry, which is
        renamed to ``key`` when complete. If another run wrote the same key
        meanwhile, its entry is kept (same texts, same settings: same tokens).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.directory))
        except OSError as exc:
            warnings.warn(Warnings.W201.format(path=self.directory, reason=exc), KotobaWarning, stacklevel=3)
            return
        try:
            columns = {"word": tokens.word, "start": tokens.start, "end": tokens.end}
            columns.update({f"extra_{k}": v for k, v in tokens.extra.items()})
            pq.write_table(pa.table(columns), tmp / "tokens.parquet", compression="zstd")
            vocab = pd.DataFrame({c: tokens.vocab[c].astype(str) for c in tokens.vocab.columns if c != "user"})
            vocab["user"] = tokens.vocab["user"].astype(bool)
            pq.write_table(pa.Table.from_pandas(vocab, preserve_index=False), tmp / "vocab.parquet")
            np.save(tmp / "doc_ptr.npy", tokens.doc_ptr, allow_pickle=False)
            meta = {"format": FORMAT_VERSION, "n_docs": len(tokens.corpus), "settings": tokens.settings}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            final = self.directory / key
            try:
                # POSIX renames a directory only onto a missing or empty one,
                # so a finished entry is never overwritten.
                os.replace(tmp, final)
            except OSError:
                if not final.exists():
                    raise
        except OSError as exc:
            warnings.warn(Warnings.W201.format(path=self.directory, reason=exc), KotobaWarning, stacklevel=3)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        self._sweep()

    def _sweep(self) -> None:
        """Delete temporary and discarded directories that killed runs left behind."""
        cutoff = time.time() - _STALE_SECONDS
        try:
            for p in self.directory.iterdir():
                if p.name.startswith((".tmp-", ".trash-")) and p.stat().st_mtime < cutoff:
                    shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass
