"""Writing a review queue (:func:`kotoba_code.coding.review.review_queue`) for people.

A ``.csv`` holds the queue as it is. A ``.xlsx`` workbook marks the rule hits
in each answer in bold red, shades the ``reviewed_codes`` column the reviewer
fills in, and has a second sheet saying how to fill it. Like every workbook
this project writes, text is stored as text: an answer starting with ``=``
never becomes a live formula (:mod:`kotoba_code.io.writers`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.coding.review import ACCEPT_MARKS, NONE_MARKS, PROPOSED_COLUMN, REVIEW_COLUMN
from kotoba_code.errors import Errors, OutputError
from kotoba_code.io.writers import XLSX_MAX_ROWS, check_xlsx_text, xlsx_text_needs_type

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

__all__ = ["REVIEW_SUFFIXES", "write_review"]

REVIEW_SUFFIXES = (".csv", ".xlsx")

_WIDTHS = {"id": 10, "rank": 6, "risk": 8, PROPOSED_COLUMN: 30, "uncertain_codes": 30, "reason": 50, "text": 70}

_HOW_TO = [
    ["reviewed_codes の記入方法"],
    [],
    ["記入", "意味"],
    ["コードID（複数は ; で区切る）", "その答えのコードはこれ（提案を置き換える）"],
    [" / ".join(sorted(ACCEPT_MARKS - {"="})) + " / =", "提案どおりでよい（proposed_codes を採用）"],
    [" / ".join(sorted(NONE_MARKS - {"-"})) + " / -", "コードなし"],
    ["空欄", "まだ見ていない（test / train では読み飛ばす）"],
    [],
    ["並び順は、コードのどれかが誤っている確率（risk）の高い順です。上から確認してください。"],
    ["本文の赤い太字は、ルールが一致した語です。"],
    ["記入したファイルは kotoba-code test / train にそのまま渡せます。"],
]


def write_review(result: CodingResult, queue: pd.DataFrame, path: str | Path) -> Path:
    """Write the queue as ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx``.

    Parameters
    ----------
    result : CodingResult
        The coding the queue was made from: its evidence gives the spans to mark.
    queue : DataFrame
        From :func:`~kotoba_code.coding.review.review_queue`.

    Examples
    --------
    >>> import tempfile
    >>> from kotoba_code import Corpus, tokenize
    >>> from kotoba_code.coding import LearnedCoder
    >>> from kotoba_code.coding.review import review_queue
    >>> toks = tokenize(Corpus.from_texts(["人手が足りない", "特になし"] * 6), cache=False)
    >>> m = LearnedCoder(vectors=False, cv=2).fit(toks, np.array([[1], [0]] * 6), code_ids=["staff"])
    >>> res = m.code(toks)
    >>> out = write_review(res, review_queue(res), Path(tempfile.mkdtemp()) / "review.xlsx")
    >>> import openpyxl; openpyxl.load_workbook(out).sheetnames
    ['review', '記入方法']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        queue.to_csv(path, index=False, encoding="utf-8-sig")
        return path
    if suffix != ".xlsx":
        raise OutputError(
            Errors.E901.format(path=path, suffix=suffix, what="a review queue", supported=", ".join(REVIEW_SUFFIXES))
        )
    if len(queue) + 1 > XLSX_MAX_ROWS:
        raise OutputError(Errors.E904.format(path=path, n=len(queue) + 1, limit=XLSX_MAX_ROWS))
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font, PatternFill

    spans = _spans_by_id(result)
    cols = [str(c) for c in queue.columns]
    # Every value is checked before the workbook is built: a refused queue
    # leaves no file behind.
    rows = []
    for r, rec in enumerate(queue.itertuples(index=False), start=2):
        values = [v.item() if isinstance(v, np.generic) else v for v in rec]
        for c, v in zip(cols, values, strict=True):
            if isinstance(v, str):
                check_xlsx_text(v, path, r, c)
        rows.append(values)
    wb = Workbook()
    ws = wb.active
    ws.title = "review"
    ws.append(cols)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    mark = InlineFont(b=True, color="C00000")
    text_col = cols.index("text") + 1
    review_col = cols.index(REVIEW_COLUMN) + 1
    fill = PatternFill("solid", fgColor="FFF2CC")
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and xlsx_text_needs_type(v):
                cell.data_type = "s"  # text, never a formula or an error value
        text = str(values[text_col - 1])
        marked = _merge(spans.get(str(values[0]), []))
        if marked:
            blocks: list[str | TextBlock] = []
            pos = 0
            for s, e in marked:
                if s > pos:
                    blocks.append(text[pos:s])
                blocks.append(TextBlock(mark, text[s:e]))
                pos = e
            if pos < len(text):
                blocks.append(text[pos:])
            ws.cell(row=r, column=text_col).value = CellRichText(blocks)
        ws.cell(row=r, column=text_col).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=review_col).fill = fill
    for c, name in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = _WIDTHS.get(name, 24)
    ws.freeze_panes = "A2"
    how = wb.create_sheet("記入方法")
    for line in _HOW_TO:
        how.append(line)
    how["A1"].font = Font(bold=True)
    how.column_dimensions["A"].width = 36
    how.column_dimensions["B"].width = 50
    wb.save(path)
    return path


def _spans_by_id(result: CodingResult) -> dict[str, list[tuple[int, int]]]:
    ev = result.evidence
    spans: dict[str, list[tuple[int, int]]] = {}
    if len(ev):
        hits = ev[(ev["start"] >= 0) & (ev["end"] > ev["start"])]
        for i, s, e in zip(hits["id"].tolist(), hits["start"].tolist(), hits["end"].tolist(), strict=True):
            spans.setdefault(str(i), []).append((int(s), int(e)))
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
