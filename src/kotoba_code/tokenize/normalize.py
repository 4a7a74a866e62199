"""Text normalisation that keeps character offsets into the original text.

Answers arrive with full-width letters (ＨＷ), half-width katakana (ﾊﾛｰﾜｰｸ),
circled numbers, byte-order marks, zero-width spaces and variation selectors.
The tokenizer works on an NFKC-normalised, cleaned copy; every token found in
that copy must still point at the characters the respondent wrote, so
normalisation records a piecewise map from normalised to original offsets.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Characters removed outright: they carry no meaning for coding but confuse the
# tokenizer (a BOM becomes a symbol, U+200B a noun, a variation selector splits
# 葛󠄀飾区 in three). C0/C1 controls except tab and newline go too.
_DROP = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff"
    "\ufe00-\ufe0f\U000e0100-\U000e01ef"
)
_DROP_RE = re.compile(f"[{_DROP}]")
# Half-width voiced marks combine with the preceding katakana under NFKC,
# although their combining class is 0.
_MARKS = "\uff9e\uff9f"


@functools.cache
def _tables() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, str]]:
    """Regular expressions and a table built from the running Python's own
    Unicode tables, so they always agree with :func:`unicodedata.normalize`
    (computed once per process, about 0.15 s):

    - runs of characters that NFKC or cleaning may change;
    - characters that make a text more than a character-for-character
      replacement: combining marks, characters NFKC expands or removes,
      characters cleaning drops, and carriage returns;
    - the replacement of every other character NFKC changes (ｱ → ア, ＨＷ → HW).
    """
    ranges: list[tuple[int, int]] = []
    complex_ranges: list[tuple[int, int]] = []
    one_to_one: dict[int, str] = {}

    def add(ranges: list[tuple[int, int]], cp: int) -> None:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))

    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        nfkc = unicodedata.normalize("NFKC", c)
        special = c == "\r" or bool(unicodedata.combining(c))
        if special or nfkc != c:
            add(ranges, cp)
            if special or len(nfkc) != 1 or unicodedata.combining(nfkc):
                add(complex_ranges, cp)
            else:
                one_to_one[cp] = nfkc

    def cls(ranges: list[tuple[int, int]]) -> str:
        return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)

    return (
        re.compile(f"[{cls(ranges)}{_DROP}{_MARKS}]+"),
        re.compile(f"[{cls(complex_ranges)}{_DROP}{_MARKS}]"),
        one_to_one,
    )


def _is_mark(c: str) -> bool:
    return bool(unicodedata.combining(c)) or c in _MARKS


@dataclass(frozen=True, eq=False)
class NormalizedText:
    """A normalised text and the map back to the original.

    The map is piecewise: ``pieces`` lists, for each stretch of the normalised
    text, its normalised start, original start and original end, and whether it
    is an identity stretch (characters copied unchanged) or one replaced
    segment (``ｶﾞ`` → ``ガ``, ``㈱`` → ``(株)``), which maps as a whole.

    Examples
    --------
    >>> n = normalize_text("ﾊﾛｰﾜｰｸで相談")
    >>> n.text
    'ハローワークで相談'
    >>> n.to_original(0, 6)
    (0, 6)
    >>> n.original[slice(*n.to_original(7, 9))]
    '相談'
    """

    text: str
    original: str
    # None: offsets map one to one (the normalised text is the original, or
    # the original with some characters each replaced by one other).
    n_start: np.ndarray | None = None
    o_start: np.ndarray | None = None
    o_end: np.ndarray | None = None
    ident: np.ndarray | None = None

    @property
    def is_identity(self) -> bool:
        return self.n_start is None

    def map_spans(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map arrays of normalised ``[start, end)`` spans to original offsets."""
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if self.n_start is None:
            return starts, ends
        assert self.o_start is not None and self.o_end is not None and self.ident is not None
        k = np.searchsorted(self.n_start, starts, side="right") - 1
        o_s = np.where(self.ident[k], self.o_start[k] + (starts - self.n_start[k]), self.o_start[k])
        last = np.maximum(ends - 1, starts)
        k = np.searchsorted(self.n_start, last, side="right") - 1
        o_e = np.where(self.ident[k], self.o_start[k] + (ends - self.n_start[k]), self.o_end[k])
        return o_s, o_e

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map one normalised span ``[start, end)`` to the original text."""
        s, e = self.map_spans(np.array([start]), np.array([end]))
        return int(s[0]), int(e[0])


def normalize_text(text: str) -> NormalizedText:
    """NFKC-normalise and clean ``text``, keeping a map to original offsets.

    Width forms are folded (ＨＷ → HW, ｶﾞ → ガ, １０ → 10), CRLF becomes LF,
    and characters that only confuse a tokenizer (controls, BOM, zero-width
    characters, variation selectors) are removed.

    Examples
    --------
    >>> normalize_text("ＨＷと\\u200b連携").text
    'HWと連携'
    """
    if unicodedata.is_normalized("NFKC", text) and not _DROP_RE.search(text) and "\r" not in text:
        return NormalizedText(text, text)
    _, complex_re, one_to_one = _tables()
    if not complex_re.search(text):
        # Only width forms and the like, each one character for one (ＨＷ,
        # ｱ, （）): offsets need no map. About a fifth of survey answers.
        return NormalizedText(text.translate(one_to_one), text)
    return _normalize_segments(text)


def _normalize_segments(text: str) -> NormalizedText:
    """:func:`normalize_text` for any text: each run of characters that may
    change is normalised segment by segment (a base character with its
    combining marks), recording the offset map."""
    out: list[str] = []
    n_start: list[int] = []
    o_start: list[int] = []
    o_end: list[int] = []
    ident: list[bool] = []
    npos = 0

    def copy(a: int, b: int) -> None:
        nonlocal npos
        if b > a:
            out.append(text[a:b])
            n_start.append(npos)
            o_start.append(a)
            o_end.append(b)
            ident.append(True)
            npos += b - a

    prev = 0
    unstable_re = _tables()[0]
    for m in unstable_re.finditer(text):
        a, b = m.start(), m.end()
        # A combining mark at the start of a run belongs to the base character
        # before it (か + U+3099 → が).
        while a > prev and _is_mark(text[a]):
            a -= 1
        copy(prev, a)
        i = a
        while i < b:
            j = i + 1
            while j < len(text) and _is_mark(text[j]):
                j += 1
            seg = text[i:j]
            if seg == "\r":
                rep = "" if text[j : j + 1] == "\n" else "\n"
            else:
                rep = unicodedata.normalize("NFKC", _DROP_RE.sub("", seg))
            if rep == seg:
                copy(i, j)
            elif rep:
                out.append(rep)
                n_start.append(npos)
                o_start.append(i)
                o_end.append(j)
                ident.append(False)
                npos += len(rep)
            i = j
        prev = max(b, i)
    copy(prev, len(text))
    if not n_start:
        n_start, o_start, o_end, ident = [0], [len(text)], [len(text)], [False]
    return NormalizedText(
        "".join(out),
        text,
        np.asarray(n_start, dtype=np.int64),
        np.asarray(o_start, dtype=np.int64),
        np.asarray(o_end, dtype=np.int64),
        np.asarray(ident, dtype=bool),
    )


def clean_text(text: str) -> NormalizedText:
    """Remove only the characters that confuse a tokenizer (controls, BOM,
    zero-width characters, variation selectors), keeping an offset map.

    This is what the Sudachi backend feeds the tokenizer: Sudachi folds widths
    itself and reports offsets into its input, so full NFKC is not needed there.

    Examples
    --------
    >>> n = clean_text("\ufeff温度差\u200bあり")
    >>> n.text, n.to_original(3, 5)
    ('温度差あり', (5, 7))
    """
    if not _DROP_RE.search(text):
        return NormalizedText(text, text)
    out: list[str] = []
    n_start: list[int] = []
    o_start: list[int] = []
    npos = prev = 0
    for m in _DROP_RE.finditer(text):
        if m.start() > prev:
            out.append(text[prev : m.start()])
            n_start.append(npos)
            o_start.append(prev)
            npos += m.start() - prev
        prev = m.end()
    if prev < len(text) or not n_start:
        out.append(text[prev:])
        n_start.append(npos)
        o_start.append(prev)
    o = np.asarray(o_start, dtype=np.int64)
    return NormalizedText(
        "".join(out),
        text,
        np.asarray(n_start, dtype=np.int64),
        o,
        o,  # unused for identity pieces
        np.ones(len(o), dtype=bool),
    )
