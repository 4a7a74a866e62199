"""The review queue: every answer once, the most likely wrongly coded first.

An answer's risk is the probability that at least one of its codes is wrong,
``1 - prod_c max(p_c, 1 - p_c)`` over the calibrated per-code probabilities
``p_c`` of a learned or hybrid coder (``CodingResult.scores``). Codes whose
probability lies between 0.1 and 0.9 are listed as uncertain, with what the
rules and the model said.

The queue has an empty column, ``reviewed_codes``, for the reviewer's codes.
``kotoba-code test`` and ``train`` (and :func:`~kotoba_code.evaluate.read_labels`)
read a filled-in queue back as a labelled sample: a code list (``a;b``) is
taken as written, ``=`` accepts the proposed codes, ``-`` means no code, and
rows left empty are not labelled yet and are left out (warning W602).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

REVIEW_COLUMN = "reviewed_codes"
PROPOSED_COLUMN = "proposed_codes"
ACCEPT = "="
NONE = "-"
UNCERTAIN = (0.1, 0.9)


def review_queue(result: CodingResult, *, uncertain: tuple[float, float] = UNCERTAIN) -> pd.DataFrame:
    """One row per answer, most likely wrong first.

    Columns: ``id``, ``rank``, ``risk`` (probability that some code is wrong),
    ``proposed_codes``, ``uncertain_codes`` (``code 0.63`` …), ``reason``
    (per uncertain code: ``ルール○・モデル0.21``), ``text`` and the empty
    ``reviewed_codes``.

    Examples
    --------
    >>> import numpy as np
    >>> from kotoba_code import Corpus, tokenize
    >>> from kotoba_code.coding import LearnedCoder
    >>> texts = ["人手が足りない", "職員が不足", "連携できている", "特になし"] * 5
    >>> toks = tokenize(Corpus.from_texts(texts), cache=False)
    >>> m = LearnedCoder(vectors=False, cv=2).fit(toks, np.array([[1], [1], [0], [0]] * 5), code_ids=["staff"])
    >>> q = review_queue(m.code(toks))
    >>> len(q), q["rank"].tolist()[:3], bool(q["risk"].is_monotonic_decreasing)
    (20, [1, 2, 3], True)
    """
    if result.scores is None:
        raise CorpusReadError(Errors.E609.format(what="model behind this result (no scores)"))
    scores = result.scores
    ids = list(scores.columns)
    p = scores.to_numpy(dtype=float)
    decided = result.matrix[ids].to_numpy(dtype=bool)
    risk = 1.0 - np.prod(np.where(decided, p, 1.0 - p), axis=1)
    rule = getattr(result, "rule_scores", None)
    model = getattr(result, "model_scores", None)
    lo, hi = uncertain
    texts = result.corpus.texts
    doc = result._unit_rows["doc"].to_numpy()
    rows = []
    for i in range(len(p)):
        proposed = [c for j, c in enumerate(ids) if decided[i, j]]
        unsure = [j for j in np.argsort(-np.minimum(p[i], 1 - p[i])) if lo < p[i, j] < hi]
        reasons = []
        for j in unsure:
            parts = []
            if rule is not None:
                parts.append("ルール○" if rule.iat[i, j] else "ルール×")
            if model is not None:
                parts.append(f"モデル{model.iat[i, j]:.2f}")
            verdict = "付与" if decided[i, j] else "不付与"
            reasons.append(f"{ids[j]}: {verdict}（{'・'.join(parts) or f'確率{p[i, j]:.2f}'}）")
        rows.append(
            {
                "id": scores.index[i],
                "risk": round(float(risk[i]), 4),
                PROPOSED_COLUMN: ";".join(proposed),
                "uncertain_codes": "; ".join(f"{ids[j]} {p[i, j]:.2f}" for j in unsure),
                "reason": "; ".join(reasons),
                "text": texts[doc[i]],
                REVIEW_COLUMN: "",
            }
        )
    df = pd.DataFrame(rows)
    order = np.argsort(-risk, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    df.insert(1, "rank", np.arange(1, len(df) + 1))
    return df


def write_review(result: CodingResult, queue: pd.DataFrame, path: str | Path) -> None:
    """Write the queue as ``.csv`` or ``.xlsx``; the workbook marks the rule
    hits in each text in bold red and shades the ``reviewed_codes`` column."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        queue.to_csv(path, index=False, encoding="utf-8-sig")
        return
    if suffix != ".xlsx":
        raise CorpusReadError(Errors.E611.format(path=path, suffix=suffix))
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font, PatternFill

    ev = result.evidence
    spans: dict[str, list[tuple[int, int]]] = {}
    if len(ev):
        hits = ev[(ev["start"] >= 0) & (ev["end"] > ev["start"])]
        for i, s, e in zip(hits["id"].tolist(), hits["start"].tolist(), hits["end"].tolist(), strict=True):
            spans.setdefault(str(i), []).append((int(s), int(e)))
    wb = Workbook()
    ws = wb.active
    ws.title = "review"
    cols = list(queue.columns)
    ws.append(cols)
    for c in ws[1]:
        c.font = Font(bold=True)
    mark = InlineFont(b=True, color="C00000")
    text_col = cols.index("text") + 1
    review_col = cols.index(REVIEW_COLUMN) + 1
    fill = PatternFill("solid", fgColor="FFF2CC")
    for r, rec in enumerate(queue.itertuples(index=False), start=2):
        values = list(rec)
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v.item() if isinstance(v, np.generic) else v)
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
    widths = {"id": 10, "rank": 6, "risk": 8, PROPOSED_COLUMN: 30, "uncertain_codes": 30, "reason": 50, "text": 70}
    for c, name in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = widths.get(name, 24)
    ws.freeze_panes = "A2"
    wb.save(path)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def labels_from_review(df: pd.DataFrame, where: str, codes_col: str = "codes") -> pd.DataFrame:
    """A filled-in review queue as a labelled table with a ``codes`` column.

    Examples
    --------
    >>> q = pd.DataFrame({"id": ["1", "2", "3"], "text": ["a", "b", "c"], "proposed_codes": ["x", "x;y", ""],
    ...                   "reviewed_codes": ["=", "y", "-"]})
    >>> labels_from_review(q, "<q>")[["id", "codes"]].values.tolist()
    [['1', 'x'], ['2', 'y'], ['3', '']]
    """
    reviewed = df[REVIEW_COLUMN].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    reviewed = reviewed.str.strip()
    empty = reviewed == ""
    if empty.any():
        rows = (np.flatnonzero(empty.to_numpy()) + 2).tolist()
        shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        warnings.warn(Warnings.W602.format(path=where, n=len(rows), rows=shown), KotobaWarning, stacklevel=3)
    proposed = df[PROPOSED_COLUMN].fillna("").astype(str) if PROPOSED_COLUMN in df.columns else ""
    codes = np.where(reviewed == ACCEPT, proposed, np.where(reviewed == NONE, "", reviewed))
    out = df.assign(**{codes_col: codes})[~empty.to_numpy()]
    keep = [
        c for c in out.columns if c not in ("rank", "risk", PROPOSED_COLUMN, "uncertain_codes", "reason", REVIEW_COLUMN)
    ]
    return out[keep].reset_index(drop=True)
