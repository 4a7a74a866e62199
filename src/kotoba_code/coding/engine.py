"""Evaluating compiled rules over the token store, all units at once.

Every rule is evaluated as numpy arrays over the units of one level (one value
per unit), never as a loop of rules × documents. Word atoms and synonym lists
of every code are batched into one sparse product: (units × vocabulary
counts) @ (vocabulary × atoms indicator). Phrases and near/seq work on an
inverted index of token positions. Strings and regular expressions are
searched only in the units that hold the literals every match needs
(literals.py), found in a character n-gram index. The indexes are kept with
the token store, so recoding with an edited codebook reuses them.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Callable, Iterable, KeysView
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.codebook import posmap
from kotoba_code.codebook.rules import (
    Arith,
    BoolOp,
    CodeRef,
    Compare,
    Measure,
    Near,
    Node,
    Not,
    Number,
    Phrase,
    Regex,
    String,
    Synonyms,
    Variable,
    Word,
    phrase_parts,
    walk,
)
from kotoba_code.coding.grams import GramIndex
from kotoba_code.coding.literals import required_literals
from kotoba_code.coding.negation import NEGATOR_LEMMAS, negation_mask
from kotoba_code.coding.safe_regex import RuleRegex
from kotoba_code.coding.words import split_word, split_words, variable_values
from kotoba_code.errors import CodebookError, Errors
from kotoba_code.tokenize.normalize import normalize_text

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.tokenize.tokens import Tokens

_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_ROWS.setflags(write=False)  # shared by every form absent from the vocabulary
# Token positions fit 32 bits up to two billion tokens per store.
_POS_DTYPE = np.int32


def _sparse(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-unit counts kept as (rows, values, length): most patterns match
    few units, and a dense int64 array per pattern costs 8 bytes per unit."""
    rows = np.flatnonzero(counts).astype(np.int32)
    return rows, counts[rows].astype(np.int32), len(counts)


def _dense(kept: tuple[np.ndarray, np.ndarray, int]) -> np.ndarray:
    rows, values, n = kept
    out = np.zeros(n, dtype=np.int64)
    out[rows] = values
    return out


