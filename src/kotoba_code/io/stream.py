"""Reading a table in chunks of rows, for inputs larger than memory.

:func:`iter_corpus_chunks` reads a CSV, TSV or JSON Lines file record by
record (a Parquet file batch by batch, with pyarrow's ``iter_batches``) and
hands it over as a sequence of :class:`~kotoba_code.Corpus` chunks of at most
``chunk_size`` documents. Commands that only need counts (``freq``,
``words``, ``keyness``, ``network``, ``code -o``) tokenize and code each
chunk, keep its counts or append its rows to the output, and drop the rest,
so their memory does not grow with the input.

Each chunk holds exactly the documents, ids, texts and metadata that
:func:`~kotoba_code.io.readers.read_corpus` gives for those rows, with the same
warnings about irregular rows. A file whose reading depends on the whole of
it — an encoding that only a guess over every byte finds, a quote left open
in the last record, JSON records whose fields vary in presence or type —
raises :class:`NotStreamable`, before or while chunks are read; the caller
then reads the file whole, which also gives the exact error message where the
file is malformed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kotoba_code.corpus import Corpus
from kotoba_code.errors import KotobaWarning, Warnings
from kotoba_code.io.readers import _blank, _check_multiline, _fit_fields, _shapes, _unclosed_quote, _where, cells

__all__ = ["STREAM_SUFFIXES", "NotStreamable", "iter_corpus_chunks"]

STREAM_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
# Bytes read to tell UTF-8 from other encodings before streaming.
_HEAD_BYTES = 1 << 16


class NotStreamable(Exception):  # noqa: N818 - a signal to the caller, not an error shown to users
    """The input must be read whole (see the module docstring); never shown to users."""


def iter_corpus_chunks(
    path: str | Path,
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    encoding: str | None = None,
    chunk_size: int = 20_000,
    columns: tuple[str, ...] = (),
) -> Iterator[Corpus]:
    """The documents of a CSV/TSV/JSONL/Parquet table, ``chunk_size`` at a time.

    Parameters are those of :func:`~kotoba_code.io.readers.read_corpus`;
    ``columns`` names metadata columns the caller needs (``--by``): a file
    without them must be read whole, which reports the error.

    Raises
    ------
    NotStreamable
        When the file must be read whole instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("id,answer\\na,課題\\nb,連携\\nc,\\n", encoding="utf-8")
    >>> [c.ids.tolist() for c in iter_corpus_chunks(p, text_col="answer", id_col="id", chunk_size=2)]
    [['a', 'b'], ['c']]
    """
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in STREAM_SUFFIXES:
        raise NotStreamable(f"{path}: not a streamable table file")
    if chunk_size < 1:
        raise NotStreamable("chunk size below 1")
    if path.suffix.lower() == ".parquet":
        yield from _chunks(path, _parquet_records(path, chunk_size), text_col, id_col, chunk_size, columns)
        return
    enc = _encoding(path, encoding)
    if path.suffix.lower() in (".csv", ".tsv"):
        records = _csv_records(path, "\t" if path.suffix.lower() == ".tsv" else ",", enc, text_col)
    else:
        records = _jsonl_records(path, enc)
    yield from _chunks(path, records, text_col, id_col, chunk_size, columns)


def _encoding(path: Path, encoding: str | None) -> str:
    """The encoding to stream with: the one given, or UTF-8 when the head of
    the file is UTF-8. Other encodings are guessed from the whole file by
    the in-memory reader, so those files are not streamed."""
    if encoding is not None:
        try:
            return codecs.lookup(encoding).name
        except LookupError as exc:
            raise NotStreamable(str(exc)) from exc
    with path.open("rb") as f:
        head = f.read(_HEAD_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise NotStreamable("UTF-16 or binary")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise NotStreamable("not UTF-8") from exc
    return "utf-8"


def _text_stream(path: Path, enc: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(path.open("rb"), encoding=enc, errors="strict", newline="")


def _csv_records(
    path: Path, sep: str, enc: str, text_col: str | None
) -> Iterator[tuple[list[str], tuple[int, int]] | list[str]]:
    """The header (a list), then ``(fields, (row, first line))`` per record,
    made regular as the careful reader of :mod:`kotoba_code.io.readers` does."""
    with path.open("rb") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
        f.seek(max(size - 1, 0))
        ends_with_break = f.read(1) in (b"\n", b"\r")
    header: list[str] | None = None
    short: list[str] = []
    shapes: frozenset[str] | None = None
    first_ids: list[str] = []
    pending: list[tuple[list[str], tuple[int, int]]] = []
    last_fields: list[str] = []
    # The physical lines of the csv row just read: the last one is checked
    # for a quote left open, which the csv module silently closes at the end.
    lines: list[str] = []
    row_lines: list[str] = []

    def tracked(stream: io.TextIOWrapper) -> Iterator[str]:
        for line in stream:
            lines.append(line)
            yield line

    n = t = 0
    try:
        with _text_stream(path, enc) as stream:
            reader = csv.reader(tracked(stream), delimiter=sep)
            end = 0
            for row, fields in enumerate(reader, start=1):
                start, end = end + 1, reader.line_num
                row_lines = lines[:]
                lines.clear()
                if _blank(fields):
                    last_fields = []
                    continue
                last_fields = fields
                if header is None:
                    header = fields
                    n = len(header)
                    # pandas renames empty and repeated column names.
                    if len(set(header)) != n or not all(h.strip() for h in header):
                        raise NotStreamable("column names pandas would rename")
                    t = header.index(text_col) if text_col in header else n - 1
                    yield header
                    continue
                fields = _fit_fields(path, fields, n, t, sep, row, start, short)
                if shapes is None:
                    # The careful reader judges multi-line answers by the
                    # shapes of the first 2,000 ids: hold records back until then.
                    pending.append((fields, (row, start)))
                    first_ids.append(fields[0])
                    if len(first_ids) < 2000:
                        continue
                    shapes = _shapes(first_ids, n)
                    for rec in pending:
                        _check_multiline(path, sep, shapes, *rec)
                        yield rec
                    pending = []
                    continue
                _check_multiline(path, sep, shapes, fields, (row, start))
                yield fields, (row, start)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise NotStreamable(str(exc)) from exc
    if header is None:
        raise NotStreamable("no header")
    # A quote left open in the last record swallows the rest of the file:
    # the whole-file reader reports where it opened (E119).
    if not ends_with_break or any("\n" in f or "\r" in f for f in last_fields):
        if _unclosed_quote("".join(row_lines), sep) is not None:
            raise NotStreamable("the last record holds an open quote")
    if shapes is None:
        shapes = _shapes(first_ids, n)
        for rec in pending:
            _check_multiline(path, sep, shapes, *rec)
            yield rec
    if short:
        shown = ", ".join(short[:10]) + (" …" if len(short) > 10 else "")
        warnings.warn(
            Warnings.W104.format(path=path, n=len(short), expected=n, rows="rows " + shown),
            KotobaWarning,
            stacklevel=5,
        )


def _jsonl_records(path: Path, enc: str) -> Iterator[tuple[list[Any], tuple[int, int]] | list[str]]:
    """The keys (a list), then ``(values, (row, line))`` per JSON object.

    Only files whose objects all have the same keys, each key holding values
    of one scalar kind, are streamed: pandas reads other files column-wise
    (a missing key or a float among integers turns 1 into "1.0")."""
    keys: list[str] | None = None
    kinds: dict[str, type] = {}
    row = 1
    try:
        with _text_stream(path, enc) as stream:
            for line_no, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise NotStreamable(str(exc)) from exc
                if not isinstance(obj, dict):
                    raise NotStreamable("not an object")
                if keys is None:
                    keys = list(obj)
                    yield keys
                elif list(obj) != keys:
                    raise NotStreamable("records with different keys")
                values = []
                for k, v in obj.items():
                    kind = type(v)
                    if kind is float and v != v or v is None:
                        raise NotStreamable("missing values")
                    if kinds.setdefault(k, kind) is not kind:
                        raise NotStreamable("values of different kinds in one field")
                    values.append(v if isinstance(v, (list, dict)) else str(v))
                row += 1
                yield values, (row, line_no)
    except UnicodeDecodeError as exc:
        raise NotStreamable(str(exc)) from exc
    if keys is None:
        raise NotStreamable("no records")


def _parquet_records(path: Path, batch_size: int) -> Iterator[Any]:
    """The column names, then ``(values, (row, row))`` per record, read one
    batch of rows at a time with pyarrow (``ParquetFile.iter_batches``)."""
    import pyarrow.parquet as pq  # pyarrow loads only when a Parquet file is read

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - the whole-file reader reports a bad file
        raise NotStreamable(str(exc)) from exc
    names = list(pf.schema_arrow.names)
    if pf.metadata.num_rows == 0 or len(set(names)) != len(names):
        raise NotStreamable("no rows, or repeated column names")
    yield names
    row = 1
    for batch in pf.iter_batches(batch_size=batch_size):
        columns = [cells(batch.column(j).to_pylist()) for j in range(batch.num_columns)]
        for values in zip(*columns, strict=True):
            row += 1
            yield list(values), (row, row)


def _chunks(
    path: Path,
    records: Iterator[Any],
    text_col: str | None,
    id_col: str | None,
    chunk_size: int,
    columns: tuple[str, ...],
) -> Iterator[Corpus]:
    header = next(records)
    text_col = "text" if text_col is None else text_col
    for col in (text_col, id_col, *columns):
        # read_corpus reports a missing column with the columns found.
        if col is not None and col not in header:
            raise NotStreamable(f"no column {col!r}")
    id_name = id_col
    if id_name is None:
        id_name = "__row__"
        while id_name in header:
            id_name += "_"
    seen = np.zeros(0, dtype=np.int64)
    done = 0
    batch: list[Any] = []
    locs: list[tuple[int, int]] = []
    for fields, loc in records:
        batch.append(fields)
        locs.append(loc)
        if len(batch) >= chunk_size:
            corpus, seen = _corpus(path, header, batch, locs, text_col, id_col, id_name, done, seen)
            done += len(batch)
            batch, locs = [], []
            yield corpus
    if batch or not done:
        corpus, seen = _corpus(path, header, batch, locs, text_col, id_col, id_name, done, seen)
        yield corpus


def _corpus(
    path: Path,
    header: list[str],
    batch: list[Any],
    locs: list[tuple[int, int]],
    text_col: str,
    id_col: str | None,
    id_name: str,
    done: int,
    seen: np.ndarray,
) -> tuple[Corpus, np.ndarray]:
    if path.suffix.lower() in (".csv", ".tsv"):
        df = pd.DataFrame(batch, columns=header, dtype=str)
    else:
        # Column by column from lists, as the JSON Lines reader builds them
        # (pandas infers the same dtypes).
        df = pd.DataFrame({c: [r[j] for r in batch] for j, c in enumerate(header)}, index=range(len(batch)))
    if id_col is None:
        # Ids are the row numbers in the whole file, as read_corpus gives them.
        df[id_name] = [str(done + i + 1) for i in range(len(df))]
    corpus = Corpus.from_dataframe(
        df, text_col=text_col, id_col=id_name, name=str(path), locate=lambda i: _where(*locs[i])
    )
    if id_col is not None and len(corpus):
        # An id repeated across chunks: its rows are named by the whole-file
        # reader. Hashes keep this check to 8 bytes per document.
        h = np.sort(np.fromiter((hash(i) for i in corpus.ids.tolist()), dtype=np.int64, count=len(corpus)))
        if len(seen):
            at = np.minimum(np.searchsorted(seen, h), len(seen) - 1)
            if np.any(seen[at] == h):
                raise NotStreamable("an id of an earlier chunk")
        seen = np.sort(np.concatenate([seen, h]))
    return corpus, seen
