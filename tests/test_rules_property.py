"""Property: any rule text, however broken or hostile, parses into a rule or
fails with a catalogue CodebookError — never another exception, a traceback
or a hang (issue #11). Rules are built from the grammar's own tokens, with
garbage and deep nesting mixed in, so most of them get far into the parser."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from kotoba_code.codebook import Codebook
from kotoba_code.codebook.rules import MAX_DEPTH, depth, parse_rule, walk
from kotoba_code.errors import CodebookError

WORDS = [
    "温度差",
    "連携",
    "ハローワーク",
    "ない",
    "行く-->動詞",
    "買う=>買わ",
    "連携*",
    "卒業+証書",
    "$hw",
    "lw",
    "No.",
    "2",
]
ATOMS = WORDS + [
    "'不足'",
    "/知識(が|は)?不足/",
    "/(a+)+$/",
    "/[/",
    "<>q-->1",
    "<>q<>",
    "<*a>",
    "near(温度差-連携)[b5]",
    "seq(温度差-連携)",
    "near(x)",
    "neg(連携)",
    "any($hw)",
    "neg(<>q)",
]
OPS = ["and", "or", "&", "|", "&!", "|!", " + ", " - ", " * ", " / ", ">=", "==", "<", "!="]
GARBAGE = st.text(alphabet="()!&|'/<>*-+=[]$#\\ \n\u3000abc連", max_size=6)


@st.composite
def rules(draw: st.DrawFn, level: int = 0) -> str:
    kind = draw(st.integers(0, 7 if level < 4 else 2))
    if kind == 0:
        return draw(st.sampled_from(ATOMS))
    if kind == 1:
        return draw(GARBAGE)
    if kind == 2:
        # Deep nesting, near or past the limit.
        n = draw(st.integers(MAX_DEPTH - 3, MAX_DEPTH * 4))
        opener, closer = draw(st.sampled_from([("(", ")"), ("!", ""), ("not ", ""), ("neg(", ")"), ("lw + ", "")]))
        return opener * n + draw(st.sampled_from(WORDS)) + closer * draw(st.sampled_from([n, n - 1, 0]))
    if kind == 3:
        return "(" + draw(rules(level + 1)) + draw(st.sampled_from([")", ""]))
    if kind == 4:
        return draw(st.sampled_from(["!", "not ", ""])) + draw(rules(level + 1))
    parts = draw(st.lists(rules(level + 1), min_size=2, max_size=4))
    ops = draw(st.lists(st.sampled_from(OPS), min_size=len(parts) - 1, max_size=len(parts) - 1))
    out = parts[0]
    for op, part in zip(ops, parts[1:], strict=True):
        out += f" {op} {part}"
    return out


@settings(max_examples=400, deadline=None, derandomize=True)
@given(rules())
def test_any_rule_parses_or_fails_with_a_catalogue_error(rule):
    t0 = time.perf_counter()
    try:
        tree = parse_rule(rule, where="p.yaml", line=4, code="c")
    except CodebookError as exc:
        assert str(exc).startswith("[E3"), str(exc)
        assert "p.yaml" in str(exc)
    else:
        assert depth(tree) <= MAX_DEPTH
        assert sum(1 for _ in walk(tree)) >= 1
    assert time.perf_counter() - t0 < 2


@settings(max_examples=100, deadline=None, derandomize=True)
@given(rules())
def test_any_rule_in_a_codebook_loads_or_fails_with_a_catalogue_error(rule):
    # The codebook adds reference, synonym and cycle checks on top of parsing.
    data = {"synonyms": {"hw": ["ハローワーク"]}, "codes": [{"id": "a", "rule": "連携"}, {"id": "c", "rule": rule}]}
    try:
        cb = Codebook.from_dict(data, source="p.yaml")
    except CodebookError as exc:
        assert str(exc).startswith("[E3"), str(exc)
    else:
        assert [c.id for c in cb.ordered_codes()][-1] in ("a", "c")