class UnitIndex:
    """The tokens of a corpus arranged for coding at one unit level."""

    def __init__(self, tokens: Tokens, level: str, *, negation: bool = True) -> None:
        self.tokens = tokens
        self.level = level
        self.negation = negation
        self.units = tokens.corpus.units(level)
        self.n = len(self.units)
        self.tok_unit = self._cached(("unit_index", level), lambda: tokens.unit_index(self.units))
        # Without negation awareness (KH Coder rule files) nothing is negated.
        if negation:
            self.neg = self._cached("negation", lambda: negation_mask(tokens))
        else:
            self.neg = np.zeros(len(tokens), dtype=bool)
        v = tokens.vocab
        pos = v["pos"].astype(str)
        self._lemma = v["lemma"].astype(str).to_numpy()
        self._norm = v["norm"].astype(str).to_numpy()
        newline_v = (pos.str.startswith("空白") & v["lemma"].astype(str).str.fullmatch(r"[\r\n]+")).to_numpy()
        self.is_newline = newline_v[tokens.word]

    def _cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, kept with the token store: indexes outlive one coding
        run, so recoding with an edited codebook does not rebuild them."""
        cache = self.tokens.derived
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def joined_texts(self) -> tuple[str, np.ndarray, np.ndarray]:
        """All unit texts joined by line breaks, with each unit's start and end in it."""

        def build() -> tuple[str, np.ndarray, np.ndarray]:
            texts = self.texts()
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            starts = np.cumsum(lengths + 1) - (lengths + 1)
            return "\n".join(texts), starts, starts + lengths

        return self._cached(("joined", self.level), build)

    def postings(self, vocab_mask: np.ndarray) -> np.ndarray:
        """Sorted positions of the tokens whose vocabulary row is in
        ``vocab_mask`` (a boolean mask, or the sorted rows themselves), from
        an inverted index built once per token store: cost proportional to
        the occurrences, not to the corpus."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            # Positions as int32 (4 bytes each): every position list of a
            # coding run (words, phrases, near/seq scans) is cut from this.
            order = np.argsort(self.tokens.word, kind="stable").astype(_POS_DTYPE)
            return order, np.searchsorted(self.tokens.word[order], np.arange(len(self.tokens.vocab) + 1))

        order, ptr = self._cached("postings", build)
        ids = vocab_mask if vocab_mask.dtype != bool else np.flatnonzero(vocab_mask)
        if len(ids) == 1:
            return order[ptr[ids[0]] : ptr[ids[0] + 1]]
        if len(ids) == 0:
            return np.zeros(0, dtype=order.dtype)
        return np.sort(np.concatenate([order[ptr[i] : ptr[i + 1]] for i in ids]))

    def region(self, level: str) -> np.ndarray:
        """Per token, the row of the ``level`` unit containing it (-1 if none)."""
        return self._cached(("unit_index", level), lambda: self.tokens.unit_index(self.tokens.corpus.units(level)))

    def counts(self, polarity: str) -> sp.csr_matrix:
        """Units × vocabulary counts of tokens with the given negation polarity."""

        def build() -> sp.csr_matrix:
            sel = self.tok_unit >= 0
            if polarity == "plain":
                sel &= ~self.neg
            elif polarity == "neg":
                sel &= self.neg
            m = sp.csr_matrix(
                (np.ones(int(sel.sum()), dtype=np.int32), (self.tok_unit[sel], self.tokens.word[sel])),
                shape=(self.n, len(self.tokens.vocab)),
            )
            m.sum_duplicates()
            return m

        return self._cached(("counts", self.level, polarity, self.negation), build)

    def texts(self) -> list[str]:
        """NFKC-normalised text of each unit, for string and regex atoms."""
        texts = self.tokens.corpus.texts
        u = self.units
        return self._cached(
            ("texts", self.level),
            lambda: [
                unicodedata.normalize("NFKC", texts[d][s:e])
                for d, s, e in zip(u["doc"].tolist(), u["start"].tolist(), u["end"].tolist(), strict=True)
            ],
        )

    def gram_index(self) -> GramIndex:
        """Units holding each character and character pair of the units'
        NFKC texts (grams.py), built once per token store and level."""

        def build() -> GramIndex:
            joined, starts, ends = self.joined_texts()
            return GramIndex(joined, starts, ends)

        return self._cached(("grams", self.level), build)

    def units_containing(self, literal: str) -> np.ndarray | None:
        """Sorted rows of the units whose NFKC text may contain ``literal``:
        exactly those for one or two characters, a small superset for longer
        strings. None for the empty string, which every unit contains."""
        if not literal:
            return None
        return self.gram_index().units_containing(literal)

    def vocab_forms(self) -> KeysView[str]:
        """Every dictionary and normalised form in the vocabulary."""
        return self._form_index().keys()

    def form_rows(self, form: str) -> np.ndarray:
        """Sorted vocabulary rows whose dictionary or normalised form is
        ``form``: one lookup, not a comparison with every vocabulary entry."""
        return self._form_index().get(form, _NO_ROWS)

    def _form_index(self) -> dict[str, np.ndarray]:
        def build() -> dict[str, np.ndarray]:
            rows: dict[str, set[int]] = {}
            for forms in (self._lemma.tolist(), self._norm.tolist()):
                for i, f in enumerate(forms):
                    rows.setdefault(f, set()).add(i)
            return {f: np.array(sorted(r), dtype=np.int64) for f, r in rows.items()}

        return self._cached("form_rows", build)

    def monotone_units(self) -> bool:
        """Whether the unit row of the tokens never decreases along the text
        (true for every level built by Corpus.units), so the units of sorted
        positions come out sorted."""

        def build() -> bool:
            u = self.tok_unit[self.tok_unit >= 0]
            return bool(np.all(u[1:] >= u[:-1]))

        return self._cached(("monotone", self.level), build)

    def vocab_mask(self, w: Word, codebook_where: str = "", code: str = "") -> np.ndarray:
        v = self.tokens.vocab
        if w.is_glob:
            rx = re.compile(fnmatch.translate(w.lemma))
            mask = np.fromiter((bool(rx.match(x)) for x in self._lemma), dtype=bool, count=len(self._lemma))
        else:
            mask = np.zeros(len(self._lemma), dtype=bool)
            mask[self.form_rows(w.lemma)] = True
        if w.pos:
            mask &= posmap.pos_mask(v, w.pos, where=codebook_where, code=code, line=w.line)
        if w.conj:
            mask &= posmap.conj_mask(v, w.conj)
        return mask


class _Plan:
    """What evaluating a codebook's rules needs that depends on the codebook
    alone: its word atoms in order, its synonym lists as words, and the rule
    words to split. Made once per codebook content and kept for the process
    (see :func:`_plan`): a corpus coded in chunks evaluates the same codebook
    on every chunk, and walking its rules cost about 0.05 s each time."""

    def __init__(self, cb: Codebook) -> None:
        self.plain_lemmas = sorted(
            {w.lemma for code in cb.codes for w in cb.rule_words(code) if not (w.is_glob or w.pos or w.conj)}
        )
        self.plain_parts = sorted({p for lemma in self.plain_lemmas for p in phrase_parts(lemma)})
        # Every word and synonym-list atom of every rule, in rule order, once.
        atoms: dict[Word | Synonyms, str] = {}
        for code in cb.codes:
            for node in walk(code.ast) if code.ast is not None else ():
                if isinstance(node, (Word, Synonyms)):
                    atoms.setdefault(node, code.id)
        self.atoms = list(atoms.items())
        self._cb = cb
        self._expanded: dict[Synonyms, tuple[Word, ...]] = {}

    def expand(self, node: Synonyms, code: str) -> tuple[Word, ...]:
        """The words of a ``$list`` atom, as word atoms of its polarity."""
        if node not in self._expanded:
            self._expanded[node] = tuple(
                Word(word, polarity=node.polarity, line=node.line, col=node.col)
                for word in self._cb.synonym_words(node.name, code=code, line=node.line)
            )
        return self._expanded[node]


_PLANS: dict[tuple[Any, ...], _Plan] = {}
_PLANS_KEPT = 8


def _plan(cb: Codebook) -> _Plan:
    """The :class:`_Plan` of ``cb``, kept for the process under the codebook's
    content (its rules, synonym lists and source), so an edited codebook gets a
    new plan and the same codebook loaded again reuses the old one."""
    key = (
        cb.source,
        # Lines too: they are not part of a node's equality, but errors cite them.
        tuple((c.id, c.rule, c.line) for c in cb.codes),
        tuple((name, tuple(words)) for name, words in cb.synonyms.items()),
    )
    found = _PLANS.get(key)
    if found is None:
        if len(_PLANS) >= _PLANS_KEPT:
            _PLANS.pop(next(iter(_PLANS)))
        found = _PLANS[key] = _Plan(cb)
    return found


class RuleEvaluator:
    """Evaluates the rules of a codebook on a :class:`UnitIndex`: one truth
    array per code over the units of one level, and the evidence behind each hit."""

    def __init__(self, codebook: Codebook, index: UnitIndex) -> None:
        self.cb = codebook
        self.ix = index
        self.plan = _plan(codebook)
        self._batchable_memo: dict[Word, bool] = {}
        self.values: dict[str, np.ndarray] = {}
        self._batched: dict[Word | Synonyms, tuple[sp.csc_matrix, int]] = {}
        self._split_cache: dict[str, tuple[str, ...]] = {}
        self._evidence: list[tuple[str, Node, Any]] = []
        self._positions_cache: dict[Word, np.ndarray] = {}
        self._near_cache: dict[tuple[Word, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._occ_cache: dict[Word, np.ndarray] = {}
        self._literal_units: dict[str, np.ndarray | None] = {}
        # Whole-corpus match counts per pattern (shared by codes using the
        # same one), kept sparse (see _sparse).
        self._text_cache: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
        # Per pattern: counts for the units searched so far, and which those are.
        self._partial: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        # Units that can still make the enclosing ``and`` true (None: all).
        self._cand: np.ndarray | None = None

    # -- words -----------------------------------------------------------
    def _batch_words(self) -> None:
        """Count every plain word atom of every code in one sparse product per
        negation polarity: (units × vocabulary) @ (vocabulary × atoms). A
        synonym list is one more column, the sum of its words' columns, so
        ``$list`` costs one lookup however long the list. The product stays
        sparse; a column becomes a dense array only when a rule reads it."""
        by_pol: dict[str, dict[Word | Synonyms, None]] = {}
        for node, code in self.plan.atoms:
            if isinstance(node, Synonyms):
                if self._batchable_words(node, code):
                    by_pol.setdefault(node.polarity, {})[node] = None
            elif self._batchable(node):
                by_pol.setdefault(node.polarity, {})[node] = None
        for pol, found in by_pol.items():
            atoms = list(found)
            masks = []
            for a in atoms:
                if isinstance(a, Synonyms):
                    masks.append(
                        np.sum([self.ix.vocab_mask(w) for w in self._batchable_words(a, "")], axis=0, dtype=np.int64)
                    )
                else:
                    masks.append(self.ix.vocab_mask(a, self.cb.source, "").astype(np.int64))
            product = (self.ix.counts(pol) @ sp.csc_matrix(np.column_stack(masks))).tocsc()
            for j, a in enumerate(atoms):
                self._batched[a] = (product, j)

    def _batchable(self, w: Word) -> bool:
        found = self._batchable_memo.get(w)
        if found is None:
            found = self._batchable_memo[w] = (
                w.surface is None and w.pos not in posmap.CONTEXT_POS and self._pieces(w) is None
            )
        return found

    def _batchable_words(self, node: Synonyms, code: str) -> list[Word]:
        return [w for w in self._expand(node, code) if isinstance(w, Word) and self._batchable(w)]

    def _column(self, atom: Word | Synonyms) -> np.ndarray | None:
        """The batched counts of ``atom`` per unit, or None if it was not batched."""
        if atom not in self._batched:
            return None
        product, j = self._batched[atom]
        lo, hi = product.indptr[j], product.indptr[j + 1]
        out = np.zeros(self.ix.n, dtype=np.int64)
        out[product.indices[lo:hi]] = product.data[lo:hi]
        return out

    def _pieces(self, w: Word) -> tuple[str, ...] | None:
        """The tokens a rule word splits into when it is not one token here
        (温度差 → 温度 + 差 without a user word), or the parts of a phrase
        written in a synonym list (腰+が+重い); None when it is one token."""
        if w.is_glob or w.pos or w.conj:
            return None
        pieces = self._split_cache.get(w.lemma)
        if pieces is None:
            pieces = self._split_cache[w.lemma] = self._split(w.lemma)
        return pieces if len(pieces) > 1 else None

    def _split(self, lemma: str, splits: dict[str, list[str]] | None = None) -> tuple[str, ...]:
        forms = self.ix.vocab_forms()
        out: list[str] = []
        for part in phrase_parts(lemma):
            if part in forms:
                out.append(part)
            else:
                out += splits[part] if splits is not None else split_word(part, self.ix.tokens)
        return tuple(out)

    def _expand(self, node: Node, code: str) -> Iterable[Node]:
        return self.plan.expand(node, code) if isinstance(node, Synonyms) else (node,)

    # -- evaluation --------------------------------------------------------
    def run(self) -> dict[str, np.ndarray]:
        # Rule words that are not one token here are split by the tokenizer
        # all in one call rather than one call each.
        forms = self.ix.vocab_forms()
        splits = split_words([p for p in self.plan.plain_parts if p not in forms], self.ix.tokens)
        for lemma in self.plan.plain_lemmas:
            self._split_cache[lemma] = self._split(lemma, splits)
        self._batch_words()
        for code in self.cb.ordered_codes():
            self.values[code.id] = self._truth(self.eval(code.ast, code.id, positive=True))
        # The evaluator lives on with the result (its evidence is computed on
        # demand), which needs none of the per-run caches: free them.
        for cache in (self._text_cache, self._partial, self._near_cache, self._occ_cache, self._literal_units):
            cache.clear()
        self._batched.clear()
        return self.values

    @staticmethod
    def _truth(x: np.ndarray) -> np.ndarray:
        return np.asarray(x) > 0 if np.asarray(x).dtype != bool else np.asarray(x)

    def eval(self, node: Node, code: str, positive: bool) -> np.ndarray:
        n = self.ix.n
        if isinstance(node, Number):
            return np.full(n, node.value)
        if isinstance(node, Word):
            return self._word(node, code, positive)
        if isinstance(node, Synonyms):
            batched = self._column(node)
            total = np.zeros(n, dtype=np.int64) if batched is None else batched
            for w in self._expand(node, code):
                if batched is not None and self._batchable(w):  # type: ignore[arg-type]
                    if positive:
                        self._evidence.append((code, w, None))
                    continue
                total = total + self._word(w, code, positive)  # type: ignore[arg-type]
            return total
        if isinstance(node, Phrase):
            counts, hits = self._phrase(node.words, node.polarity, code)
            if positive:
                self._evidence.append((code, node, hits))
            if all(not (w.pos or w.conj or w.surface or w.is_glob) for w in node.words):
                # A tokenizer with longer units may keep the phrase as one
                # token (Sudachi's 卒業証書, where ChaSen gave 卒業 + 証書).
                joined = Word(
                    "".join(w.lemma for w in node.words), polarity=node.polarity, line=node.line, col=node.col
                )
                pos = self._keep(self._positions(joined, code), node.polarity)
                if len(pos):
                    counts = counts + np.bincount(self.ix.tok_unit[pos], minlength=self.ix.n)
                    if positive:
                        self._evidence.append((code, joined, None))
            return counts
        if isinstance(node, Near):
            counts, hits = self._near(node, code)
            if positive:
                self._evidence.append((code, node, hits))
            return counts
        if isinstance(node, (String, Regex)):
            # RE2 where it is exact, else re under a time limit: the codebook may come from someone else.
            rx = RuleRegex(
                re.escape(node.text) if isinstance(node, String) else node.pattern,
                where=self.cb.source,
                code=code,
                line=node.line,
            )
            if positive:
                self._evidence.append((code, node, rx))
            return self._text_counts(rx)
        if isinstance(node, Variable):
            return variable_values(self.cb, self.ix, node, code)
        if isinstance(node, CodeRef):
            ref = self.cb.resolve_ref(node.name, code=code, line=node.line)
            return self.values[ref]
        if isinstance(node, Measure):
            return self._measure(node.name)
        if isinstance(node, Not):
            return ~self._truth(self.eval(node.operand, code, not positive))
        if isinstance(node, BoolOp):
            if node.op == "or":
                out = np.zeros(n, dtype=bool)
                for x in node.operands:
                    out |= self._truth(self.eval(x, code, positive))
                return out
            # and: cheap operands first; text searches then only need to look
            # at the units still in play (self._cand).
            outer = self._cand
            out = np.ones(n, dtype=bool) if outer is None else outer.copy()
            for x in sorted(node.operands, key=_cost):
                self._cand = out
                out = out & self._truth(self.eval(x, code, positive))
            self._cand = outer
            return out
        if isinstance(node, Compare):
            a = self.eval(node.left, code, positive).astype(float)
            b = self.eval(node.right, code, positive).astype(float)
            return {
                "<": a < b,
                "<=": a <= b,
                ">": a > b,
                ">=": a >= b,
                "==": a == b,
                "!=": a != b,
            }[node.op]
        if isinstance(node, Arith):
            a = self.eval(node.left, code, positive).astype(float)
            b = self.eval(node.right, code, positive).astype(float)
            if node.op == "/":
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.where(b != 0, a / np.where(b == 0, 1, b), 0.0)
            return {"+": a + b, "-": a - b, "*": a * b}[node.op]
        raise CodebookError(Errors.E306.format(where=self.cb.source, msg=f"cannot evaluate {node!r}"))

    def _text_counts(self, rx: RuleRegex) -> np.ndarray:
        """Matches of ``rx`` in each unit's NFKC text. Only the units that
        contain the literals every match needs (literals.py) are searched, and
        of those only the ones still in play for an enclosing ``and``; a
        pattern with no such literal scans all units (or the few in play)."""
        if rx.pattern in self._text_cache:
            return _dense(self._text_cache[rx.pattern])
        cand = self._cand
        rows = self._prefilter(rx.pattern)
        if rows is None:
            if cand is not None and int(cand.sum()) * 20 < self.ix.n:
                return self._search_some(rx, np.flatnonzero(cand))
            counts = self._search(rx, None)
        else:
            in_play = rows if cand is None else rows[cand[rows]]
            if len(in_play) * 4 < len(rows):
                # Much narrower than the whole-corpus counts: search only
                # these, remembering them for the next rule using the pattern.
                return self._search_some(rx, in_play)
            counts = self._search(rx, rows)
        self._text_cache[rx.pattern] = _sparse(counts)
        return counts

    def _search_some(self, rx: RuleRegex, rows: np.ndarray) -> np.ndarray:
        """Match counts of ``rx`` in ``rows`` (other units may hold counts
        from earlier calls, or 0): a pattern that recurs in several rules,
        each time with other units in play, searches each unit once."""
        counts, done = self._partial.setdefault(
            rx.pattern, (np.zeros(self.ix.n, dtype=np.int32), np.zeros(self.ix.n, dtype=bool))
        )
        todo = rows[~done[rows]]
        if len(todo):
            counts[todo] = self._search(rx, todo)[todo]
            done[todo] = True
        return counts

    def _prefilter(self, pattern: str) -> np.ndarray | None:
        """Sorted rows of the units that can match ``pattern``, from the
        literals it requires; None when it requires none."""
        sets = sorted(required_literals(pattern), key=lambda s: -min(map(len, s)))
        rows: np.ndarray | None = None
        # A few requirements narrow it down; each further one costs lookups,
        # and a handful of units is searched faster than looked up.
        for strings in sets[:4]:
            found = [self._containing(lit) for lit in strings]
            if any(f is None for f in found):
                return None
            union = found[0] if len(found) == 1 else _sorted_unique(np.concatenate(found))  # type: ignore[arg-type]
            rows = union if rows is None else rows[_member(rows, union)]
            if len(rows) <= 64:
                break
        return rows

    def _containing(self, literal: str) -> np.ndarray | None:
        """:meth:`UnitIndex.units_containing`, kept for the run: the same
        literals (不足, 問題 …) recur in many patterns."""
        if literal not in self._literal_units:
            self._literal_units[literal] = self.ix.units_containing(literal)
        return self._literal_units[literal]

    def _search(self, rx: RuleRegex, rows: np.ndarray | None) -> np.ndarray:
        """Match counts of ``rx`` in the units ``rows`` (None: all units).
        Many units are searched in one pass over their texts joined by line
        breaks; the rare match that crosses a join sends its units to a
        search of their own."""
        texts = self.ix.texts()
        n = self.ix.n
        counts = np.zeros(n, dtype=np.int64)
        if rows is not None and len(rows) <= 64:
            idx = rows.tolist()
            counts[idx] = rx.counts([texts[i] for i in idx])
            return counts
        if rows is None:
            joined, starts, ends = self.ix.joined_texts()
            rows = np.arange(n)
        else:
            sub = [texts[i] for i in rows.tolist()]
            lengths = np.fromiter(map(len, sub), dtype=np.int64, count=len(sub))
            starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
            ends = starts + lengths
            joined = "\n".join(sub)
        spans = np.asarray(rx.spans(joined), dtype=np.int64).reshape(-1, 2)
        if not len(spans):
            return counts
        first = np.searchsorted(starts, spans[:, 0], side="right") - 1
        last = np.searchsorted(starts, np.maximum(spans[:, 1] - 1, spans[:, 0]), side="right") - 1
        inside = (first == last) & (spans[:, 1] <= ends[first])
        counts[rows] += np.bincount(first[inside], minlength=len(rows))
        for j in sorted({u for a, b in zip(first[~inside], last[~inside], strict=True) for u in range(a, b + 1)}):
            counts[rows[j]] = rx.count(texts[rows[j]])
        return counts

    def _word(self, w: Word, code: str, positive: bool) -> np.ndarray:
        pieces = self._pieces(w)
        if pieces is not None:
            phrase = Phrase(tuple(Word(p) for p in pieces), w.polarity, line=w.line, col=w.col)
            return self.eval(phrase, code, positive)
        if positive:
            self._evidence.append((code, w, None))
        col = self._column(w)
        if col is not None:
            return col
        pos = self._keep(self._positions(w, code), w.polarity)
        return np.bincount(self.ix.tok_unit[pos], minlength=self.ix.n)

    def _positions(self, w: Word, code: str) -> np.ndarray:
        """Sorted token positions of ``w`` (negated or not)."""
        if w not in self._positions_cache:
            if w.surface or w.pos in posmap.CONTEXT_POS:
                # Surface forms and context-dependent POS are per token.
                pos = np.flatnonzero(self._word_token_mask(w, code))
            else:
                plain = not (w.is_glob or w.pos or w.conj)
                pos = self.ix.postings(
                    self.ix.form_rows(w.lemma) if plain else self.ix.vocab_mask(w, self.cb.source, code)
                )
            self._positions_cache[w] = pos
        return self._positions_cache[w]

    def _keep(self, pos: np.ndarray, polarity: str) -> np.ndarray:
        """Positions inside a unit with the wanted negation polarity."""
        pos = pos[self.ix.tok_unit[pos] >= 0]
        if polarity == "plain":
            return pos[~self.ix.neg[pos]]
        if polarity == "neg":
            return pos[self.ix.neg[pos]]
        return pos

    def _polarity_mask(self, polarity: str) -> np.ndarray:
        if polarity == "plain":
            return ~self.ix.neg
        if polarity == "neg":
            return self.ix.neg
        return np.ones(len(self.ix.neg), dtype=bool)

    def _word_token_mask(self, w: Word, code: str) -> np.ndarray:
        word = self.ix.tokens.word
        m = self.ix.vocab_mask(w, self.cb.source, code)[word]
        if w.pos in posmap.CONTEXT_POS:
            any_pos = self.ix.vocab_mask(Word(w.lemma, conj=w.conj), self.cb.source, code)[word]
            m = posmap.refine(self.ix.tokens, w.pos, m, any_pos)
        if w.surface:
            surfaces = (
                np.asarray([unicodedata.normalize("NFKC", s) for s in self.ix.tokens.surfaces()], dtype=object)
                if not hasattr(self, "_surf")
                else self._surf
            )
            self._surf = surfaces
            m &= surfaces == w.surface
        return m

    def _phrase(self, words: tuple[Word, ...], polarity: str, code: str) -> tuple[np.ndarray, np.ndarray]:
        """Occurrences where the words stand in consecutive tokens of one unit."""
        k = len(words)
        start = self._positions(words[0], code)
        unit = self.ix.tok_unit
        n_tok = len(unit)
        start = start[start + k - 1 < n_tok]
        for j in range(1, k):
            if not len(start):
                break
            nxt = self._positions(words[j], code)
            start = start[_member(start + j, nxt) & (unit[np.minimum(start + j, n_tok - 1)] == unit[start])]
        start = start[unit[start] >= 0]
        # Negation is judged on the last word: in いる+ない (a rule word いない
        # split in two) the phrase's own ない must not negate it.
        start = start[self._polarity_mask(polarity)[start + k - 1]]
        counts = np.bincount(unit[start], minlength=self.ix.n)
        return counts, np.stack([start, start + k])

    def _names_negation(self, w: Word) -> bool:
        if w.lemma.startswith("$"):
            return False
        pieces = self._pieces(w) or (w.lemma,)
        return pieces[-1] in NEGATOR_LEMMAS

    def _occurrences(self, w: Word, code: str) -> np.ndarray:
        """Sorted positions where ``w`` occurs, for near()/seq(): a synonym
        list (``$name``) is any of its words, a word that is several tokens
        here is found as the phrase of those tokens (at its first token).
        Kept for the run: a word recurs in many lists and atoms."""
        if w in self._occ_cache:
            return self._occ_cache[w]
        if w.lemma.startswith("$"):
            parts = [
                self._occurrences(Word(word, line=w.line), code)
                for word in self.cb.synonym_words(w.lemma[1:], code=code, line=w.line)
            ]
            occ = _sorted_unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        elif (pieces := self._pieces(w)) is None:
            occ = self._positions(w, code)
        else:
            occ = self._phrase(tuple(Word(p) for p in pieces), "any", code)[1][0]
        self._occ_cache[w] = occ
        return occ

    def _near_occurrences(self, w: Word, code: str, polarity: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_occurrences` with the wanted polarity, with the unit of each
        occurrence and the distinct units, kept for the run: synonym lists
        and common words recur in many near() atoms."""
        key = (w, polarity)
        if key not in self._near_cache:
            pos = self._keep(self._occurrences(w, code), polarity)
            units = self.ix.tok_unit[pos]
            distinct = _unique_of_sorted(units) if self.ix.monotone_units() else _sorted_unique(units)
            self._near_cache[key] = (pos, units, distinct)
        return self._near_cache[key]

    def _near(self, node: Near, code: str) -> tuple[np.ndarray, np.ndarray]:
        """KH Coder's near()/seq(): a scan starts at each occurrence of a listed
        word (seq: of the first word; a run of the same word starts from its
        last member) and walks forward inside the unit, counting each listed
        word not counted yet (seq: only the next one in order), while every
        occurrence lies within ``distance`` tokens of the last counted one
        (0: no limit). ``b``/``d`` also stop the scan at the end of the
        start's sentence/paragraph. The value is the number of scans that
        count every word."""
        ix = self.ix
        unit = ix.tok_unit
        # A near()/seq() that names a negation itself (near(専従-いない)) is
        # about the negated clause: its words count whether negated or not.
        polarity = "any" if any(self._names_negation(w) for w in node.words) else "plain"
        k = len(node.words)
        found = [self._near_occurrences(w, code, polarity) for w in node.words]
        # A scan never leaves its unit: only units holding every word can
        # succeed, and with one rare word that is a handful of units. Their
        # distinct units are intersected rarest first, then each word keeps
        # its occurrences in those units: with units in text order these
        # are contiguous runs, found by binary search, so a common word
        # costs little more than the rare one.
        units_ok = min((f[2] for f in found), key=len)
        for _, _, distinct in found:
            if not len(units_ok):
                break
            units_ok = units_ok[_member(units_ok, distinct)]
        if not len(units_ok):
            # No unit holds every word (often: a chunk of a corpus lacks one).
            return np.zeros(ix.n, dtype=np.int64), np.zeros((2, 0), dtype=np.int64)
        if ix.monotone_units():
            occ = [pos[_runs(units, units_ok)] for pos, units, _ in found]
        else:
            in_all = np.zeros(ix.n, dtype=bool)
            in_all[units_ok] = True
            occ = [pos[in_all[units]] for pos, units, _ in found]
        pos_list = occ
        word_list = [np.full(len(idx), j) for j, idx in enumerate(occ)]
        pos = np.concatenate(pos_list)
        word = np.concatenate(word_list)
        order = np.lexsort((word, pos))
        pos, word = pos[order], word[order]
        keep = np.r_[True, pos[1:] != pos[:-1]] if len(pos) else np.zeros(0, dtype=bool)
        pos, word = pos[keep], word[keep]
        if node.scope == "b":
            region = ix.region("sentence")
        elif node.scope == "d":
            region = ix.region("paragraph")
        else:
            region = unit
        if k == 2:
            # Two words: a scan succeeds exactly when the next occurrence is
            # the other word (seq: the second), in the same unit and region,
            # within the distance — so no loop is needed.
            nxt_same = (unit[pos[1:]] == unit[pos[:-1]]) & (region[pos[1:]] == region[pos[:-1]])
            ok = nxt_same & (word[1:] != word[:-1])
            if node.distance > 0:
                ok &= pos[1:] - pos[:-1] <= node.distance
            if node.kind == "seq":
                ok &= word[:-1] == 0
            idx = np.flatnonzero(ok)
            lo = pos[:-1][idx]
            hi = pos[1:][idx] + 1
            counts = np.bincount(unit[lo], minlength=ix.n) if len(lo) else np.zeros(ix.n, dtype=np.int64)
            return counts, np.stack([lo, hi])
        # A scan never leaves its unit and region, so only the stretches
        # (same unit, same region) holding every listed word can succeed;
        # the loop below walks those alone.
        if len(pos):
            new_group = np.r_[True, (unit[pos[1:]] != unit[pos[:-1]]) | (region[pos[1:]] != region[pos[:-1]])]
            group = np.cumsum(new_group) - 1
            complete = np.ones(int(group[-1]) + 1, dtype=bool)
            for j in range(k):
                has = np.zeros(len(complete), dtype=bool)
                has[group[word == j]] = True
                complete &= has
            keep = complete[group]
            pos, word = pos[keep], word[keep]
        if len(pos) >= _LOCKSTEP_MIN:
            lo, hi = _scan_lockstep(pos, word, unit[pos], region[pos], k, node.distance, node.kind == "seq")
            counts = np.bincount(unit[lo], minlength=ix.n) if len(lo) else np.zeros(ix.n, dtype=np.int64)
            return counts, np.stack([lo, hi])
        u = unit[pos].tolist()
        r = region[pos].tolist()
        p = pos.tolist()
        w = word.tolist()
        n_occ = len(p)
        dist = node.distance
        seq = node.kind == "seq"
        hit_lo: list[int] = []
        hit_hi: list[int] = []
        for s_i in range(n_occ):
            if s_i + 1 < n_occ and w[s_i + 1] == w[s_i] and u[s_i + 1] == u[s_i]:
                continue
            if seq and w[s_i] != 0:
                continue
            counted = {w[s_i]}
            expected = 1
            ref = p[s_i]
            last = p[s_i]
            for t in range(s_i + 1, n_occ):
                if u[t] != u[s_i] or r[t] != r[s_i] or (dist > 0 and p[t] - ref > dist):
                    break
                wt = w[t]
                if seq:
                    if wt != expected:
                        continue
                    expected += 1
                elif wt in counted:
                    continue
                counted.add(wt)
                ref = last = p[t]
                if len(counted) == k:
                    break
            if len(counted) == k:
                hit_lo.append(p[s_i])
                hit_hi.append(last + 1)
        lo = np.asarray(hit_lo, dtype=np.int64)
        hi = np.asarray(hit_hi, dtype=np.int64)
        counts = np.bincount(unit[lo], minlength=ix.n) if len(lo) else np.zeros(ix.n, dtype=np.int64)
        return counts, np.stack([lo, hi])

    def _measure(self, name: str) -> np.ndarray:
        """KH Coder's measures: ``No.`` the unit number; ``lw`` the tokens of
        the unit and ``lc`` their characters — punctuation, symbols and
        full-width spaces included, line breaks not."""
        ix = self.ix
        if name == "No.":
            return np.arange(1, ix.n + 1)
        sel = (ix.tok_unit >= 0) & ~ix.is_newline
        if name == "lc":
            lengths = (ix.tokens.end - ix.tokens.start)[sel]
            return np.bincount(ix.tok_unit[sel], weights=lengths, minlength=ix.n).astype(np.int64)
        return np.bincount(ix.tok_unit[sel], minlength=ix.n)

    # -- evidence ----------------------------------------------------------
    def evidence(self, coded: dict[str, np.ndarray]) -> pd.DataFrame:
        """Rows ``unit`` (row of the unit table), ``code``, ``term``, ``start``,
        ``end`` (offsets into the original text), for every positive atom hit
        inside a unit where its code is true."""
        ix = self.ix
        tokens = ix.tokens
        # Arrays per atom, one DataFrame at the end: a frame per atom cost
        # more than finding the hits (about 1 ms each, thousands of atoms).
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        labels: list[tuple[str, str]] = []
        # Normalised unit texts, shared by every regex atom of every code.
        norms: dict[int, Any] = {}
        texts = tokens.corpus.texts
        for code, node, data in self._evidence:
            true_units = coded[code]
            if isinstance(node, Word):
                tok = self._keep(self._positions(node, code), node.polarity)
                tok = tok[true_units[ix.tok_unit[tok]]]
                starts, ends, units = tokens.start[tok], tokens.end[tok], ix.tok_unit[tok]
            elif isinstance(node, (Phrase, Near)):
                lo, hi = data
                keep = (lo >= 0) & true_units[ix.tok_unit[lo]] if len(lo) else np.zeros(0, dtype=bool)
                lo, hi = lo[keep], hi[keep]
                starts, ends, units = tokens.start[lo], tokens.end[hi - 1], ix.tok_unit[lo]
            else:
                rx = data
                us, ss, es = [], [], []
                for u in np.flatnonzero(true_units).tolist():
                    if u not in norms:
                        d, s0, e0 = (int(ix.units.iat[u, c]) for c in (0, 3, 4))
                        norms[u] = (s0, normalize_text(texts[d][s0:e0]))
                    s0, norm = norms[u]
                    for mt_start, mt_end in rx.spans(norm.text):
                        a, b = norm.to_original(mt_start, mt_end)
                        us.append(u)
                        ss.append(s0 + a)
                        es.append(s0 + b)
                starts, ends, units = (
                    np.asarray(ss, dtype=np.int64),
                    np.asarray(es, dtype=np.int64),
                    np.asarray(us, dtype=np.int64),
                )
            if len(units):
                parts.append((np.asarray(units), np.asarray(starts), np.asarray(ends), len(labels)))
                labels.append((code, str(node)))
        if not parts:
            return pd.DataFrame({"unit": [], "code": [], "term": [], "start": [], "end": []})
        which = np.concatenate([np.full(len(p[0]), p[3], dtype=np.int64) for p in parts])
        codes = np.array([c for c, _ in labels], dtype=object)
        terms = np.array([t for _, t in labels], dtype=object)
        ev = pd.DataFrame(
            {
                "unit": np.concatenate([p[0] for p in parts]).astype(np.int64),
                "code": codes[which],
                "term": terms[which],
                "start": np.concatenate([p[1] for p in parts]).astype(np.int64),
                "end": np.concatenate([p[2] for p in parts]).astype(np.int64),
            }
        ).drop_duplicates()
        return ev.sort_values(["unit", "start", "code"], kind="stable").reset_index(drop=True)


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    # np.unique hashes integers in numpy 2, which is slow for this; a sort is not.
    return _unique_of_sorted(np.sort(a))


