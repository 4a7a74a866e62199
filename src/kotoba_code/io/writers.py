"""Writing result tables: the format follows the file suffix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from kotoba_code.errors import Errors, OutputError

WRITE_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".xlsx", ".md")


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV (UTF-8 with BOM, so Excel shows Japanese), TSV,
    Parquet, JSON Lines, Excel or Markdown, chosen by the suffix of ``path``.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> out = write_table(pd.DataFrame({"word": ["連携"], "count": [3]}), os.path.join(tempfile.mkdtemp(), "w.md"))
    >>> print(out.read_text(encoding="utf-8").splitlines()[0])
    | word | count |
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
        df.to_excel(path, index=False, engine="openpyxl")
    else:
        path.write_text(to_markdown(df), encoding="utf-8")
    return path


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-style Markdown table; ``|`` in cells is escaped."""

    def cell(v: object) -> str:
        s = "" if v is None or (isinstance(v, float) and v != v) else str(v)
        return s.replace("|", "\\|").replace("\n", " ")

    cols = [cell(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(" --- " for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _json_default(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()  # numpy scalars
    return str(v)
