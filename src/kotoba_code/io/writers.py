"""Writing result tables: the format follows the file suffix.

Every value is written as data, never as something a spreadsheet would run:
in ``.xlsx`` a text cell is always a text cell, even when the text starts with
``=`` (an answer, an id or a code label such as ``=HYPERLINK(…)``) or reads
like an error value (``#N/A``), so the file opens without live formulas and
reads back unchanged. CSV has no cell types; see docs/interoperability.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd

from kotoba_code.errors import Errors, OutputError
from kotoba_code.io.markdown import people_table, to_markdown

WRITE_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".xlsx", ".md")
# Formats a table can be written to piece by piece (TableAppender).
APPEND_SUFFIXES = (".csv", ".tsv", ".jsonl", ".parquet", ".xlsx")


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV (UTF-8 with BOM, so Excel shows Japanese), TSV,
    Parquet, JSON Lines, Excel or Markdown, chosen by the suffix of ``path``.

    Markdown is for people: headings in the output language, p-values with
    significance marks, one decimal (:func:`~kotoba_code.io.markdown.people_table`).
    The other formats keep the columns and values as they are.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> out = write_table(pd.DataFrame({"word": ["連携"], "count": [3]}), os.path.join(tempfile.mkdtemp(), "w.md"))
    >>> print(out.read_text(encoding="utf-8").splitlines()[0])
    | 語 | 出現数 |
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise OutputError(
            Errors.E901.format(path=path, suffix=suffix, what="a table", supported=", ".join(WRITE_SUFFIXES))
        )
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".tsv":
        df.to_csv(path, index=False, sep="\t", encoding="utf-8")
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as f:
            for rec in df.to_dict(orient="records"):
                f.write(json.dumps(rec, ensure_ascii=False, default=_json_default) + "\n")
    elif suffix == ".xlsx":
        _write_xlsx(df, path)
    else:
        path.write_text(to_markdown(people_table(df)), encoding="utf-8")
    return path


class TableAppender:
    """A table written in pieces, without holding them all: the same file as
    :func:`write_table` of all the pieces joined.

    ``.csv``, ``.tsv`` and ``.jsonl`` come out byte for byte the same;
    ``.parquet`` (one row group per piece) and ``.xlsx`` read back the same
    (both formats record when or how they were written). ``path`` None writes
    CSV to standard output, as ``DataFrame.to_csv(sys.stdout)`` would.

    The rows go to a temporary file next to ``path``, which replaces
    ``path`` when the ``with`` block ends without an error; after an error
    it is removed, so a failed run leaves no half-written table. Rows for
    standard output wait in a temporary file too and are printed when the
    block ends, so a run that fails, or starts over, prints nothing twice.

    Raises
    ------
    OutputError
        E901 for another suffix; E902–E904 for what an ``.xlsx`` cannot
        hold, naming the row in the whole table; E905 when a Parquet piece's
        column types differ from the first piece's (a column empty in the
        whole first piece, say), which one file cannot hold.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> with TableAppender(out) as table:
    ...     table.append(pd.DataFrame({"id": ["1"], "k": [1]}))
    ...     table.append(pd.DataFrame({"id": ["2"], "k": [0]}))
    >>> from pathlib import Path
    >>> pieces = Path(out).read_bytes()
    >>> pieces == write_table(pd.DataFrame({"id": ["1", "2"], "k": [1, 0]}), out).read_bytes()
    True
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else Path(path)
        self.suffix = ".csv" if self.path is None else self.path.suffix.lower()
        if self.suffix not in APPEND_SUFFIXES:
            raise OutputError(
                Errors.E901.format(
                    path=path, suffix=self.suffix, what="a table in pieces", supported=", ".join(APPEND_SUFFIXES)
                )
            )
        self.rows = 0
        self._pieces = 0
        self._tmp = None if self.path is None else self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        self._file: IO[str] | None = None
        self._open = False
        self._parquet: Any = None  # pyarrow.parquet.ParquetWriter, from the first piece
        self._xlsx: Any = None  # (openpyxl write-only workbook, its sheet)

    def __enter__(self) -> TableAppender:
        if self.path is not None and self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # The encodings and line ends of write_table: pandas writes CSV with
        # newline="" and a BOM (utf-8-sig), JSON Lines goes through text mode.
        if self._tmp is None:
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        elif self.suffix == ".csv":
            self._file = self._tmp.open("w", encoding="utf-8-sig", newline="")
        elif self.suffix == ".tsv":
            self._file = self._tmp.open("w", encoding="utf-8", newline="")
        elif self.suffix == ".jsonl":
            self._file = self._tmp.open("w", encoding="utf-8")
        elif self.suffix == ".xlsx":
            from openpyxl import Workbook

            # Write-only: openpyxl keeps the rows in a temporary file of its own until saved.
            wb = Workbook(write_only=True)
            self._xlsx = (wb, wb.create_sheet("Sheet1"))
        self._open = True
        return self

    def append(self, df: pd.DataFrame) -> None:
        """Write the rows of ``df`` (the header too, the first time)."""
        if not self._open:
            raise OutputError(
                Errors.E901.format(path=self.path, suffix=self.suffix, what="a closed table", supported="")
            )
        if self.suffix == ".parquet":
            self._append_parquet(df)
        elif self.suffix == ".xlsx":
            ws = self._xlsx[1]
            if self.rows + len(df) + 1 > XLSX_MAX_ROWS:
                raise OutputError(Errors.E904.format(path=self.path, n=self.rows + len(df) + 1, limit=XLSX_MAX_ROWS))
            for row in _xlsx_rows(ws, df, self.path, first_row=self.rows + 2, header=not self._pieces):  # type: ignore[arg-type]
                ws.append(row)
        elif self.suffix == ".jsonl":
            f = self._file
            for rec in df.to_dict(orient="records"):
                f.write(json.dumps(rec, ensure_ascii=False, default=_json_default) + "\n")  # type: ignore[union-attr]
        else:
            df.to_csv(self._file, index=False, header=not self._pieces, sep="\t" if self.suffix == ".tsv" else ",")
        self.rows += len(df)
        self._pieces += 1

    def _append_parquet(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            # As DataFrame.to_parquet(index=False) converts, with its default compression.
            table = pa.Table.from_pandas(df, preserve_index=False)
            self._parquet = pq.ParquetWriter(self._tmp, table.schema, compression="snappy")
        else:
            schema = self._parquet.schema
            try:
                table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                raise OutputError(Errors.E905.format(path=self.path, row=self.rows + 1, why=exc)) from exc
        self._parquet.write_table(table)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._open = False
        try:
            if kind is None:
                if self._xlsx is not None:
                    wb, self._xlsx = self._xlsx[0], None
                    wb.save(self._tmp)
                elif self.suffix == ".parquet" and self._parquet is None:
                    pd.DataFrame().to_parquet(self._tmp, index=False)  # no piece came
                elif self.path is None and self._file is not None:
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, sys.stdout)
            self._close()
            if self._tmp is not None and kind is None:
                os.replace(self._tmp, self.path)  # type: ignore[arg-type]
        finally:
            self._close()
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._xlsx is not None:
            # Not saved (an error): end the sheet's row stream, which
            # openpyxl would otherwise complain of when it is collected; its
            # temporary file goes when the process ends.
            ws, self._xlsx = self._xlsx[1], None
            ws.close()


