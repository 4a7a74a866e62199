"""The literal strings a regular expression cannot match without.

A codebook's regular expressions are mostly short literal words wrapped in a
little grammar (``知識(が|は)?(ない|不足)``). Every match of that pattern
contains 知識, so only the units that contain 知識 need searching. The
engine looks such strings up in a character n-gram index and runs the
regular expression on those units alone, instead of scanning the whole
corpus once per pattern.

The analysis walks Python's own parse of the pattern (``re._parser``, the
parser behind :func:`re.compile`), so it reads exactly the syntax ``re``
accepts. Anything it does not understand contributes no requirement, which
can only make the filter let more units through, never fewer: the result is
always safe to use as a prefilter.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass, field

try:  # The parser behind re.compile; private, so its absence only disables the prefilter.
    from re import _constants as _c
    from re import _parser as _parser
except ImportError:  # pragma: no cover - other Python implementations
    _parser = None  # type: ignore[assignment]

__all__ = ["required_literals"]

# Bound on the strings an exact alternative set may hold before it is given up
# (知識(が|は|も)? is 4 strings; (a|b)(c|d)(e|f)… grows fast).
_MAX_STRINGS = 64
# Bound on the strings one requirement may hold: each costs an index lookup,
# but even a few hundred cost less than one scan of the corpus.
_MAX_NEED = 256
# A character class is expanded into its characters up to this many.
_MAX_CLASS = 16
# Bound on the requirements an alternation of branches with several
# requirements each is turned into.
_MAX_COMBOS = 8


@dataclass
class _Info:
    # The part matches exactly one of these strings (None: unknown or too many).
    exact: frozenset[str] | None
    # Every match of the part contains one string of each set.
    need: list[frozenset[str]] = field(default_factory=list)


@functools.lru_cache(maxsize=4096)
def required_literals(pattern: str) -> list[frozenset[str]]:
    r"""Sets of strings such that every match of ``pattern`` contains at least
    one string of each set; an empty list when no such literal is known.

    Examples
    --------
    >>> [sorted(s) for s in required_literals("知識(が|は)?不足")]
    [['知識が不足', '知識は不足', '知識不足']]
    >>> [sorted(s) for s in required_literals("(ノウハウ|知見)[^。]{0,6}(乏し|不足)")]
    [['ノウハウ', '知見'], ['不足', '乏し']]
    >>> # Either branch: one requirement of each, for every choice.
    >>> [sorted(s) for s in required_literals("(ノウハウ|知見)[^。]{0,4}不足|経験[^。]{0,3}浅い")]
    [['不足', '浅い'], ['不足', '経験'], ['ノウハウ', '浅い', '知見'], ['ノウハウ', '知見', '経験']]
    >>> [sorted(s) for s in required_literals(r"(?<![労務])経験\d*年")]
    [['経験'], ['年']]
    >>> required_literals("(?i)hw")  # case-insensitive: no literal is certain
    []
    """
    if _parser is None:
        return []
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, TypeError, ValueError):
        return []
    if parsed.state.flags & re.IGNORECASE:
        return []
    try:
        info = _sequence(list(parsed))
    except RecursionError:  # pragma: no cover - absurdly nested pattern
        return []
    sets = list(info.need)
    if info.exact is not None:
        sets.append(info.exact)
    out: list[frozenset[str]] = []
    for s in sets:
        m = _minimal(s)
        if m is not None and m not in out:
            out.append(m)
    return out


def _minimal(strings: frozenset[str] | set[str]) -> frozenset[str] | None:
    """Drop strings that contain another member (containing the shorter one is
    implied); None when the empty string is a member (no requirement)."""
    if not strings or "" in strings:
        return None
    ordered = sorted(strings, key=len)
    kept: list[str] = []
    for s in ordered:
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _ranked(info: _Info) -> list[frozenset[str]]:
    """The requirements of a part, the most selective-looking first, judged
    by their shortest string (longer strings are rarer) and then by size."""
    cands = [m for m in (_minimal(s) for s in info.need) if m is not None]
    if info.exact is not None:
        m = _minimal(info.exact)
        if m is not None:
            cands.append(m)
    return sorted(set(cands), key=lambda s: (-min(map(len, s)), len(s), sorted(s)))


def _sequence(items: list[tuple[object, object]]) -> _Info:
    run: set[str] = {""}
    need: list[frozenset[str]] = []
    all_exact = True
    for op, av in items:
        part = _item(op, av)
        need.extend(part.need)
        if part.exact is not None and len(run) * len(part.exact) <= _MAX_STRINGS:
            run = {a + b for a in run for b in part.exact}
            continue
        all_exact = False
        if len(run) > 1 or "" not in run:
            need.append(frozenset(run))
        run = set(part.exact) if part.exact is not None else {""}
    if all_exact:
        return _Info(frozenset(run), need)
    if len(run) > 1 or "" not in run:
        need.append(frozenset(run))
    return _Info(None, need)


def _item(op: object, av: object) -> _Info:
    if op is _c.LITERAL:
        return _Info(frozenset({chr(av)}))  # type: ignore[arg-type]
    if op is _c.IN:
        chars = _class_chars(av)  # type: ignore[arg-type]
        return _Info(chars)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        # Zero width: consumes nothing, so it neither adds nor breaks a literal.
        return _Info(frozenset({""}))
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av  # type: ignore[misc]
        if add_flags & re.IGNORECASE:
            return _Info(None)
        return _sequence(list(sub))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(av))  # type: ignore[call-overload]
    if op is _c.BRANCH:
        _, alternatives = av  # type: ignore[misc]
        parts = [_sequence(list(a)) for a in alternatives]
        exact: frozenset[str] | None = None
        if all(p.exact is not None for p in parts):
            union = frozenset().union(*(p.exact for p in parts))  # type: ignore[arg-type]
            exact = union if len(union) <= _MAX_STRINGS else None
        if exact is not None:
            return _Info(exact)
        # A match meets every requirement of the branch it matches, so for
        # any choice of one requirement per branch it holds a string of
        # their union: (a and b) or (c and d) needs (a or c), (a or d),
        # (b or c) and (b or d). Up to two requirements per branch are
        # combined, while that makes at most _MAX_COMBOS unions.
        ranked = [_ranked(p) for p in parts]
        if any(not r for r in ranked):
            return _Info(None)
        per_branch = 2
        while per_branch > 1 and math.prod(min(len(r), per_branch) for r in ranked) > _MAX_COMBOS:
            per_branch -= 1
        need: list[frozenset[str]] = []
        for combo in itertools.product(*(r[:per_branch] for r in ranked)):
            union = _minimal(frozenset().union(*combo))
            if union is not None and len(union) <= _MAX_NEED and union not in need:
                need.append(union)
        return _Info(None, need)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av  # type: ignore[misc]
        part = _sequence(list(sub))
        if lo == 0:
            if hi == 1 and part.exact is not None:
                return _Info(part.exact | {""})
            return _Info(None)
        need = list(part.need)
        if part.exact is not None:
            need.append(part.exact)
        if lo == hi == 1:
            return _Info(part.exact, list(part.need))
        return _Info(None, need)
    return _Info(None)


def _class_chars(items: list[tuple[object, object]]) -> frozenset[str] | None:
    """The characters of a class like ``[がはも]``; None for negated classes,
    categories (``\\d``) and large ranges."""
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))  # type: ignore[arg-type]
        elif op is _c.RANGE:
            a, b = av  # type: ignore[misc]
            if b - a + 1 > _MAX_CLASS:
                return None
            chars.update(chr(c) for c in range(a, b + 1))
        else:
            return None
        if len(chars) > _MAX_CLASS:
            return None
    return frozenset(chars)
