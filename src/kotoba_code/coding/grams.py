"""Which units may contain a string: an index of characters and character pairs.

String and regex atoms are searched only in the units that hold the literals
every match needs (literals.py). Those units are found here: the index lists,
for every character and every pair of adjacent characters of the units' NFKC
texts, the units holding it. One character or pair is then one binary search
away, and a longer string is the intersection of its rarest pairs (a small
superset of the units that hold it; the regex search makes it exact).
"""

from __future__ import annotations

import numpy as np

# Every code point is below this; it sizes the table mapping code points to
# the dense ids of the characters the texts use.
_CP_LIMIT = 0x110000


class GramIndex:
    """The units holding each character and character pair of some texts.

    Built from the texts joined by line breaks (a unit's text never holds the
    joining break, so no pair spans two units). Characters get dense ids in
    order of code point; a corpus rarely uses more than a few thousand, so
    ids fit 16 bits and the grams are ordered by numpy's radix sort (linear
    time) rather than by a comparison sort of 64-bit keys, which cost about
    1 s per 10 million characters.

    Examples
    --------
    >>> joined = "連携不足\\n情報共有\\n連携"
    >>> ix = GramIndex(joined, np.array([0, 5, 10]), np.array([4, 9, 12]))
    >>> ix.units_containing("連携").tolist()
    [0, 2]
    >>> ix.units_containing("共").tolist()
    [1]
    """

    def __init__(self, joined: str, starts: np.ndarray, ends: np.ndarray) -> None:
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        present = np.flatnonzero(np.bincount(cp, minlength=1))
        self.n_chars = d = len(present)
        id_type = np.uint16 if d <= 1 << 16 else np.uint32
        table = np.zeros(int(present[-1]) + 1 if d else 1, dtype=id_type)
        table[present] = np.arange(d, dtype=id_type)
        self._char_id = {chr(c): i for i, c in enumerate(present.tolist())}
        ids = table[cp]
        lengths = (ends - starts).astype(np.int64)
        n_units = len(starts)
        unit = np.repeat(np.arange(n_units, dtype=np.int32), lengths + 1)[: len(cp)]
        inside = np.ones(len(cp), dtype=bool)
        inside[ends[:-1]] = False  # the line breaks joining the units
        pair = inside[:-1] & inside[1:]

        # Characters: one stable radix sort by id keeps each id's units in text order.
        c_ids, c_units = ids[inside], unit[inside]
        order = np.argsort(c_ids, kind="stable")
        single_keys, single_units = c_ids[order].astype(np.int64), c_units[order]
        del c_ids, c_units, order
        # Pairs: two stable radix sorts (second character, then first).
        first, second, p_units = ids[:-1][pair], ids[1:][pair], unit[:-1][pair]
        del ids, unit, inside, pair
        order = np.argsort(second, kind="stable")
        order = order[np.argsort(first[order], kind="stable")]
        pair_keys = d + first[order].astype(np.int64) * d + second[order].astype(np.int64)
        pair_units = p_units[order]
        del first, second, p_units, order

        keys = np.concatenate([single_keys, pair_keys])
        units = np.concatenate([single_units, pair_units])
        del single_keys, single_units, pair_keys, pair_units
        # A unit holding a gram twice is listed once.
        new = np.ones(len(keys), dtype=bool)
        new[1:] = (keys[1:] != keys[:-1]) | (units[1:] != units[:-1])
        keys, units = keys[new], units[new]
        self.units = units
        head = np.ones(len(keys), dtype=bool)
        head[1:] = keys[1:] != keys[:-1]
        heads = np.flatnonzero(head)
        self.grams = keys[heads]
        self.ptr = np.r_[heads, len(keys)].astype(np.int64)

    def _rows(self, grams: list[int]) -> list[np.ndarray]:
        at = np.searchsorted(self.grams, grams)
        out = []
        for g, i in zip(grams, at.tolist(), strict=True):
            if i >= len(self.grams) or self.grams[i] != g:
                return []
            out.append(self.units[self.ptr[i] : self.ptr[i + 1]])
        return out

    def units_containing(self, literal: str) -> np.ndarray:
        """Sorted rows of the units whose text may contain ``literal``:
        exactly those for one or two characters, a small superset for longer
        strings (the units holding each of its rarest character pairs)."""
        ids = [self._char_id.get(c) for c in literal]
        if not ids or None in ids:
            return np.zeros(0, dtype=np.int32)
        d = self.n_chars
        if len(ids) == 1:
            grams = ids
        else:
            grams = sorted({d + a * d + b for a, b in zip(ids, ids[1:], strict=False)})  # type: ignore[operator]
        lists = self._rows(grams)  # type: ignore[arg-type]
        if not lists:
            return np.zeros(0, dtype=np.int32)
        lists.sort(key=len)
        out = lists[0]
        # The rarest pairs narrow it down enough; more would cost more than they save.
        for other in lists[1:3]:
            if not len(out):
                break
            at = np.minimum(np.searchsorted(other, out), len(other) - 1)
            out = out[other[at] == out]
        return out
