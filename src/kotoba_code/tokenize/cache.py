"""On-disk cache of tokenized corpora.

Tokenizing is the slow step; coding and counting are fast. A cache entry is
keyed by a hash of every text and of the tokenizer settings (backend, split
mode, user words, library and dictionary versions), so editing a codebook or
re-running a table reuses the tokens, while any change to the texts or the
tokenizer makes a new entry. Entries are Parquet files (columnar) plus a small
JSON file; nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import KotobaWarning, Warnings

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus
    from kotoba_code.tokenize.tokens import Tokens

FORMAT_VERSION = 1


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


class TokenCache:
    """A directory of tokenized corpora.

    Examples
    --------
    >>> cache = TokenCache("/tmp/kotoba-cache")  # doctest: +SKIP
    >>> tokens = cache.load(key, corpus)  # None on a miss  # doctest: +SKIP
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def load(self, key: str, corpus: Corpus) -> Tokens | None:
        """The cached tokens for ``key``, attached to ``corpus``; None on a miss
        (or an unreadable entry, which is then tokenized afresh)."""
        import pyarrow.parquet as pq

        from kotoba_code.tokenize.tokens import Tokens

        entry = self.directory / key
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION or meta.get("n_docs") != len(corpus):
                return None
            tok = pq.read_table(entry / "tokens.parquet")
            vocab = pq.read_table(entry / "vocab.parquet").to_pandas()
            doc_ptr = np.load(entry / "doc_ptr.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError):
            return None
        cols = {name: tok.column(name).to_numpy() for name in tok.column_names}
        for c in vocab.columns:
            if c != "user":
                vocab[c] = vocab[c].astype(object)
        extra = {k[6:]: v for k, v in cols.items() if k.startswith("extra_")}
        return Tokens(
            corpus=corpus,
            doc_ptr=doc_ptr.astype(np.int64),
            word=cols["word"].astype(np.int32),
            start=cols["start"].astype(np.int32),
            end=cols["end"].astype(np.int32),
            vocab=vocab,
            settings=meta["settings"],
            extra={k: np.asarray(v) for k, v in extra.items()},
        )

    def save(self, key: str, tokens: Tokens) -> None:
        """Write ``tokens`` under ``key`` atomically; an unwritable cache only warns."""
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
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        except OSError as exc:
            warnings.warn(Warnings.W201.format(path=self.directory, reason=exc), KotobaWarning, stacklevel=3)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
