"""near()/seq() take shortcuts on long occurrence lists (units narrowed by
binary search over runs, scans advanced in lockstep as arrays); each must
find exactly what the plain way finds, on every atom of the shipped codebook."""

import numpy as np
import pytest

from kotoba_code.codebook.rules import Near, parse_rule, walk
from kotoba_code.coding.engine import RuleEvaluator, UnitIndex, _runs


def test_runs_finds_every_element_equal_to_a_value():
    rng = np.random.default_rng(0)
    for _ in range(300):
        a = np.sort(rng.integers(0, 30, size=rng.integers(0, 60)))
        values = np.unique(rng.integers(0, 30, size=rng.integers(0, 10)))
        assert np.array_equal(_runs(a, values), np.flatnonzero(np.isin(a, values)))


@pytest.mark.slow
@pytest.mark.parametrize("level", ["document", "sentence"])
def test_near_keeps_the_same_hits_whichever_way_units_are_narrowed(sample, level, monkeypatch):
    # near()/seq() first keep the occurrences in units holding every word,
    # by binary search over runs of units; a plain mask must give the same.
    cb, tokens = sample
    atoms = {(c.id, n) for c in cb.codes for n in walk(c.ast) if isinstance(n, Near)}
    assert len(atoms) > 300

    def hits(monotone: bool) -> list:
        ix = UnitIndex(tokens, level)
        monkeypatch.setattr(ix, "monotone_units", lambda: monotone)
        comp = RuleEvaluator(cb, ix)
        return [comp._near(node, code) for code, node in sorted(atoms, key=repr)]

    runs, masked = hits(True), hits(False)
    for (c1, s1), (c2, s2) in zip(runs, masked, strict=True):
        assert np.array_equal(c1, c2) and np.array_equal(s1, s2)
    assert sum(int(c.sum()) for c, _ in runs) > 1000


@pytest.mark.slow
@pytest.mark.parametrize("level", ["document", "sentence"])
def test_near_scans_in_lockstep_find_what_the_scan_loop_finds(sample, level, monkeypatch):
    # Long occurrence lists are scanned as arrays in lockstep, short ones one
    # scan at a time; forcing either way must give the same hits.
    from kotoba_code.coding import engine

    cb, tokens = sample
    atoms = sorted({(c.id, n) for c in cb.codes for n in walk(c.ast) if isinstance(n, Near)}, key=repr)
    atoms += [(cb.codes[0].id, n) for n in _extra_near_atoms()]

    def hits(threshold: int) -> list:
        monkeypatch.setattr(engine, "_LOCKSTEP_MIN", threshold)
        comp = RuleEvaluator(cb, UnitIndex(tokens, level))
        return [comp._near(node, code) for code, node in atoms]

    lockstep, loop = hits(0), hits(10**9)
    for (c1, s1), (c2, s2) in zip(lockstep, loop, strict=True):
        assert np.array_equal(c1, c2) and np.array_equal(s1, s2)
    assert sum(int(c.sum()) for c, _ in loop) > 1000


def _extra_near_atoms() -> list:
    # Shapes the codebook may not use: seq, no distance, [d], four words.
    rules = ["seq(就労-支援-連携)[5]", "near(支援-連携-ハローワーク)", "near(支援-連携-情報-共有)[d8]"]
    return [n for r in rules for n in walk(parse_rule(r)) if isinstance(n, Near)]
