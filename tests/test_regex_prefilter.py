"""Regex atoms are searched only in the units holding the literals every match
needs. These tests check the two halves of that promise: the literals really
are required (on random patterns and texts), and the engine's counts equal a
plain search of every unit for every regular expression of the shipped
codebook and for awkward hand-written ones."""

import random
import re

import numpy as np
import pytest

from kotoba_code.codebook.rules import Regex, walk
from kotoba_code.coding.engine import RuleEvaluator, UnitIndex
from kotoba_code.coding.grams import GramIndex
from kotoba_code.coding.literals import required_literals
from kotoba_code.coding.safe_regex import RuleRegex


def _sets(pattern):
    return [sorted(s) for s in required_literals(pattern)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ノウハウ", [["ノウハウ"]]),
        ("知識(が|は)?不足", [["知識が不足", "知識は不足", "知識不足"]]),
        ("(ノウハウ|知見)[^。]{0,6}(乏し|不足)", [["ノウハウ", "知見"], ["不足", "乏し"]]),
        # Lookarounds and anchors consume nothing: the literal runs through them.
        ("(?<![労務])経験(?!値)", [["経験"]]),
        (r"^\s*特になし$", [["特になし"]]),
        # An alternative with no literal means nothing is required.
        ("ノウハウ|.+", []),
        ("(ノウハウ)?不足", [["不足"]]),
        ("ノ*ウハウ", [["ウハウ"]]),
        ("[がはも]ない", [["がない", "はない", "もない"]]),
        ("[^が]ない", [["ない"]]),
        (r"\d+人", [["人"]]),
        ("(?i)hw", []),
        ("(?i:hw)ナビ", [["ナビ"]]),
        (r"(職員)\1", [["職員"]]),  # a back reference adds nothing, the group does
        # Containing a shorter member is implied: only the shorter is kept.
        ("不足|人手不足", [["不足"]]),
        ("(", []),  # invalid: no literal, the engine's own compile reports it
    ],
)
def test_required_literals(pattern, expected):
    assert _sets(pattern) == expected


_PIECES = [
    "不足",
    "ない",
    "が",
    "は",
    "職員",
    "ノ",
    "ウ",
    "ハ",
    "[がは]",
    "[^。]",
    ".",
    r"\w",
    "(?<!人)",
    "(?!が)",
    "^",
    "$",
]


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.15 and depth < 2:
            alts = [_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))]
            part = "(" + "|".join(alts) + ")"
        else:
            part = rng.choice(_PIECES)
        if not part.startswith(("(?", "^", "$")) and rng.random() < 0.3:
            part = f"(?:{part})" + rng.choice(["?", "*", "+", "{1,3}", "{0,2}", "{2}"])
        parts.append(part)
    return "".join(parts)


def test_random_patterns_never_match_without_their_literals():
    rng = random.Random(7)
    alphabet = list("不足ないがは職員ノウハ人。、") + ["不足", "ない", "職員", "ノウハウ"]
    checked = 0
    for _ in range(12000):
        pattern = _random_pattern(rng)
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for m in re.finditer(pattern, text):
            for strings in required_literals(pattern):
                assert any(s in text for s in strings), (pattern, text, m.group(), strings)
                checked += 1
    assert checked > 1000  # the generator does produce patterns with literals that match


@pytest.mark.slow
@pytest.mark.parametrize("level", ["document", "sentence"])
def test_engine_counts_equal_a_plain_search_of_every_unit(sample, level):
    cb, tokens = sample
    patterns = sorted({n.pattern for c in cb.codes for n in walk(c.ast) if isinstance(n, Regex)})
    patterns += [
        "ノウハウ|.+",  # no literal: full scan
        "です。\n",  # a line break, as used to join units
        "。",  # in nearly every unit
        "(?<![労務])経験",
        "ﾊﾛｰﾜｰｸ",  # half-width: texts are NFKC, so never found
        "ハローワーク",
    ]
    ix = UnitIndex(tokens, level)
    texts = ix.texts()
    comp = RuleEvaluator(cb, ix)
    prefiltered = 0
    engines = []
    for pattern in patterns:
        want = np.array([len(re.findall(pattern, t)) for t in texts])
        # The engine runs RE2 where that is exact, else re under a time limit:
        # either way the counts are re's.
        rx = RuleRegex(pattern)
        engines.append(rx.engine)
        got = comp._text_counts(rx)
        assert np.array_equal(got, want), pattern
        prefiltered += bool(required_literals(pattern))
    assert len(patterns) > 100 and prefiltered > 0.9 * len(patterns)
    assert engines.count("re2") > 0.8 * len(patterns) and "re" in engines


def test_units_containing_is_exact_for_short_strings_and_a_superset_for_long(sample):
    _, tokens = sample
    ix = UnitIndex(tokens, "sentence")
    texts = ix.texts()
    for s in ["の", "不足", "ハローワーク", "温度差", "職員が不足", "𠮷"]:
        rows = set(ix.units_containing(s).tolist())
        truth = {i for i, t in enumerate(texts) if s in t}
        assert truth <= rows
        if len(s) <= 2:
            assert rows == truth


@pytest.mark.slow
def test_a_pattern_searched_for_different_units_in_play_counts_each_right(sample):
    # A pattern that recurs in rules is searched only in the units in play
    # each time, remembering what it found; every answer must stay exact.
    cb, tokens = sample
    ix = UnitIndex(tokens, "document")
    texts = ix.texts()
    comp = RuleEvaluator(cb, ix)
    rx = RuleRegex("(不足|問題|課題)(は|が)?(特に)?(ない|ありません)")
    want = np.array([len(re.findall(rx.pattern, t)) for t in texts])
    rng = np.random.default_rng(1)
    for _ in range(5):
        comp._cand = rng.random(ix.n) < 0.02
        got = comp._text_counts(rx)
        assert np.array_equal(got[comp._cand], want[comp._cand])
    assert want.sum() > 0


def _brute(texts, s):
    return {i for i, t in enumerate(texts) if s in t}


def _gram_index(texts):
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    return GramIndex("\n".join(texts), starts, starts + lengths)


@pytest.mark.parametrize("alphabet", ["あいう連携不足𠮷", "ab\u3000c"])
def test_gram_index_finds_the_units_of_random_strings(alphabet):
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)]
    ix = _gram_index(texts)
    for _ in range(300):
        s = "".join(rng.choice(alphabet + "x") for _ in range(rng.randint(1, 5)))
        rows = ix.units_containing(s).tolist()
        truth = _brute(texts, s)
        assert rows == sorted(rows) and len(set(rows)) == len(rows)
        assert truth <= set(rows)
        if len(s) <= 2:
            assert set(rows) == truth, s


def test_gram_index_with_more_characters_than_sixteen_bit_ids():
    # Ids of 16 bits hold 65,536 characters; a text using more must still be
    # indexed right (the ids widen), not wrap around.
    chars = [chr(0x20000 + i) for i in range(70_000)]
    texts = ["".join(chars[i : i + 7]) for i in range(0, 70_000, 7)] + ["".join(chars[-3:] + chars[:2])]
    ix = _gram_index(texts)
    assert ix.n_chars > 1 << 16
    for s in [chars[0], chars[-1], chars[69_998] + chars[69_999], chars[-1] + chars[0], chars[5] + chars[7]]:
        assert set(ix.units_containing(s).tolist()) == _brute(texts, s), s


def test_gram_index_of_no_text():
    ix = _gram_index([])
    assert ix.units_containing("連携").tolist() == []
    ix = _gram_index(["", ""])
    assert ix.units_containing("連").tolist() == []
