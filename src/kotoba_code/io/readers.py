"""Readers: CSV/TSV, Excel, JSON Lines and interview transcripts into a Corpus.

Survey answers reach researchers as whatever Excel wrote: UTF-8 with or
without a BOM, or cp932 (Shift_JIS). Readers detect the encoding, keep every
row (also empty and malformed ones) with its id, and name the file, row and
column in every error. Messages count "row N" as a spreadsheet shows the
table (header = row 1) and "line N" as a text editor shows the file; they
give both when a multi-line answer makes them differ: ``row 5 (line 9)``.
A CSV/TSV row is never shifted, swallowed or dropped in silence: a quote
that never closes is an error naming its line, and wide, short and
suspicious multi-line rows are kept with a warning naming them.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings
from kotoba_code.io.archive import check_zip
from kotoba_code.io.khcoder import HEADING_BYTES_RE, read_khcoder_text
from kotoba_code.textfile import decode_bytes, read_bytes, utf16_without_bom

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".parquet")
TEXT_SUFFIXES = (".txt",)


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    text_col: str | None = None,
) -> pd.DataFrame:
    """Read a CSV/TSV/XLSX/JSONL file into a DataFrame of strings.

    Nothing is converted to NaN: an answer reading ``NA`` or ``なし`` stays
    text, and empty cells become ``""``. A CSV row with too many fields (an
    unquoted comma in an answer) keeps its extra fields joined into
    ``text_col`` (or the last column) and is reported with its row number; a
    short row gets empty fields and a warning; a quote that never closes
    raises :class:`~kotoba_code.errors.CorpusReadError` naming its line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("id,answer\\n1,NA\\n2,\\n".encode("cp932"))
    >>> read_table(p)["answer"].tolist()
    ['NA', '']
    """
    return _read_table_located(path, sheet=sheet, encoding=encoding, text_col=text_col)[0]


def _read_table_located(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    text_col: str | None = None,
) -> tuple[pd.DataFrame, Callable[[int], str]]:
    """:func:`read_table`, and a function naming DataFrame row ``i`` in messages."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    if path.is_dir():
        raise CorpusReadError(Errors.E101.format(path=path, reason="it is a directory, not a table file"))
    if suffix in (".csv", ".tsv"):
        return _read_delimited_located(path, "\t" if suffix == ".tsv" else ",", encoding, text_col)
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path, sheet), _spreadsheet_row
    if suffix in (".jsonl", ".ndjson"):
        df, line_of = _read_jsonl(path, encoding)
        # A JSON Lines file has no header row; the table built from it does.
        return df, lambda i: f"row {i + 2} (line {line_of[i]})"
    if suffix == ".parquet":
        return _read_parquet(path), _spreadsheet_row
    raise CorpusReadError(
        Errors.E104.format(path=path, suffix=suffix, supported=", ".join(TABLE_SUFFIXES + TEXT_SUFFIXES))
    )


def _spreadsheet_row(i: int) -> str:
    return f"row {i + 2}"


def _where(row: int, line: int) -> str:
    """How messages name a record: its spreadsheet row, and its first physical
    line too when a multi-line answer or a blank line above makes them differ."""
    return f"row {row}" if row == line else f"row {row} (line {line})"


def _read_delimited_located(
    path: Path, sep: str, encoding: str | None, text_col: str | None
) -> tuple[pd.DataFrame, Callable[[int], str]]:
    """The table and a function naming the record of each DataFrame row in messages."""
    raw = read_bytes(path)
    if encoding is None and b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Before decoding: a binary file would otherwise first get a warning
        # about undecodable lines. UTF-16 is the one text encoding with NULs.
        if utf16_without_bom(raw) is None:
            _raise_nul(path, raw, raw, encoding)
    text, enc = decode_bytes(raw, path=path, encoding=encoding)
    if "\x00" in text:
        _raise_nul(path, raw, text, encoding)
    if not text.strip():
        raise CorpusReadError(Errors.E109.format(path=path))
    # Clean UTF-8 goes to pandas' C parser as bytes, saving a re-encode.
    source = io.BytesIO(raw) if enc == "utf-8" and "\ufffd" not in text else io.StringIO(text)
    try:
        with warnings.catch_warnings():
            # index_col=False: a first data row wider than the header must not
            # turn the ids into an index (pandas' guess), which shifts every
            # column; pandas then truncates the row with a ParserWarning.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                source,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                index_col=False,
                on_bad_lines="error",
                encoding="utf-8",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        # Rows with extra fields or a quote that never closes: the csv module
        # reads record by record and knows the lines of each.
        return _read_delimited_rows(path, text, sep, text_col)
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=exc)) from exc
    if not _looks_regular(df, text, sep):
        return _read_delimited_rows(path, text, sep, text_col)
    return df, _Locator(text, sep)


