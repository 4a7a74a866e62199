"""Running the regular expressions of rules from untrusted codebooks safely.

A backtracking engine such as Python's :mod:`re` can take exponential time
on a pattern like ``(a+)+$`` (catastrophic backtracking), and a codebook may
come from someone else. So a rule's pattern runs:

* on RE2 (``google-re2``, linear time, no backtracking) when RE2 provably
  finds the same matches: the pattern is parsed by Python's own parser and
  rewritten for RE2 from that parse, construct by construct, and only
  constructs whose meaning is the same in both engines are accepted
  (literals, ``.``, character sets without ``\\d \\w \\s``, groups,
  alternation, repetition of non-empty parts, ``^ \\A \\Z``); patterns
  that can match the empty string are left to :mod:`re` too, since the
  engines step past empty matches differently;
* otherwise (lookarounds, back-references, ``$``, ``\\b``, ``\\d``, flags
  such as ``(?i)``) on :mod:`re` itself, so the results are exactly those of
  ``re``, under a time limit: a budget of :data:`TIME_BASE` seconds plus
  :data:`TIME_PER_CHAR` per character searched, shared by every search
  with that pattern in one coding run. In the main thread on POSIX the
  limit is a timer signal (``re`` checks signals while it matches); in
  other threads, where signals cannot be used, the pattern runs on the
  ``regex`` module with its ``timeout=``. A pattern over its budget is a
  :class:`~kotoba_code.errors.CodebookError` E312 naming the code and line.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from kotoba_code.errors import CodebookError, Errors

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency; without it every pattern is guarded
    re2 = None  # type: ignore[assignment]
try:
    import regex
except ImportError:  # pragma: no cover - regex is a dependency
    regex = None  # type: ignore[assignment]

try:  # The parser behind re.compile (as in literals.py).
    from re import _constants as _c
    from re import _parser as _parser
except ImportError:  # pragma: no cover - other Python implementations
    _parser = None  # type: ignore[assignment]

__all__ = ["TIME_BASE", "TIME_PER_CHAR", "RuleRegex", "re2_pattern"]

# Seconds a pattern may take in one coding run beyond TIME_PER_CHAR per
# character searched. Rule patterns over a corpus take microseconds per
# unit, so this only stops runaway backtracking.
TIME_BASE = 1.0
TIME_PER_CHAR = 1e-6
# RE2 refuses counted repetition above 1000.
_RE2_MAX_REPEAT = 1000


class _Timeout(Exception):
    """Raised by the timer signal inside a guarded search."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


def re2_pattern(pattern: str) -> str | None:
    r"""``pattern`` rewritten for RE2 when RE2 finds exactly the matches
    :mod:`re` finds, else None.

    Examples
    --------
    >>> re2_pattern("(ab|c)+?")
    '(?:(?:(?:\\x{61}\\x{62}|\\x{63}))){1,}?'
    >>> re2_pattern(r"(?<![労務])経験") is None, re2_pattern(r"\d+年") is None, re2_pattern("a*") is None
    (True, True, True)
    """
    if _parser is None or re2 is None:
        return None
    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & ~(re.UNICODE | re.VERBOSE) or parsed.getwidth()[0] == 0:
            return None
        out: list[str] = []
        return "".join(out) if _emit(parsed, out) else None
    except (re.error, RecursionError, OverflowError, TypeError, ValueError):
        return None


def _char(c: int) -> str | None:
    # Surrogates have no UTF-8 form, so RE2 cannot hold them.
    return None if 0xD800 <= c <= 0xDFFF else f"\\x{{{c:x}}}"


