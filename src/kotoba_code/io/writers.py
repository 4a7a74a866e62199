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
from pathlib import Path
from types import TracebackType
from typing import IO

import pandas as pd

from kotoba_code.errors import Errors, OutputError
from kotoba_code.io.markdown import people_table, to_markdown

WRITE_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".xlsx", ".md")
# Formats a table can be written to piece by piece (TableAppender).
APPEND_SUFFIXES = (".csv", ".tsv", ".jsonl")


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
    """A table written in pieces: the same bytes as :func:`write_table` of all
    the pieces joined, without holding them all (``.csv``, ``.tsv``, ``.jsonl``).

    The rows go to a temporary file next to ``path``, which replaces
    ``path`` when the ``with`` block ends without an error; after an error
    it is removed, so a failed run leaves no half-written table.

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

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in APPEND_SUFFIXES:
            raise OutputError(
                Errors.E901.format(
                    path=path, suffix=self.suffix, what="a table in pieces", supported=", ".join(APPEND_SUFFIXES)
                )
            )
        self.rows = 0
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        self._file: IO[str] | None = None
        self._header = True

    def __enter__(self) -> TableAppender:
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # The encodings and line ends of write_table: pandas writes CSV with
        # newline="" and a BOM (utf-8-sig), JSON Lines goes through text mode.
        if self.suffix == ".csv":
            self._file = self._tmp.open("w", encoding="utf-8-sig", newline="")
        elif self.suffix == ".tsv":
            self._file = self._tmp.open("w", encoding="utf-8", newline="")
        else:
            self._file = self._tmp.open("w", encoding="utf-8")
        return self

    def append(self, df: pd.DataFrame) -> None:
        """Write the rows of ``df`` (the header too, the first time)."""
        f = self._file
        if f is None:
            raise OutputError(
                Errors.E901.format(path=self.path, suffix=self.suffix, what="a closed table", supported="")
            )
        if self.suffix == ".jsonl":
            for rec in df.to_dict(orient="records"):
                f.write(json.dumps(rec, ensure_ascii=False, default=_json_default) + "\n")
        else:
            df.to_csv(f, index=False, header=self._header, sep="\t" if self.suffix == ".tsv" else ",")
        self._header = False
        self.rows += len(df)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if kind is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


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

    openpyxl turns any string starting with ``=`` into a formula and ``#N/A``
    and the like into error cells; such strings get a cell whose type is fixed
    to string. The write-only workbook streams rows, so 200,000-row token
    tables write about as fast as ``DataFrame.to_excel`` and in less memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if len(df) + 1 > XLSX_MAX_ROWS:
        raise OutputError(Errors.E904.format(path=path, n=len(df) + 1, limit=XLSX_MAX_ROWS))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")

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
                values[i] = text(v, i + 2, name)  # row as Excel numbers it: the header is row 1
            elif isinstance(v, dt.datetime) and v.tzinfo is not None:
                values[i] = text(v.isoformat(), i + 2, name)  # Excel has no time zones
            elif not isinstance(v, _XLSX_SCALARS):
                values[i] = text(str(v), i + 2, name)
        return values

    # Every value is checked before the first row goes out, so a refused
    # table leaves no file and no half-written workbook behind.
    header = [text(str(c), 1, c) for c in df.columns]
    columns = [column_values(df.iloc[:, j], c) for j, c in enumerate(df.columns)]
    ws.append(header)
    for row in zip(*columns, strict=True):
        ws.append(row)
    wb.save(path)


def _json_default(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()  # numpy scalars
    return str(v)