# Bytes no text table has, apart from tab, line feed and carriage return.
_CONTROL_BYTES = bytes([*range(9), 11, 12, *range(14, 32)])


def _raise_nul(path: Path, raw: bytes, data: str | bytes, encoding: str | None) -> None:
    # Bytes are checked before decoding; latin-1 keeps one character per byte.
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    line = text.count("\n", 0, text.find("\x00")) + 1
    n = sum(1 for ln in text.split("\n") if "\x00" in ln)
    more = f" (and {n - 1} more line(s))" if n > 1 else ""
    hint = ""
    if (enc := utf16_without_bom(raw)) is not None:
        hint = f" It looks like UTF-16 without a BOM: pass --encoding {enc} (encoding={enc!r})."
    elif len(raw) - len(raw.translate(None, _CONTROL_BYTES)) > len(raw) // 100:
        hint = " It has many control bytes: is it a binary file (an .xlsx renamed to .csv)?"
    raise CorpusReadError(Errors.E120.format(path=path, line=line, more=more, hint=hint))


def _looks_regular(df: pd.DataFrame, text: str, sep: str) -> bool:
    """True when pandas' reading provably kept every record with its fields.

    pandas pads a short row with empty strings silently, and a quoted answer
    whose closing quote is missing can close at a stray quote rows later. Both
    are checked on the text, at C speed: the separators outside quotes must be
    exactly those between fields (so no row is short), and lines inside
    quotes must not look like rows. Stray quotes in unquoted fields upset the
    count and send the file to the careful reader, which is correct, only slower.
    """
    n, r = len(df.columns), len(df)
    expected = (n - 1) * (r + 1)
    if '"' not in text:
        # Without quotes no answer spans lines or holds a separator.
        return text.count(sep) == expected
    # Split at quotes, every other piece is inside quotes (a doubled quote
    # inside an answer leaves an empty piece outside). NUL was refused before,
    # so it keeps the pieces apart.
    inside = "\x00".join(text.split('"')[1::2])
    if text.count(sep) - inside.count(sep) != expected:
        return False
    if n < 2 or "\n" not in inside:
        return True
    shapes = _id_shapes(df.iloc[:, 0])
    row_start = re.compile(f"\n([^\n\x00{re.escape(sep)}]+){re.escape(sep)}")
    return not (shapes and any(_shape(m[1]) in shapes for m in row_start.finditer(inside)))


_LETTER_RE = re.compile("[A-Za-z]")
_DIGIT_RE = re.compile("[0-9]")


def _shape(value: str) -> str:
    return _DIGIT_RE.sub("9", _LETTER_RE.sub("a", value.strip()))


def _id_shapes(first_col: pd.Series) -> frozenset[str]:
    """Shapes (digits as 9, letters as a) of the first column when it holds
    ids: few distinct shapes such as ``9999`` or ``a999``, else empty."""
    # A sample is enough: ids are written one way throughout a file.
    shapes = frozenset(_shape(v) for v in first_col.iloc[:2000].tolist())
    return shapes if len(shapes) <= 10 and "" not in shapes else frozenset()


def _row_like_lines(value: str, sep: str, shapes: frozenset[str]) -> list[int]:
    """0-based lines (after the first) of a multi-line answer that look like
    a record of their own: a separator, and before it something shaped like
    the file's ids. Swallowed rows look like that; answers rarely do."""
    if not shapes:
        return []
    hits = []
    for k, line in enumerate(value.split("\n")[1:], start=1):
        head, found, _ = line.partition(sep)
        if found and head and _shape(head) in shapes:
            hits.append(k)
    return hits


_LINE_BREAK_RE = re.compile(r"\r\n?|\n")
_QUOTED_RE = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')


def _unclosed_quote(record: str, sep: str) -> int | None:
    """Offset in ``record`` (the text of one record to the end of the file) of
    a quote that opens a field and never closes, else None.

    The rules are those of the csv module and pandas: a quote only opens a
    field at its start, ``""`` inside it is a quote, and anything after the
    closing quote up to the separator joins the field.
    """
    rest = re.compile(f"[^{re.escape(sep)}\r\n]*")
    pos, n = 0, len(record)
    while pos < n:
        if record[pos] == '"':
            m = _QUOTED_RE.match(record, pos)
            if m is None:
                return pos
            pos = m.end()
        pos = rest.match(record, pos).end()  # type: ignore[union-attr]  # matches the empty string
        if pos >= n or record[pos] != sep:
            return None
        pos += 1
    return None


