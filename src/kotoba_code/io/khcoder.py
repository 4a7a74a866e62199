"""KH Coder's heading-tagged plain-text corpus format.

A KH Coder text file has one paragraph per line and heading lines
``<H1>…</H1>`` … ``<H5>…</H5>``. It becomes one document whose text is the
file with the heading tags removed (each heading line keeps its title), with
the units KH Coder uses:

* ``h1`` … ``h5``: a heading line and everything up to the next heading of the
  same or a higher level, with the heading ``title`` as attribute (and as the
  variables ``見出し1`` … ``見出し5``);
* ``paragraph``: every non-empty line that is not a heading (a line of
  full-width spaces counts);
* ``sentence``: each heading line, and each paragraph cut after every 「。」
  (KH Coder ends sentences at 。 only).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, Errors
from kotoba_code.textfile import decode_bytes, read_bytes

HEADING_RE = re.compile(r"^\s*<[Hh]([1-5])>(.*?)</[Hh]\1>\s*$")
HEADING_BYTES_RE = re.compile(rb"(?m)^[ \t]*<[Hh][1-5]>.*</[Hh][1-5]>[ \t]*\r?$")


def read_khcoder_text(path: str | Path, *, encoding: str | None = None) -> Corpus:
    """Read a KH Coder text corpus (heading tags, one paragraph per line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "k.txt"
    >>> _ = p.write_text("<H1>上</H1>\\n先生と私。よく話した。\\n<H2>一</H2>\\n奥さんが来た\\n", encoding="cp932")
    >>> c = read_khcoder_text(p)
    >>> [len(c.units(u)) for u in ("h1", "h2", "paragraph", "sentence")]
    [1, 1, 2, 5]
    >>> c.unit_variable("見出し1", "sentence").tolist()
    ['上', '上', '上', '上', '上']
    """
    path = Path(path)
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    raw, _ = decode_bytes(read_bytes(path), path=path, encoding=encoding)
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    pos = 0
    headings: list[tuple[int, int, int, str]] = []  # level, start, end, title
    paragraphs: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    for line in lines:
        m = HEADING_RE.match(line)
        if m:
            title = m.group(2)
            headings.append((int(m.group(1)), pos, pos + len(title), title))
            if title:
                sentences.append((pos, pos + len(title)))
            line = title
        elif line.strip(" \t"):
            paragraphs.append((pos, pos + len(line)))
            start = pos
            for k, ch in enumerate(line):
                if ch == "。":
                    sentences.append((start, pos + k + 1))
                    start = pos + k + 1
            if start < pos + len(line):
                sentences.append((start, pos + len(line)))
        out.append(line)
        pos += len(line) + 1
    text = "\n".join(out)
    spans: dict[str, pd.DataFrame] = {
        "paragraph": pd.DataFrame({"doc": 0, "start": [a for a, _ in paragraphs], "end": [b for _, b in paragraphs]}),
        "sentence": pd.DataFrame({"doc": 0, "start": [a for a, _ in sentences], "end": [b for _, b in sentences]}),
    }
    for level in range(1, 6):
        rows = []
        for i, (lv, start, _, title) in enumerate(headings):
            if lv != level:
                continue
            nxt = next((s for lv2, s, _, _ in headings[i + 1 :] if lv2 <= level), len(text) + 1)
            rows.append({"doc": 0, "start": start, "end": max(nxt - 1, start), "title": title})
        spans[f"h{level}"] = pd.DataFrame(rows, columns=["doc", "start", "end", "title"])
    return Corpus([path.stem], [text], spans=spans, name=str(path))