def _runs(sorted_a: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the elements of ``sorted_a`` equal to any of the sorted
    ``values``, in order: each value is one run of a sorted array."""
    lo = np.searchsorted(sorted_a, values, side="left")
    hi = np.searchsorted(sorted_a, values, side="right")
    lengths = hi - lo
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    # For each output slot, its run's start, shifted so arange fills the runs.
    shift = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


# From this many occurrences on, near()/seq() scans advance in lockstep as
# arrays instead of one by one in Python (same results; see _scan_lockstep).
_LOCKSTEP_MIN = 256


def _scan_lockstep(
    pos: np.ndarray, word: np.ndarray, unit: np.ndarray, region: np.ndarray, k: int, dist: int, seq: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The near()/seq() scans of :meth:`RuleEvaluator._near`, all advanced one
    occurrence per step as arrays: each step costs a few array operations
    over the scans still running, and scans are short (they end at their
    unit, region or distance), so many occurrences cost few steps.
    Returns the hits' first and one-past-last token positions, in the order
    of their starts."""
    n = len(pos)
    starts = np.ones(n, dtype=bool)
    # A run of the same word starts one scan, from its last member.
    starts[:-1] = ~((word[1:] == word[:-1]) & (unit[1:] == unit[:-1]))
    if seq:
        starts &= word == 0
    s = np.flatnonzero(starts)
    cur = s + 1
    ref = pos[s].copy()
    counted = np.left_shift(np.int64(1), word[s].astype(np.int64))
    ncount = np.ones(len(s), dtype=np.int64)
    hits = [np.flatnonzero(ncount == k)]  # k == 1: a start is a hit
    active = np.flatnonzero(ncount < k)
    while len(active):
        t = cur[active]
        ok = t < n
        t = np.where(ok, t, 0)
        sa = s[active]
        ok &= (unit[t] == unit[sa]) & (region[t] == region[sa])
        if dist > 0:
            ok &= pos[t] - ref[active] <= dist
        active, t = active[ok], t[ok]
        wt = word[t].astype(np.int64)
        new = wt == ncount[active] if seq else (np.right_shift(counted[active], wt) & 1) == 0
        a_new, t_new = active[new], t[new]
        counted[a_new] |= np.left_shift(np.int64(1), wt[new])
        ncount[a_new] += 1
        ref[a_new] = pos[t_new]
        finished = ncount[active] == k
        hits.append(active[finished])
        active = active[~finished]
        cur[active] += 1
    done = np.sort(np.concatenate(hits))
    # A hit ends at the last word it counted, which is where ref stopped.
    return pos[s[done]], ref[done] + 1


def _unique_of_sorted(a: np.ndarray) -> np.ndarray:
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def _member(a: np.ndarray, sorted_b: np.ndarray) -> np.ndarray:
    """``np.isin(a, sorted_b)`` by binary search, for a sorted ``sorted_b``."""
    if not len(sorted_b):
        return np.zeros(len(a), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_b, a), len(sorted_b) - 1)
    return sorted_b[at] == a


def _cost(node: Node) -> int:
    """Rough evaluation cost, to order the operands of ``and``."""
    if isinstance(node, (String, Regex)):
        return 2
    if isinstance(node, Near):
        return 1
    if isinstance(node, Not):
        return _cost(node.operand)
    if isinstance(node, BoolOp):
        return max(map(_cost, node.operands))
    if isinstance(node, (Compare, Arith)):
        return max(_cost(node.left), _cost(node.right))
    return 0


def evaluate_rules(
    codebook: Codebook, tokens: Tokens, level: str
) -> tuple[UnitIndex, dict[str, np.ndarray], Callable[[], pd.DataFrame]]:
    index = UnitIndex(tokens, level, negation=codebook.negation)
    comp = RuleEvaluator(codebook, index)
    values = comp.run()

    def evidence(rows: np.ndarray | None = None) -> pd.DataFrame:
        # ``rows``: a unit mask, so a caller that quotes a few units (synthesis)
        # need not find the evidence of every unit of a large corpus.
        return comp.evidence(values if rows is None else {c: v & rows for c, v in values.items()})

    return index, values, evidence