class _Locator:
    """Names DataFrame row ``i`` of a delimited file as ``row N`` (``line M``).

    Mapping rows to lines needs a full pass of the csv module, so it happens
    only when a message needs it; a file without blank lines and multi-line
    answers has row = line = i + 2.
    """

    def __init__(self, text: str, sep: str, locs: list[tuple[int, int]] | None = None) -> None:
        self._text, self._sep, self._locs = text, sep, locs

    def __call__(self, i: int) -> str:
        if self._locs is None:
            self._locs = [loc for loc, _ in _records(self._text, self._sep)[1:]]
        return _where(*self._locs[i]) if i < len(self._locs) else f"row {i + 2}"


def _blank(fields: list[str]) -> bool:
    """A blank or white-space line: a row in a spreadsheet, but no record for
    pandas, so neither for the careful reader."""
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _records(text: str, sep: str) -> list[tuple[tuple[int, int], list[str]]]:
    """``((row, first line), fields)`` of each non-blank record, the header first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out = []
    end = 0
    for row, fields in enumerate(reader, start=1):
        start, end = end + 1, reader.line_num
        if not _blank(fields):
            out.append(((row, start), fields))
    return out


def _read_delimited_rows(
    path: Path, text: str, sep: str, text_col: str | None
) -> tuple[pd.DataFrame, Callable[[int], str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    locs: list[tuple[int, int]] = []  # (row, first line) of each record
    short: list[str] = []
    end = row = start = 0
    try:
        for row, fields in enumerate(reader, start=1):
            start, end = end + 1, reader.line_num
            if _blank(fields):
                continue
            if header is None:
                header = fields
                n = len(header)
                t = header.index(text_col) if text_col in header else n - 1
                continue
            fields = _fit_fields(path, fields, n, t, sep, row, start, short)
            rows.append(fields)
            locs.append((row, start))
    except csv.Error as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=f"line {reader.line_num}: {exc}")) from exc
    if header is None:
        raise CorpusReadError(Errors.E109.format(path=path))
    # The last record runs to the end of the file; if a quote in it never
    # closes, it has swallowed every line after the quote. Then one of its
    # fields holds a line break, or the file ends without one.
    last_fields = rows[-1] if rows and locs[-1][0] == row else header if row and not rows else []
    if text[-1:] not in ("\n", "\r") or any("\n" in f or "\r" in f for f in last_fields):
        _check_last_record(path, text, sep, row, start)
    if short:
        shown = ", ".join(short[:10]) + (" …" if len(short) > 10 else "")
        warnings.warn(
            Warnings.W104.format(path=path, n=len(short), expected=n, rows="rows " + shown),
            KotobaWarning,
            stacklevel=5,
        )
    shapes = _shapes([f[0] for f in rows[:2000]], n)
    for loc, fields in zip(locs, rows, strict=True):
        _check_multiline(path, sep, shapes, fields, loc)
    return pd.DataFrame(rows, columns=header, dtype=str), _Locator(text, sep, locs)


def _check_last_record(path: Path, text: str, sep: str, row: int, start: int) -> None:
    """E119 when a quote in the last record (row ``row`` from line ``start``) never closes."""
    # Line breaks as the csv module counts them (\r\n, \r or \n).
    breaks = [m.end() for m in _LINE_BREAK_RE.finditer(text)]
    offset = breaks[start - 2] if start > 1 else 0
    pos = _unclosed_quote(text[offset:], sep)
    if pos is not None:
        line = start + len(_LINE_BREAK_RE.findall(text, offset, offset + pos))
        last = len(breaks) + (not breaks or breaks[-1] < len(text))
        raise CorpusReadError(Errors.E119.format(path=path, where=_where(row, line), line=line, last=last))


def _shapes(first_ids: list[str], n: int) -> frozenset[str]:
    return _id_shapes(pd.Series(first_ids, dtype=object)) if first_ids and n > 1 else frozenset()


def _check_multiline(path: Path, sep: str, shapes: frozenset[str], fields: list[str], loc: tuple[int, int]) -> None:
    """W105 for a multi-line answer with lines shaped like records (in the whole-file and the chunked reader)."""
    r, line = loc
    for value in fields:
        if "\n" not in value:
            continue
        hits = _row_like_lines(value, sep, shapes)
        if hits:
            shown = ", ".join(str(line + h) for h in hits[:10])
            warnings.warn(
                Warnings.W105.format(path=path, where=_where(r, line), k=value.count("\n") + 1, lines=shown),
                KotobaWarning,
                stacklevel=6,
            )
        line += value.count("\n")  # the next field starts that many lines further down


def _fit_fields(
    path: Path, fields: list[str], n: int, t: int, sep: str, row: int, start: int, short: list[str]
) -> list[str]:
    """A record fitted to the header's ``n`` columns: extra fields joined into
    column ``t`` (W102), missing ones empty (named in ``short`` for W104)."""
    if len(fields) > n:
        w = _where(row, start).removeprefix("row ")
        warnings.warn(Warnings.W102.format(path=path, row=w, n=len(fields), expected=n), KotobaWarning, stacklevel=6)
        extra = len(fields) - n
        return fields[:t] + [sep.join(fields[t : t + extra + 1])] + fields[t + extra + 1 :]
    if len(fields) < n:
        short.append(_where(row, start).removeprefix("row "))
        return fields + [""] * (n - len(fields))
    return fields


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    import zipfile

    # An .xlsx is a zip from elsewhere: refuse unsafe paths and zip bombs
    # before openpyxl inflates anything. Files that are no zip at all (broken,
    # or password-protected, which Excel stores as OLE) get openpyxl's message.
    if zipfile.is_zipfile(path):
        check_zip(path)
    try:
        xl = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise CorpusReadError(Errors.E101.format(path=path, reason=f"not a readable .xlsx file ({exc})")) from exc
    with xl:
        names = xl.sheet_names
        if sheet is None:
            sheet = 0
        elif isinstance(sheet, str) and sheet not in names:
            if sheet.isdigit() and int(sheet) < len(names):
                sheet = int(sheet)
            else:
                raise CorpusReadError(Errors.E107.format(path=path, sheet=sheet, sheets=", ".join(names)))
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise CorpusReadError(Errors.E107.format(path=path, sheet=sheet, sheets=", ".join(names)))
        df = pd.read_excel(xl, sheet_name=sheet, dtype=str, keep_default_na=False, na_filter=False)
    df.columns = [str(c) for c in df.columns]
    return df.fillna("")


def _read_jsonl(path: Path, encoding: str | None) -> tuple[pd.DataFrame, list[int]]:
    """The table, and the line of each record (blank lines are skipped)."""
    text, _ = decode_bytes(read_bytes(path), path=path, encoding=encoding)
    records = []
    lines = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusReadError(Errors.E108.format(path=path, line=line_no, reason=exc.msg)) from exc
        if not isinstance(obj, dict):
            raise CorpusReadError(Errors.E108.format(path=path, line=line_no, reason="expected a JSON object"))
        records.append(obj)
        lines.append(line_no)
    if not records:
        raise CorpusReadError(Errors.E109.format(path=path))
    df = pd.DataFrame.from_records(records)
    for c in df.columns:
        df[c] = cells(df[c].tolist())
    return df, lines


def cells(values: list[object]) -> list[object]:
    """Values of a JSON Lines or Parquet column as the table readers give
    them: scalars as strings (like CSV cells), missing values as ``""``, lists
    (codes) and mappings kept.

    Examples
    --------
    >>> cells([1, None, 2.5, float("nan"), ["a"], "x"])
    ['1', '', '2.5', '', ['a'], 'x']
    """
    return [
        "" if v is None or (isinstance(v, float) and v != v) else v if isinstance(v, (list, dict)) else str(v)
        for v in values
    ]


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as a table of strings (every row group at once; the
    chunked reader of :mod:`kotoba_code.io.stream` reads it in batches)."""
    import pyarrow.parquet as pq  # pyarrow loads only when a Parquet file is read

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for bad files
        raise CorpusReadError(Errors.E101.format(path=path, reason=f"not a readable Parquet file ({exc})")) from exc
    if table.num_rows == 0:
        raise CorpusReadError(Errors.E109.format(path=path))
    return pd.DataFrame({name: cells(table.column(name).to_pylist()) for name in table.column_names})