def _emit(items: object, out: list[str]) -> bool:
    for op, av in items:  # type: ignore[attr-defined]
        if op is _c.LITERAL or op is _c.NOT_LITERAL:
            ch = _char(av)
            if ch is None:
                return False
            out.append(ch if op is _c.LITERAL else f"[^{ch}]")
        elif op is _c.ANY:
            out.append(".")  # without DOTALL (refused above) both skip only "\n"
        elif op is _c.IN:
            parts = []
            for kind, value in av:
                if kind is _c.NEGATE:
                    parts.append("^")
                elif kind is _c.LITERAL and (ch := _char(value)) is not None:
                    parts.append(ch)
                elif kind is _c.RANGE and None not in (lo := _char(value[0]), hi := _char(value[1])):
                    parts.append(f"{lo}-{hi}")
                else:  # \d \w \s are Unicode-wide in re, ASCII in RE2
                    return False
            out.append("[" + "".join(parts) + "]")
        elif op is _c.BRANCH:
            out.append("(?:")
            for k, alt in enumerate(av[1]):
                if k:
                    out.append("|")
                if not _emit(alt, out):
                    return False
            out.append(")")
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return False
            out.append("(?:")
            if not _emit(sub, out):
                return False
            out.append(")")
        elif op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
            lo, hi, sub = av
            # A repeated part that can match empty is where backtracking and
            # RE2 may stop at different ends.
            if sub.getwidth()[0] == 0 or lo > _RE2_MAX_REPEAT or (hi != _c.MAXREPEAT and hi > _RE2_MAX_REPEAT):
                return False
            out.append("(?:")
            if not _emit(sub, out):
                return False
            out.append(f"){{{lo},}}" if hi == _c.MAXREPEAT else f"){{{lo},{hi}}}")
            if op is _c.MIN_REPEAT:
                out.append("?")
        elif op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END_STRING):
            # Without MULTILINE, ^ is the start of the text in both; re's \Z is RE2's \z.
            out.append({_c.AT_BEGINNING: "^", _c.AT_BEGINNING_STRING: r"\A", _c.AT_END_STRING: r"\z"}[av])
        else:  # $, \b, lookarounds, back-references, atomic groups …
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> tuple[re.Pattern[str], bool, object | None]:
    """The pattern for re, whether it is a fixed string, and for RE2 (None
    when RE2 is not exact for it). Kept across coding runs: every recode
    loads the codebook afresh, with the same patterns."""
    literal = _is_literal(pattern)
    translated = None if literal else re2_pattern(pattern)
    compiled = None
    if translated is not None:
        try:
            # On UTF-8 bytes: the wrapper's conversion of every match
            # position back to characters costs more than the search.
            compiled = re2.compile(translated.encode("utf-8"))
        except Exception:  # noqa: BLE001 - any RE2 refusal (size, syntax) means: use re
            compiled = None
    return re.compile(pattern), literal, compiled


def _re2_spans(rx: object, data: bytes) -> list[tuple[int, int]]:
    """Byte spans of the matches in ``data``, as finditer finds them, from
    the wrapper's matcher directly: its finditer costs microseconds per match
    in Python. RE2 runs only patterns that cannot match empty, so every
    match moves the search on."""
    match = rx._regexp.Match  # type: ignore[attr-defined]
    unanchored = re2._Anchor.UNANCHORED
    out: list[tuple[int, int]] = []
    pos, end = 0, len(data)
    while pos < end:
        span = match(unanchored, data, pos, end)[0]
        if span[0] < 0:
            break
        out.append(span)
        pos = span[1]
    return out


def _is_literal(pattern: str) -> bool:
    """Whether ``pattern`` is a fixed string (every item a literal
    character): re then tries one comparison of at most its length at each
    position, so it cannot backtrack."""
    if _parser is None:
        return False
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, TypeError, ValueError):
        return False
    return bool(len(parsed)) and not parsed.state.flags & ~re.UNICODE and all(op is _c.LITERAL for op, _ in parsed)


class _Utf8:
    """A text as UTF-8, with the conversion of byte offsets to characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self._chars: np.ndarray | None = None

    def to_chars(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Character spans of sorted, non-overlapping byte spans: for many
        spans from a table of the characters before each byte (kept with the
        text), else by decoding the bytes between them."""
        if len(self.data) == len(self.text):  # ASCII: bytes are characters
            return spans
        if len(spans) > 32:
            if self._chars is None:
                starts = (np.frombuffer(self.data, dtype=np.uint8) & 0xC0) != 0x80
                self._chars = np.concatenate([[0], np.cumsum(starts, dtype=np.int64)])
            chars = self._chars[np.asarray(spans, dtype=np.int64)]
            return list(zip(chars[:, 0].tolist(), chars[:, 1].tolist(), strict=True))
        data = self.data
        out = []
        byte = char = 0
        for a, b in spans:
            char += len(data[byte:a].decode("utf-8"))
            start = char
            char += len(data[a:b].decode("utf-8"))
            byte = b
            out.append((start, char))
        return out


