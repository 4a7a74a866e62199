"""A self-contained HTML report of an evaluation, with matched spans highlighted.

Every piece of respondent text is escaped with :func:`html.escape`; only the
highlight ``<mark>`` elements kotoba_code writes itself are markup.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kotoba_code.evaluate import Evaluation

_CSS = """
body{font-family:sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}
td.l,th.l{text-align:left}mark{background:#ffe08a}.fp{color:#b00}.fn{color:#05a}
.low{background:#fdd}
"""


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped, with ``spans`` (start, end) wrapped in ``<mark>``.

    Examples
    --------
    >>> highlight("<b>温度差</b>がある", [(3, 6)])
    '&lt;b&gt;<mark>温度差</mark>&lt;/b&gt;がある'
    """
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def write_html_report(ev: Evaluation, path: str | Path, *, title: str = "kotoba_code evaluation") -> Path:
    """Write the per-code table and every disagreement to one HTML file."""
    path = Path(path)
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(title)}</title><style>{_CSS}</style>"]
    parts.append(
        f"<h1>{esc(title)}</h1><p>{ev.n} texts; reference coder {esc(ev.reference)}; "
        f"macro-F1 {ev.macro['f1']:.3f}, micro-F1 {ev.micro['f1']:.3f}</p>"
    )
    cols = [c for c in ev.codes.columns if c not in ("code", "label")]
    parts.append(
        "<table><tr><th class=l>code</th><th class=l>label</th>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>"
    )
    for row in ev.codes.to_dict(orient="records"):
        cells = []
        for c in cols:
            v = row[c]
            cls = " class=low" if c == "f1" and isinstance(v, float) and v < 0.7 else ""
            cells.append(f"<td{cls}>{v:.3f}</td>" if isinstance(v, float) else f"<td>{esc(str(v))}</td>")
        parts.append(
            f"<tr><td class=l>{esc(row['code'])}</td><td class=l>{esc(str(row['label']))}</td>"
            + "".join(cells)
            + "</tr>"
        )
    parts.append("</table><h2>Disagreements</h2>")
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    if ev.result is not None and len(ev.result.evidence):
        for r in ev.result.evidence.itertuples():
            spans.setdefault((r.id, r.code), []).append((int(r.start), int(r.end)))
    parts.append(
        "<table><tr><th class=l>id</th><th class=l>code</th><th class=l>kind</th>"
        "<th class=l>text</th><th class=l>evidence</th><th>pattern</th></tr>"
    )
    for r in ev.disagreements.to_dict(orient="records"):
        text = highlight(str(r["text"]), spans.get((r["id"], r["code"]), []))
        parts.append(
            f"<tr><td class=l>{esc(str(r['id']))}</td><td class=l>{esc(r['code'])}</td>"
            f"<td class='l {esc(r['kind'])}'>{esc(r['kind'])}</td><td class=l>{text}</td>"
            f"<td class=l>{esc(str(r['evidence']))}</td><td>{int(r['pattern_count'])}</td></tr>"
        )
    parts.append("</table>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