# Excel's limits (rows per sheet, characters per cell).
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CHARS = 32_767
# Characters XML 1.0 cannot carry (openpyxl refuses them with a bare exception).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_SCALARS = (bool, int, float, dt.datetime, dt.date, dt.time, dt.timedelta)


def check_xlsx_text(value: str, path: Path, row: int, column: object) -> str:
    """``value`` if a cell can hold it, else E902 (a character XML cannot
    carry) or E903 (too long), naming the file, row and column."""
    if len(value) > XLSX_MAX_CHARS:
        raise OutputError(Errors.E903.format(path=path, row=row, column=str(column), n=len(value)))
    bad = _XLSX_ILLEGAL.search(value)
    if bad:
        char = f"U+{ord(bad.group()):04X}"
        raise OutputError(Errors.E902.format(path=path, row=row, column=str(column), char=char))
    return value


def xlsx_text_needs_type(value: str) -> bool:
    """Whether openpyxl would store ``value`` as a formula or an error value
    unless its cell's type is fixed to text.

    Examples
    --------
    >>> xlsx_text_needs_type("=HYPERLINK(1)"), xlsx_text_needs_type("#N/A"), xlsx_text_needs_type("連携")
    (True, True, False)
    """
    from openpyxl.cell.cell import ERROR_CODES

    return value[:1] == "=" or value in ERROR_CODES


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet ``Sheet1`` with a header row; text is typed as text, numbers stay numbers.

    The write-only workbook streams rows, so 200,000-row token tables write
    about as fast as ``DataFrame.to_excel`` and in less memory.
    """
    from openpyxl import Workbook

    if len(df) + 1 > XLSX_MAX_ROWS:
        raise OutputError(Errors.E904.format(path=path, n=len(df) + 1, limit=XLSX_MAX_ROWS))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for row in _xlsx_rows(ws, df, path, first_row=2, header=True):
        ws.append(row)
    wb.save(path)


def _xlsx_rows(ws: Any, df: pd.DataFrame, path: Path, *, first_row: int, header: bool) -> list[tuple[object, ...]]:
    """The rows of ``df`` as cell values for the write-only sheet ``ws``
    (with the header row first if ``header``); ``first_row`` is the Excel
    row number of ``df``'s first row, for the errors.

    openpyxl turns any string starting with ``=`` into a formula and ``#N/A``
    and the like into error cells; such strings get a cell whose type is fixed
    to string. Every value is checked before any row is returned, so a refused
    table leaves no half-written workbook behind.
    """
    from openpyxl.cell import WriteOnlyCell

    def text(value: str, row: int, column: object) -> object:
        if not xlsx_text_needs_type(check_xlsx_text(value, path, row, column)):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell

    def column_values(col: pd.Series, name: object) -> list[object]:
        values = col.astype(object).where(col.notna(), None).tolist()
        if col.dtype.kind in "biuf":
            return values  # plain Python numbers after tolist()
        for i, v in enumerate(values):
            if v is None:
                continue
            if hasattr(v, "item") and not isinstance(v, str):
                v = values[i] = v.item()  # numpy scalars
            if isinstance(v, str):
                values[i] = text(v, first_row + i, name)
            elif isinstance(v, dt.datetime) and v.tzinfo is not None:
                values[i] = text(v.isoformat(), first_row + i, name)  # Excel has no time zones
            elif not isinstance(v, _XLSX_SCALARS):
                values[i] = text(str(v), first_row + i, name)
        return values

    columns = [column_values(df.iloc[:, j], c) for j, c in enumerate(df.columns)]
    rows = list(zip(*columns, strict=True))
    if header:
        rows.insert(0, tuple(text(str(c), 1, c) for c in df.columns))  # the header is Excel's row 1
    return rows


def _json_default(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()  # numpy scalars
    return str(v)
