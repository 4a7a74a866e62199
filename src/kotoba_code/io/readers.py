"""Readers: CSV/TSV, Excel, JSON Lines and interview transcripts into a Corpus.

Survey answers reach researchers as whatever Excel wrote: UTF-8 with or
without a BOM, or cp932 (Shift_JIS). Readers detect the encoding, keep every
row (also empty and malformed ones) with its id, and name the file, line and
column in every error.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from pathlib import Path

import pandas as pd

from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".ndjson")
TEXT_SUFFIXES = (".txt",)
# Tried in this order when the bytes are not valid UTF-8; ties go to the first.
CANDIDATE_ENCODINGS = ("utf-8", "cp932", "euc_jp")
_ODD_RE = re.compile("[\ufffd\ue000-\uf8ff\x80-\x9f\uff61-\uff9f]")


def decode_bytes(raw: bytes, *, path: str | Path = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode file contents, detecting UTF-8 (with or without BOM), cp932 or EUC-JP.

    Returns ``(text, encoding)``. With an explicit ``encoding`` only that one
    is tried. When nothing decodes cleanly, the closest encoding is used with
    U+FFFD for the bad bytes and a warning names the affected lines, so one
    broken line never loses the rest of the file.

    Examples
    --------
    >>> decode_bytes("温度差".encode("cp932"))
    ('温度差', 'cp932')
    >>> decode_bytes(codecs.BOM_UTF8 + "温度差".encode())
    ('温度差', 'utf-8-sig')
    """
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError as exc:
            raise CorpusReadError(Errors.E101.format(path=path, reason=f"unknown encoding {encoding!r}")) from exc
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise CorpusReadError(
                Errors.E103.format(path=path, tried=f"{encoding} (line {line}: {exc.reason})")
            ) from exc
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_lenient(raw[3:], "utf-8", path, "utf-8-sig")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_lenient(raw, "utf-16", path, "utf-16")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy encodings decode almost any bytes without error, so judge each
    # reading by how odd it looks: replacement characters, private-use and C1
    # characters, and half-width katakana, which a wrong guess produces in bulk.
    best = min(CANDIDATE_ENCODINGS, key=lambda e: len(_ODD_RE.findall(raw.decode(e, errors="replace"))))
    return _decode_lenient(raw, best, path, best)


def _decode_lenient(raw: bytes, enc: str, path: str | Path, label: str) -> tuple[str, str]:
    text = raw.decode(enc, errors="replace")
    if "\ufffd" in text:
        bad = [i for i, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line]
        shown = ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")
        warnings.warn(
            Warnings.W101.format(path=path, n=len(bad), encoding=enc, lines=shown), KotobaWarning, stacklevel=3
        )
    return text, label


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
    ``text_col`` (or the last column) and is reported with its line number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("id,answer\\n1,NA\\n2,\\n".encode("cp932"))
    >>> read_table(p)["answer"].tolist()
    ['NA', '']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    if path.is_dir():
        raise CorpusReadError(Errors.E101.format(path=path, reason="it is a directory, not a table file"))
    if suffix in (".csv", ".tsv"):
        return _read_delimited(path, "\t" if suffix == ".tsv" else ",", encoding, text_col)
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path, sheet)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path, encoding)
    raise CorpusReadError(
        Errors.E104.format(path=path, suffix=suffix, supported=", ".join(TABLE_SUFFIXES + TEXT_SUFFIXES))
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=exc.strerror or exc)) from exc


def _read_delimited(path: Path, sep: str, encoding: str | None, text_col: str | None) -> pd.DataFrame:
    raw = _read_bytes(path)
    text, enc = decode_bytes(raw, path=path, encoding=encoding)
    if "\x00" in text:
        raise CorpusReadError(Errors.E101.format(path=path, reason="it contains NUL bytes: not a text table"))
    if not text.strip():
        raise CorpusReadError(Errors.E109.format(path=path))
    # Clean UTF-8 goes to pandas' C parser as bytes, saving a re-encode.
    source = io.BytesIO(raw) if enc == "utf-8" and "\ufffd" not in text else io.StringIO(text)
    try:
        df = pd.read_csv(
            source,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            on_bad_lines="error",
            encoding="utf-8",
        )
    except pd.errors.ParserError:
        # Rare: rows with extra fields. The csv module gives line numbers.
        df = _read_delimited_repair(path, text, sep, text_col)
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=exc)) from exc
    return df.fillna("")


def _read_delimited_repair(path: Path, text: str, sep: str, text_col: str | None) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CorpusReadError(Errors.E109.format(path=path)) from exc
    n = len(header)
    t = header.index(text_col) if text_col in header else n - 1
    rows = []
    try:
        for fields in reader:
            if len(fields) > n:
                warnings.warn(
                    Warnings.W102.format(path=path, row=reader.line_num, n=len(fields), expected=n),
                    KotobaWarning,
                    stacklevel=4,
                )
                extra = len(fields) - n
                fields = fields[:t] + [sep.join(fields[t : t + extra + 1])] + fields[t + extra + 1 :]
            elif len(fields) < n:
                fields = fields + [""] * (n - len(fields))
            rows.append(fields)
    except csv.Error as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=f"line {reader.line_num}: {exc}")) from exc
    return pd.DataFrame(rows, columns=header, dtype=str)


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    import zipfile

    from kotoba_code.io.archive import check_zip

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


def _read_jsonl(path: Path, encoding: str | None) -> pd.DataFrame:
    text, _ = decode_bytes(_read_bytes(path), path=path, encoding=encoding)
    records = []
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
    if not records:
        raise CorpusReadError(Errors.E109.format(path=path))
    df = pd.DataFrame.from_records(records)
    for c in df.columns:
        # Scalars become strings like the other readers; lists (codes) stay lists.
        df[c] = [
            "" if v is None or (isinstance(v, float) and v != v) else v if isinstance(v, (list, dict)) else str(v)
            for v in df[c].tolist()
        ]
    return df


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
        from kotoba_code.io.khcoder import HEADING_BYTES_RE, read_khcoder_text

        # Heading tags are ASCII in every supported encoding: test the bytes.
        if HEADING_BYTES_RE.search(_read_bytes(path)):
            return read_khcoder_text(path, encoding=encoding)
    if path.is_dir() or path.suffix.lower() in TEXT_SUFFIXES:
        return read_transcripts(path, encoding=encoding)
    df = read_table(path, sheet=sheet, encoding=encoding, text_col=text_col)
    if text_col is None:
        if "text" not in df.columns:
            raise CorpusReadError(
                Errors.E102.format(path=path, column="text", columns=", ".join(map(str, df.columns)))
                + " Choose the answer column with text_col= (on the command line: --text-col)."
            )
        text_col = "text"
    return Corpus.from_dataframe(df, text_col=text_col, id_col=id_col, name=str(path))


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
        raw, _ = decode_bytes(_read_bytes(f), path=f, encoding=encoding)
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
