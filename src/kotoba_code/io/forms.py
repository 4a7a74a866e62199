"""Excel survey forms: a folder of per-respondent ``.xlsx`` questionnaires into one corpus.

Surveys of municipalities and Hello Work desks often arrive as one Excel form
per respondent: the same template, filled in by each, with the respondent's
details in fixed cells (B3: group, B4: prefecture) and each free-text answer
in a box (B10, B12, often a merged range). :func:`read_excel_forms` reads
such a folder into one :class:`~kotoba_code.Corpus` — a document per
respondent and question — and a summary table of what was read.

Forms come from many hands. A form that cannot be read (not an ``.xlsx``,
truncated, saved with a password, missing a named cell) is reported by file
name and skipped; the other forms are still read.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings

FORM_SUFFIXES = (".xlsx", ".xlsm")
# Columns the reader adds to the metadata; cells= must not reuse them.
RESERVED = ("id", "text", "file", "question")
# Compound-file (OLE2) signature: an encrypted .xlsx, or an old binary .xls.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML package is an OLE file holding this stream (UTF-16 name).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A one-page form is a few hundred kilobytes; these caps refuse zip bombs
# long before openpyxl would inflate them.
MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 256 * 1024 * 1024
# "B3", "$B$3", "Sheet2!B3", "'回答 票'!$B$10:$F$14"
_REF_RE = re.compile(
    r"^(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<sheet>[^!'\s]+))!)?"
    r"(?P<cell>\$?[A-Za-z]{1,3}\$?\d+)(?::\$?[A-Za-z]{1,3}\$?\d+)?$"
)


class _FormError(Exception):
    """A reason to skip one form; the message goes into the summary."""


def read_excel_forms(
    folder: str | Path,
    cells: Mapping[str, str] | None = None,
    *,
    text_cells: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
) -> tuple[Corpus, pd.DataFrame]:
    """Read a folder of per-respondent Excel forms into one corpus.

    Every file in ``folder`` (not its subfolders; hidden files and Excel's
    ``~$`` lock files are ignored) is one respondent's ``.xlsx``/``.xlsm``
    form; other files are listed as skipped. Each
    question of ``text_cells`` becomes a document with the id
    ``<file stem>:<question>`` — also when its answer cell is empty — whose
    metadata are ``file``, ``question`` and the values of ``cells``.

    Parameters
    ----------
    folder : str or Path
        The folder of forms.
    cells : mapping of str to str, optional
        Respondent metadata: column name → cell, e.g.
        ``{"group": "B3", "prefecture": "B4"}``.
    text_cells : mapping of str to str
        Free-text questions: question name → cell of the answer, e.g.
        ``{"challenge": "B10", "practice": "B12"}``.
    sheet : str or int, optional
        Sheet of plain cell references (name or 0-based index; default: the
        first sheet).

    A cell is given as ``B3``, ``$B$3``, ``Sheet2!B3``, ``'回答 票'!B3``, or
    as an Excel defined name (``回答_課題``, set with 名前の定義 in the form
    template). For a range or a merged answer box, the top-left cell holds the
    value. Numbers are written without a trailing ``.0``, dates as ISO dates;
    formulas give their last computed value.

    Returns
    -------
    corpus : Corpus
        One document per good form and question, forms in file-name order.
    summary : DataFrame
        One row per file: ``file``, ``status`` (``ok`` or ``skipped``),
        ``reason`` (why it was skipped, else ``""``) and ``documents`` read.

    Raises
    ------
    CorpusReadError
        When ``folder`` does not exist, contains no files, no question cells
        are given, or a metadata name is one of ``id``, ``text``, ``file``,
        ``question``. Unreadable forms are not errors: they are skipped,
        listed in the summary and reported with a :class:`KotobaWarning`.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name, group, answer in [("kyoto", "自治体", "温度差がある"), ("hw_osaka", "ハローワーク", None)]:
    ...     wb = openpyxl.Workbook()
    ...     wb.active["B3"], wb.active["B10"] = group, answer
    ...     wb.save(folder / f"{name}.xlsx")
    >>> corpus, summary = read_excel_forms(folder, {"group": "B3"}, text_cells={"challenge": "B10"})
    >>> corpus.to_frame().values.tolist()
    [['hw_osaka:challenge', '', 'hw_osaka.xlsx', 'challenge', 'ハローワーク'], \
['kyoto:challenge', '温度差がある', 'kyoto.xlsx', 'challenge', '自治体']]
    >>> summary.values.tolist()
    [['hw_osaka.xlsx', 'ok', '', 1], ['kyoto.xlsx', 'ok', '', 1]]
    """
    folder = Path(folder)
    cells = dict(cells or {})
    questions = dict(text_cells or {})
    if not folder.exists():
        raise CorpusReadError(Errors.E110.format(path=folder))
    if not folder.is_dir():
        raise CorpusReadError(Errors.E115.format(path=folder))
    if not questions:
        raise CorpusReadError(Errors.E116.format(path=folder))
    clash = sorted(set(cells) & set(RESERVED))
    if clash:
        raise CorpusReadError(Errors.E117.format(path=folder, names=", ".join(clash), reserved=", ".join(RESERVED)))
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))),
        key=lambda p: p.name,
    )
    if not files:
        raise CorpusReadError(Errors.E118.format(path=folder))

    ids: list[str] = []
    texts: list[str] = []
    meta: list[dict[str, str]] = []
    summary: list[dict[str, Any]] = []
    stems: set[str] = set()
    for path in files:
        try:
            if path.stem in stems:
                raise _FormError(f"another form has the same name {path.stem!r}")
            values = _read_form(path, {**cells, **{f"\0{q}": ref for q, ref in questions.items()}}, sheet)
        except _FormError as exc:
            reason = str(exc)
            warnings.warn(Warnings.W103.format(path=path.name, reason=reason), KotobaWarning, stacklevel=2)
            summary.append({"file": path.name, "status": "skipped", "reason": reason, "documents": 0})
            continue
        stems.add(path.stem)
        row_meta = {name: values[name] for name in cells}
        for q in questions:
            ids.append(f"{path.stem}:{q}")
            texts.append(values[f"\0{q}"])
            meta.append({"file": path.name, "question": q, **row_meta})
        summary.append({"file": path.name, "status": "ok", "reason": "", "documents": len(questions)})

    columns = ["file", "question", *cells]
    corpus = Corpus(ids, texts, metadata=pd.DataFrame(meta, columns=columns, dtype=object), name=str(folder))
    table = pd.DataFrame(summary, columns=["file", "status", "reason", "documents"])
    table["documents"] = table["documents"].astype("int64")
    return corpus, table


def _read_form(path: Path, refs: Mapping[str, str], sheet: str | int | None) -> dict[str, str]:
    """The text of each named cell of one form, or :class:`_FormError`."""
    import openpyxl

    _check_package(path)
    try:
        # data_only: formulas give the value Excel last computed, not "=A1".
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise _FormError(f"not a readable .xlsx file ({type(exc).__name__}: {exc})") from exc
    try:
        default = _sheet(wb, sheet)
        return {name: _cell_text(wb, default, ref) for name, ref in refs.items()}
    finally:
        wb.close()


def _check_package(path: Path) -> None:
    """Refuse files that are not zip packages before openpyxl sees them, with
    a reason a respondent can act on."""
    if path.suffix.lower() not in FORM_SUFFIXES:
        hint = "; save it as .xlsx" if path.suffix.lower() in (".xls", ".ods", ".csv") else ""
        raise _FormError(f"not an .xlsx form ({path.suffix or 'no extension'}){hint}")
    try:
        with path.open("rb") as f:
            head = f.read(8)
            if head == _OLE_MAGIC:
                # The directory of an OLE file is small and near the start or
                # end; a full read is fine for a form-sized file.
                rest = f.read(8 * 1024 * 1024)
                if _ENCRYPTED_STREAM in rest:
                    raise _FormError("the form is password-protected (encrypted); save it without a password")
                raise _FormError("an Excel 97-2003 (.xls) workbook with an .xlsx name; save it as .xlsx")
    except OSError as exc:
        raise _FormError(exc.strerror or str(exc)) from exc
    if not zipfile.is_zipfile(path):
        raise _FormError("not an .xlsx file (not a zip package)")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _FormError(f"a damaged .xlsx file ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise _FormError(f"the package has {len(infos):,} parts (at most {MAX_MEMBERS:,} are read)")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise _FormError(f"the package unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB")
    for i in infos:
        name = i.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
            raise _FormError(f"the package has a part with an unsafe path {i.filename!r}")


def _sheet(wb: Any, sheet: str | int | None) -> Any:
    names = wb.sheetnames
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, str) and sheet in names:
        return wb[sheet]
    if isinstance(sheet, str) and sheet.isdigit():
        sheet = int(sheet)
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return wb.worksheets[sheet]
    raise _FormError(f"no sheet {sheet!r} (sheets: {', '.join(names)})")


def _cell_text(wb: Any, default: Any, ref: str) -> str:
    """Text of the cell a reference or defined name points at."""
    ws, coord = _resolve(wb, default, ref.strip())
    from openpyxl.cell.cell import MergedCell

    cell = ws[coord]
    # A reference into a merged answer box: the value sits in its top-left cell.
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                cell = ws.cell(row=rng.min_row, column=rng.min_col)
                break
    return _as_text(cell.value)


def _resolve(wb: Any, default: Any, ref: str) -> tuple[Any, str]:
    m = _REF_RE.match(ref)
    if m:
        name = m.group("quoted")
        name = name.replace("''", "'") if name else m.group("sheet")
        if name is not None and name not in wb.sheetnames:
            raise _FormError(f"cell {ref!r}: no sheet {name!r} (sheets: {', '.join(wb.sheetnames)})")
        return (wb[name] if name else default), m.group("cell").replace("$", "").upper()
    # A defined name: the sheet's own names first (Excel's scoping), then the workbook's.
    defined = default.defined_names.get(ref) or wb.defined_names.get(ref)
    if defined is None:
        for ws in wb.worksheets:
            defined = ws.defined_names.get(ref)
            if defined is not None:
                break
    if defined is None:
        raise _FormError(f"no cell or defined name {ref!r}")
    for sheet_name, cells in defined.destinations:
        if sheet_name in wb.sheetnames:
            return wb[sheet_name], cells.split(":")[0].replace("$", "").upper()
    raise _FormError(f"the defined name {ref!r} does not point at a cell ({defined.value})")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


__all__ = ["FORM_SUFFIXES", "read_excel_forms"]