def read_corpus(
    path: str | Path,
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> Corpus:
    """Read answers or transcripts into a :class:`~kotoba_code.Corpus`.

    ``.csv``/``.tsv``/``.xlsx``/``.jsonl`` are tables: one row per document,
    ``text_col`` holds the answer (default ``text``), ``id_col`` the id
    (default: row number), every other column becomes metadata. A ``.txt``
    file with KH Coder heading tags (``<H1>…</H1>``) is a KH Coder corpus
    (:func:`~kotoba_code.io.khcoder.read_khcoder_text`); other ``.txt`` files,
    or a directory of them, are interview transcripts (:func:`read_transcripts`).

    Examples
    --------
    >>> corpus = read_corpus("corpus/answers.csv", text_col="answer", id_col="id")  # doctest: +SKIP
    """
    path = Path(path)
    if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
        # Heading tags are ASCII in every supported encoding: test the bytes.
        if HEADING_BYTES_RE.search(read_bytes(path)):
            return read_khcoder_text(path, encoding=encoding)
    if path.is_dir() or path.suffix.lower() in TEXT_SUFFIXES:
        return read_transcripts(path, encoding=encoding)
    df, locate = _read_table_located(path, sheet=sheet, encoding=encoding, text_col=text_col)
    if text_col is None:
        if "text" not in df.columns:
            raise CorpusReadError(
                Errors.E102.format(path=path, column="text", columns=", ".join(map(str, df.columns)))
                + " Choose the answer column with text_col= (on the command line: --text-col)."
            )
        text_col = "text"
    return Corpus.from_dataframe(df, text_col=text_col, id_col=id_col, name=str(path), locate=locate)


# -- transcripts -----------------------------------------------------------

# A turn starts at the beginning of a line: a short label without spaces or
# sentence punctuation, then a full- or half-width colon (聞き手：, A:, 〇〇市：).
_TURN_RE = re.compile(r"^[ \t\u3000]*(?P<speaker>[^\s:：。、，,.「」()（）]{1,15}?)[ \t]*[：:][ \t\u3000]*", re.M)
_HEADER_RE = re.compile(r"#\s*(?P<key>[^:：]+?)\s*[：:]\s*(?P<value>.*)")


def read_transcripts(path: str | Path, *, encoding: str | None = None) -> Corpus:
    """Read interview transcripts: one document per ``.txt`` file.

    Speaker turns (``聞き手：``, ``A:``, ``〇〇市：`` at the start of a line)
    become the paragraph units, with the speaker as the paragraph attribute
    ``speaker``; continuation lines belong to the turn above. Leading
    ``# key: value`` lines are a header whose values become document metadata.
    The document id is the file name without suffix.

    Examples
    --------
    >>> corpus = read_transcripts("corpus/transcripts")  # doctest: +SKIP
    >>> corpus.units("paragraph")[["id", "speaker"]].head(2)  # doctest: +SKIP
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
        if not files:
            raise CorpusReadError(Errors.E101.format(path=path, reason="no .txt files in this directory"))
    elif path.exists():
        files = [path]
    else:
        raise CorpusReadError(Errors.E110.format(path=path))
    ids, texts, metas, paras = [], [], [], []
    for d, f in enumerate(files):
        raw, _ = decode_bytes(read_bytes(f), path=f, encoding=encoding)
        meta, body = _split_header(raw)
        ids.append(f.stem)
        texts.append(body)
        metas.append(meta)
        for start, end, speaker in _turns(body):
            paras.append({"doc": d, "start": start, "end": end, "speaker": speaker})
    metadata = pd.DataFrame(metas).fillna("") if any(metas) else None
    para_df = pd.DataFrame(paras, columns=["doc", "start", "end", "speaker"])
    return Corpus(ids, texts, metadata=metadata, paragraphs=para_df, name=str(path))


def _split_header(raw: str) -> tuple[dict[str, str], str]:
    meta: dict[str, str] = {}
    lines = raw.split("\n")
    i = 0
    while i < len(lines):
        m = _HEADER_RE.fullmatch(lines[i].strip())
        if not m:
            break
        meta[m["key"]] = m["value"].strip()
        i += 1
    if i == 0:
        return meta, raw
    while i < len(lines) and not lines[i].strip():
        i += 1
    return meta, "\n".join(lines[i:])


def _turns(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, speaker)`` of each turn; text before the first label is
    a turn with an empty speaker. Spans exclude the label and trailing space."""
    marks = [m for m in _TURN_RE.finditer(text) if not m["speaker"].isdigit()]
    bounds: list[tuple[int, int, str]] = []
    if not marks or text[: marks[0].start()].strip():
        bounds.append((0, marks[0].start() if marks else len(text), ""))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        bounds.append((m.end(), end, m["speaker"]))
    out = []
    for s, e, sp in bounds:
        seg = text[s:e]
        s += len(seg) - len(seg.lstrip())
        e -= len(seg) - len(seg.rstrip())
        if e > s:
            out.append((s, e, sp))
    return out