# The texts encoded last: the engine searches the same joined corpus text with
# pattern after pattern, between searches of smaller texts. Replaced as a
# whole, so threads never see half an update.
_recent: tuple[_Utf8, ...] = ()


def _utf8(text: str) -> _Utf8 | None:
    """``text`` as UTF-8 (the last few are kept), or None when it holds lone
    surrogates, which UTF-8 cannot encode."""
    global _recent
    recent = _recent
    for encoded in recent:
        if encoded.text is text:
            return encoded
    try:
        encoded = _Utf8(text)
    except UnicodeEncodeError:
        return None
    _recent = (encoded, *recent[:3])
    return encoded


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class RuleRegex:
    """A rule's regular expression, run on RE2 when that is exact, else on
    :mod:`re` under a time limit (see the module docstring).

    Examples
    --------
    >>> rx = RuleRegex("知識(が|は)?不足", code="gap", line=3)
    >>> rx.engine, rx.spans("知識不足と知識が不足"), rx.count("知識は不足")
    ('re2', [(0, 4), (5, 10)], 1)
    >>> rx = RuleRegex("(a+)+$", code="bomb", line=7)
    >>> rx.engine
    're'
    >>> rx.count("a" * 40 + "b")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kotoba_code.errors.CodebookError: [E312] <rule>, line 7, code 'bomb': the regular expression /(a+)+$/ took ...
    """

    def __init__(self, pattern: str, *, where: str = "<rule>", code: str = "?", line: int = 0) -> None:
        self.pattern = pattern
        self.where, self.code, self.line = where, code, line
        self._re, self._literal, self._re2 = _compiled(pattern)
        self._regex = None
        self._left = TIME_BASE
        self._spent = 0.0

    @property
    def engine(self) -> str:
        """``"re2"``, ``"literal"`` (a fixed string: re finds it in linear
        time, faster than RE2) or ``"re"`` (time-limited)."""
        return "re2" if self._re2 is not None else "literal" if self._literal else "re"

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Start and end of every match in ``text``, as :func:`re.finditer` gives them."""
        if self._literal:
            return [m.span() for m in self._re.finditer(text)]
        if self._re2 is not None and (encoded := _utf8(text)) is not None:
            spans = _re2_spans(self._re2, encoded.data)
            return encoded.to_chars(spans) if spans else []
        with self._limit(len(text)):
            if self._regex is not None:
                return [m.span() for m in self._regex.finditer(text, timeout=self._allowed)]
            return [m.span() for m in self._re.finditer(text)]

    def count(self, text: str) -> int:
        """Number of matches in ``text``."""
        return len(self.spans(text))

    def counts(self, texts: list[str]) -> list[int]:
        """:meth:`count` of each text, under one time limit."""
        if self._literal:
            return [len(self._re.findall(t)) for t in texts]
        if self._re2 is not None:
            try:
                return [len(_re2_spans(self._re2, t.encode("utf-8"))) for t in texts]
            except UnicodeEncodeError:  # lone surrogates: RE2 takes UTF-8 only
                pass
        with self._limit(sum(map(len, texts))):
            if self._regex is not None:
                return [len(self._regex.findall(t, timeout=self._allowed)) for t in texts]
            return [len(self._re.findall(t)) for t in texts]

    @contextmanager
    def _limit(self, n_chars: int) -> Iterator[None]:
        self._allowed = self._left + n_chars * TIME_PER_CHAR
        use_signal = _signals_usable()
        if not use_signal and self._regex is None and regex is not None:
            self._regex = regex.compile(self.pattern, flags=regex.V0)
        elif use_signal:
            self._regex = None
        t0 = time.perf_counter()
        if use_signal:
            old_handler = signal.signal(signal.SIGALRM, _on_alarm)
            old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, max(self._allowed, 1e-6))
        try:
            yield
        except (_Timeout, TimeoutError) as exc:
            raise CodebookError(
                Errors.E312.format(
                    where=self.where,
                    line=self.line,
                    code=self.code,
                    pattern=self.pattern,
                    seconds=self._spent + time.perf_counter() - t0,
                )
            ) from exc
        finally:
            elapsed = time.perf_counter() - t0
            if use_signal:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old_handler)
                if old_delay > 0:  # someone else's timer: let it run on
                    signal.setitimer(signal.ITIMER_REAL, max(old_delay - elapsed, 1e-6), old_interval)
            self._spent += elapsed
            self._left = max(0.0, self._allowed - elapsed)
