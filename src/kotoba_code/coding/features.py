"""Sparse features for learned coding, built from the columnar token store.

Word features come straight from the :class:`~kotoba_code.tokenize.Tokens`
arrays: each vocabulary row is mapped once to a feature id, and every token
then reads its id by array indexing, so no string is built per token. This
keeps featurizing 100,000 answers within a second or two.

* word unigrams on Sudachi's normalized form (引継ぎ → 引き継ぎ), with a
  separate feature for a word inside a negated clause (``¬不足``, from
  :func:`~kotoba_code.coding.negation.negation_mask`);
* word bigrams of consecutive words (white space and symbols skipped);
* character n-grams of the NFKC-folded, lower-cased text, built with
  numpy over code points (no Python loop per character).

Term weights are tf-idf with rows of unit length (see :class:`SparseGroup`);
the fitted vocabulary and idf are plain arrays and strings, so a model saves
without pickle.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from kotoba_code.coding.negation import negation_mask
from kotoba_code.corpus import Corpus
from kotoba_code.errors import Errors, KotobaError
from kotoba_code.tokenize.tokens import Tokens

NEG_MARK = "¬"
BIGRAM_SEP = "\u2009"  # thin space: never part of a Sudachi normalized form
_SKIP_POS = ("空白", "補助記号")
_CP_BITS = 21  # Unicode code points fit in 21 bits, so three fit in an int64


def _doc_of_tokens(tokens: Tokens) -> np.ndarray:
    return tokens.doc_index.astype(np.int64)


def negation_of(tokens: Tokens) -> np.ndarray:
    """The negation marks of ``tokens``, shared with the rule engine's cache."""
    cache = tokens.derived
    if "negation" not in cache:
        cache["negation"] = negation_mask(tokens)
    return cache["negation"]


def _word_keys(tokens: Tokens, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Per vocabulary row: the word's key string (empty for skipped POS)."""
    v = tokens.vocab
    pos = v["pos"].astype(str)
    skip = pos.str.startswith(_SKIP_POS).to_numpy()
    forms = v[key].astype(str).to_numpy(dtype=object)
    return forms, skip


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Counts as CSR. Rows in document order (as the token arrays give them)
    build the matrix directly, without the sort of a COO conversion."""
    data = np.ones(len(rows), dtype=np.float64)
    if len(rows) < 2 or bool((rows[1:] >= rows[:-1]).all()):
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        m = sp.csr_matrix((data, cols.astype(np.int64), indptr), shape=(n_rows, n_cols))
    else:
        m = sp.csr_matrix((data, (rows, cols)), shape=(n_rows, n_cols))
    m.sum_duplicates()
    return m


def _counts(doc: np.ndarray, ids: list[np.ndarray], n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Document × feature counts from id arrays aligned with positions in
    document order (-1: no feature there). Each array becomes a CSR matrix
    directly (its rows are already in order), and the canonical matrices are
    added, a linear merge; no global sort."""
    total = None
    for m in _occurrences(doc, ids, n_rows, n_cols):
        m.sum_duplicates()
        total = m if total is None else total + m
    return total if total is not None else sp.csr_matrix((n_rows, n_cols))


def _occurrences(doc: np.ndarray, ids: list[np.ndarray], n_rows: int, n_cols: int) -> list[sp.csr_matrix]:
    """One CSR matrix per id array with one entry per occurrence (duplicates
    not summed: a product with weights sums them anyway)."""
    out = []
    for a in ids:
        ok = a >= 0
        rows, cols = doc[ok], a[ok]
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        out.append(sp.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(n_rows, n_cols)))
    return out


class SparseGroup:
    """tf-idf rows of one feature block kept as several occurrence matrices
    (unigrams, bigrams …) over the same columns: each occurrence weighs its
    term's idf, and a row is scaled to unit length as if its occurrences were
    distinct terms. Summing duplicates (a sort per row) is left to training,
    where ``tocsr`` does it; products sum them without it."""

    def __init__(self, subs: list[sp.csr_matrix], idf: np.ndarray) -> None:
        sq = np.zeros(subs[0].shape[0]) if subs else np.zeros(0)
        for m in subs:
            m.data = idf[m.indices]
            sq += np.asarray(sp.csr_matrix((m.data**2, m.indices, m.indptr), shape=m.shape).sum(axis=1)).ravel()
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        for m in subs:
            m.data /= np.repeat(norms, np.diff(m.indptr))
        self.subs = subs
        self.shape = (subs[0].shape[0], subs[0].shape[1]) if subs else (0, len(idf))

    def __matmul__(self, w: np.ndarray) -> np.ndarray:
        out = np.zeros((self.shape[0], w.shape[1]))
        for m in self.subs:
            out += np.asarray(m @ w)
        return out

    def tocsr(self) -> sp.csr_matrix:
        total = None
        for m in self.subs:
            total = m.copy() if total is None else total + m
        total.sum_duplicates()
        return total

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        idx = [m.indices[m.indptr[i] : m.indptr[i + 1]] for m in self.subs]
        val = [m.data[m.indptr[i] : m.indptr[i + 1]] for m in self.subs]
        return np.concatenate(idx).astype(np.int64), np.concatenate(val)


@dataclass
class TermSpace:
    """A fitted term vocabulary (strings) with idf weights."""

    terms: list[str] = field(default_factory=list)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + n) / (1 + df)) + 1.0


class WordFeatures:
    """Word unigrams (negation-marked) and bigrams from a token store.

    Parameters
    ----------
    key : {"norm", "lemma"}
        Which Sudachi form names a word.
    bigrams : bool
        Add consecutive-word pairs.
    min_df : int
        Keep terms in at least this many training documents.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> toks = tokenize(Corpus.from_texts(["人手が不足していない", "人手が不足している"]), cache=False)
    >>> wf = WordFeatures(min_df=1).fit(toks)
    >>> "¬不足" in wf.space.terms, "不足" in wf.space.terms
    (True, True)
    """

    def __init__(self, key: str = "norm", *, bigrams: bool = True, negation: bool = True, min_df: int = 2) -> None:
        self.key = key
        self.bigrams = bigrams
        self.negation = negation
        self.min_df = min_df
        self.space = TermSpace()

    def _ids(self, tokens: Tokens, index: dict[str, int] | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per token: a term id for the plain word, and its (negated?) variant id.

        With ``index`` None (fitting), ids number the distinct strings seen and
        the strings are returned; otherwise unknown strings get -1."""
        forms, skip = _word_keys(tokens, self.key)
        if index is None:
            names: dict[str, int] = {}
            plain_v = np.array([names.setdefault(f, len(names)) for f in forms], dtype=np.int64)
            neg_v = np.array([names.setdefault(NEG_MARK + f, len(names)) for f in forms], dtype=np.int64)
            strings = list(names)
        else:
            plain_v = np.array([index.get(f, -1) for f in forms], dtype=np.int64)
            neg_v = np.array([index.get(NEG_MARK + f, -1) for f in forms], dtype=np.int64)
            strings = []
        plain_v[skip] = -1
        neg_v[skip] = -1
        w = tokens.word
        plain = plain_v[w]
        if self.negation and len(w):
            neg = negation_of(tokens)
            uni = np.where(neg, neg_v[w], plain)
        else:
            uni = plain
        return plain, uni, strings

    def _pairs(self, tokens: Tokens, plain: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Consecutive kept words of the same document: (token position of the
        left word, left id, right id)."""
        keep = np.flatnonzero(plain >= 0)
        doc = _doc_of_tokens(tokens)[keep]
        same = doc[1:] == doc[:-1]
        return keep[:-1][same], plain[keep[:-1][same]], plain[keep[1:][same]]

    def fit(self, tokens: Tokens) -> WordFeatures:
        """Learn the vocabulary and idf from training tokens."""
        plain, uni, strings = self._ids(tokens, None)
        n_docs = len(tokens.corpus)
        doc = _doc_of_tokens(tokens)
        names = list(strings)
        bi = np.full(len(uni), -1, dtype=np.int64)
        if self.bigrams:
            at, a, b = self._pairs(tokens, plain)
            key = a * len(strings) + b
            uniq, inv = np.unique(key, return_inverse=True)
            names += [strings[k // len(strings)] + BIGRAM_SEP + strings[k % len(strings)] for k in uniq.tolist()]
            bi[at] = len(strings) + inv
        counts = _counts(doc, [uni, bi], n_docs, len(names))
        df = np.bincount(counts.indices, minlength=len(names))
        keep = np.flatnonzero(df >= self.min_df)
        counts = counts[:, keep]
        self.space = TermSpace([names[k] for k in keep.tolist()], _idf(counts))
        return self

    def counts(self, tokens: Tokens) -> sp.csr_matrix:
        """Raw term counts, documents × terms, in the fitted vocabulary."""
        return _counts(*self._positions(tokens))

    def _positions(self, tokens: Tokens) -> tuple[np.ndarray, list[np.ndarray], int, int]:
        index = self.space.index()
        plain, uni, _ = self._ids(tokens, index)
        n_docs = len(tokens.corpus)
        doc = _doc_of_tokens(tokens)
        bi = np.full(len(uni), -1, dtype=np.int64)
        if self.bigrams:
            # Bigram ids: look pairs of plain ids up in a sorted table of the
            # fitted pairs, encoded as one integer each.
            n = len(self.space.terms)
            left, right, pid = [], [], []
            for j, t in enumerate(self.space.terms):
                if BIGRAM_SEP in t:
                    a, b = t.split(BIGRAM_SEP, 1)
                    ia, ib = index.get(a, -1), index.get(b, -1)
                    if ia >= 0 and ib >= 0:
                        left.append(ia)
                        right.append(ib)
                        pid.append(j)
            if pid:
                table = np.asarray(left, dtype=np.int64) * n + np.asarray(right, dtype=np.int64)
                order = np.argsort(table)
                table, pid_arr = table[order], np.asarray(pid, dtype=np.int64)[order]
                at, a, b = self._pairs(tokens, plain)
                key = a * n + b
                pos = np.searchsorted(table, key)
                pos = np.minimum(pos, len(table) - 1)
                hit = table[pos] == key
                bi[at[hit]] = pid_arr[pos[hit]]
        return doc, [uni, bi], n_docs, len(self.space.terms)

    def transform(self, tokens: Tokens) -> SparseGroup:
        """tf-idf, rows of unit length (see :class:`SparseGroup`)."""
        return SparseGroup(_occurrences(*self._positions(tokens)), self.space.idf)

    def get_state(self) -> dict[str, Any]:
        return {"key": self.key, "bigrams": self.bigrams, "negation": self.negation, "min_df": self.min_df}


_FOLD: dict[str, np.ndarray] = {}


def _fold_table(cp: np.ndarray) -> np.ndarray:
    """Code point → its NFKC, lower-cased form (one code point; a character
    that NFKC expands keeps its first one), for the code points in ``cp``,
    extended as new ones appear; built per character, not per text."""
    table = _FOLD.get("table")
    if table is None:
        table = np.arange(0x110000, dtype=np.int64)
        _FOLD["table"] = table
        _FOLD["seen"] = np.zeros(0x110000, dtype=bool)
    seen = _FOLD["seen"]
    present = np.flatnonzero((np.bincount(cp, minlength=0x110000) > 0) & ~seen)
    for c in present.tolist():
        f = unicodedata.normalize("NFKC", chr(c)).lower()
        table[c] = ord(f[0]) if f else 0
    seen[present] = True
    return table


def _codepoints(texts: list[str], *, fold: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """All texts joined by NUL as code points, each NFKC-normalized and
    lower-cased (unless ``fold=False``), with each code point's document."""
    joined = "\x00".join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    cp = _fold_table(cp)[cp] if fold else cp
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(cp)]
    if len(cp) == 0:
        doc = np.zeros(0, dtype=np.int64)
    # Space-like characters that NFKC turns into nothing would join words; 0 breaks n-grams there.
    return cp, doc


class CharFeatures:
    """Character n-grams (``ngram_range`` within 1..3) of the normalized texts.

    Examples
    --------
    >>> cf = CharFeatures((2, 2), min_df=1).fit(["温度差", "温度"])
    >>> sorted(cf.terms)
    ['度差', '温度']
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 3), *, min_df: int = 2) -> None:
        lo, hi = ngram_range
        if not 1 <= lo <= hi <= 3:
            raise KotobaError(Errors.E613.format(ngram_range=ngram_range))
        self.ngram_range = (lo, hi)
        self.min_df = min_df
        self.keys = np.zeros(0, dtype=np.int64)  # sorted n-gram codes
        self.idf = np.zeros(0)
        self._lookup: Any = None

    @staticmethod
    def _grams(cp: np.ndarray, n: int) -> np.ndarray:
        """Code-point keys of the n-grams starting at every position (-1 where
        the n-gram crosses a document boundary or runs past the end)."""
        key = np.zeros(len(cp), dtype=np.int64)
        ok = np.zeros(len(cp), dtype=bool)
        m = len(cp) - n + 1
        if m > 0:
            part = np.zeros(m, dtype=np.int64)
            good = np.ones(m, dtype=bool)
            for j in range(n):
                c = cp[j : j + m]
                part = (part << _CP_BITS) | c
                good &= c != 0
            key[:m], ok[:m] = part, good
        # No code point of a kept n-gram is 0, so an n-gram's code lies in
        # [2**(21(n-1)), 2**(21n)): lengths never collide.
        return np.where(ok, key, -1)

    def fit(self, texts: list[str]) -> CharFeatures:
        cp, doc = _codepoints(texts)
        lo, hi = self.ngram_range
        grams = [self._grams(cp, n) for n in range(lo, hi + 1)]
        flat = np.concatenate(grams)
        uniq, inv = np.unique(flat, return_inverse=True)
        # Feature numbers per position, n-gram length by length; -1 stays -1.
        inv = np.where(flat >= 0, inv - int(uniq[0] < 0), -1).reshape(len(grams), -1)
        uniq = uniq[uniq >= 0]
        counts = _counts(doc, list(inv), len(texts), len(uniq))
        df = np.bincount(counts.indices, minlength=len(uniq))
        keep = np.flatnonzero(df >= self.min_df)
        self.keys = uniq[keep]
        self.idf = _idf(counts[:, keep])
        self._lookup = None
        return self

    def _tables(self) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Lookup tables built once from the fitted keys: code point → letter
        number (1..A, 0 unknown); letter number → unigram feature; letter pair
        → bigram feature (a dense (A+1)² table); sorted trigram codes in letter
        numbers with their features. Array indexing instead of a search per
        character keeps 100,000 answers fast."""
        if getattr(self, "_lookup", None) is not None:
            return self._lookup
        mask = (1 << _CP_BITS) - 1
        keys = self.keys
        chars = np.unique(np.concatenate([(keys >> (_CP_BITS * j)) & mask for j in range(3)]))
        chars = chars[chars != 0]
        lut = np.zeros(0x110000, dtype=np.int64)
        lut[chars] = np.arange(1, len(chars) + 1)
        a1 = len(chars) + 1
        feat = np.arange(len(keys), dtype=np.int64)
        is1, is2 = keys < (1 << _CP_BITS), (keys >= (1 << _CP_BITS)) & (keys < (1 << (2 * _CP_BITS)))
        is3 = keys >= (1 << (2 * _CP_BITS))
        uni = np.full(a1, -1, dtype=np.int64)
        uni[lut[keys[is1]]] = feat[is1]
        bi = np.full(a1 * a1, -1, dtype=np.int64)
        k2 = keys[is2]
        bi[lut[k2 >> _CP_BITS] * a1 + lut[k2 & mask]] = feat[is2]
        k3 = keys[is3]
        code3 = (lut[k3 >> (2 * _CP_BITS)] * a1 + lut[(k3 >> _CP_BITS) & mask]) * a1 + lut[k3 & mask]
        order = np.argsort(code3)
        self._lookup = (lut, a1, uni, bi, code3[order], feat[is3][order])
        return self._lookup

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        if len(self.keys) == 0:
            return sp.csr_matrix((len(texts), 0))
        return _counts(*self._positions(texts))

    def _positions(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray], int, int]:
        lut, a1, uni_t, bi_t, code3, feat3 = self._tables()
        raw, doc = _codepoints(texts, fold=False)
        # Fold and number letters in one gather: letter 0 (unknown, or a
        # document boundary) has no unigram and no bigram in the tables, so no
        # mask is needed.
        a = lut[_fold_table(raw)][raw].astype(np.int32)
        lo, hi = self.ngram_range
        ids = []
        m = len(a)
        if lo <= 1 <= hi:
            ids.append(uni_t[a])
        if lo <= 2 <= hi:
            f = np.full(m, -1, dtype=np.int64)
            if m > 1:
                f[:-1] = bi_t[a[:-1] * np.int32(a1) + a[1:]]
            ids.append(f)
        if hi >= 3:
            f = np.full(m, -1, dtype=np.int64)
            if m > 2 and len(code3):
                ok = (a[:-2] > 0) & (a[1:-1] > 0) & (a[2:] > 0)
                c = (a[:-2] * a1 + a[1:-1]) * a1 + a[2:]
                pos = np.minimum(np.searchsorted(code3, c), len(code3) - 1)
                f[:-2] = np.where(ok & (code3[pos] == c), feat3[pos], -1)
            ids.append(f)
        return doc, ids, len(texts), len(self.keys)

    def transform(self, texts: list[str]) -> SparseGroup:
        if len(self.keys) == 0:
            return SparseGroup([sp.csr_matrix((len(texts), 0))], self.idf)
        return SparseGroup(_occurrences(*self._positions(texts)), self.idf)

    @property
    def terms(self) -> list[str]:
        """The n-grams as strings."""
        out = []
        mask = (1 << _CP_BITS) - 1
        for k in self.keys.tolist():
            n = 1 if k < 1 << _CP_BITS else 2 if k < 1 << (2 * _CP_BITS) else 3
            out.append("".join(chr((k >> (_CP_BITS * (n - 1 - j))) & mask) for j in range(n)))
        return out


def subset_tokens(tokens: Tokens, rows: np.ndarray) -> Tokens:
    """The tokens of the documents at positions ``rows``, as their own store
    (the vocabulary is shared; negation marks are carried over, not recomputed).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> toks = tokenize(Corpus.from_texts(["連携する", "温度差"]), cache=False)
    >>> subset_tokens(toks, np.array([1])).corpus.texts
    ['温度差']
    """
    rows = np.asarray(rows, dtype=np.int64)
    lo, hi = tokens.doc_ptr[rows], tokens.doc_ptr[rows + 1]
    lens = hi - lo
    # Token positions of the chosen documents, without a Python loop per document.
    offsets = np.repeat(lo - np.r_[0, np.cumsum(lens)[:-1]], lens)
    sel = np.arange(int(lens.sum()), dtype=np.int64) + offsets
    corpus = tokens.corpus
    meta = corpus.metadata.iloc[rows].reset_index(drop=True)
    sub = Corpus([corpus.ids[i] for i in rows.tolist()], [corpus.texts[i] for i in rows.tolist()], metadata=meta)
    out = Tokens(
        sub,
        np.r_[0, np.cumsum(lens)].astype(tokens.doc_ptr.dtype),
        tokens.word[sel],
        tokens.start[sel],
        tokens.end[sel],
        tokens.vocab,
        dict(tokens.settings),
    )
    out.derived["negation"] = negation_of(tokens)[sel]
    return out


_GINZA_VOCAB: dict[str, Any] = {}


def ginza_version() -> str | None:
    """The installed ja_ginza version, or None."""
    try:
        from importlib.metadata import version

        return version("ja_ginza")
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return None


def _ginza_vocab(version: str) -> Any:
    """spaCy's vocabulary of ja_ginza (strings and the 300-d vector table),
    loaded once per process without the pipeline."""
    if "vocab" in _GINZA_VOCAB:
        return _GINZA_VOCAB["vocab"]
    have = ginza_version()
    if have is None or have != version:
        raise KotobaError(Errors.E608.format(version=version, reason=f"installed: {have or 'none'}"))
    try:
        from pathlib import Path

        import ja_ginza
        from spacy.vocab import Vocab

        base = Path(ja_ginza.__file__).parent
        folder = next(p for p in base.iterdir() if p.is_dir() and (p / "vocab" / "vectors").exists())
        vocab = Vocab().from_disk(folder / "vocab")
    except Exception as exc:  # noqa: BLE001 - report any loading failure as one error
        raise KotobaError(Errors.E608.format(version=version, reason=str(exc))) from exc
    _GINZA_VOCAB["vocab"] = vocab
    return vocab


class VectorFeatures:
    """The mean of GiNZA's static word vectors (``ja_ginza``, 300-d) over an
    answer's content words, L2-normalized, looked up by Sudachi dictionary form.

    The vector table is read from the installed ``ja_ginza`` package (not
    stored in the model); the model records its version.
    """

    CONTENT = ("名詞", "動詞", "形容詞", "形状詞", "副詞")

    def __init__(self, version: str, scale: float = 1.0) -> None:
        self.version = version
        # Mean vectors are short (their words point different ways); one
        # factor fitted on the training answers brings them to unit length on
        # average, level with the L2-normalized word and character blocks.
        self.scale = scale

    def fit(self, tokens: Tokens) -> VectorFeatures:
        mean = self.transform(tokens).toarray() / self.scale
        norms = np.linalg.norm(mean, axis=1)
        self.scale = float(1.0 / np.mean(norms[norms > 0])) if (norms > 0).any() else 1.0
        return self

    def transform(self, tokens: Tokens) -> MeanVectors:
        vocab = _ginza_vocab(self.version)
        vectors = vocab.vectors
        strings = vocab.strings
        v = tokens.vocab
        content = v["pos"].astype(str).str.startswith(self.CONTENT).to_numpy()
        key2row = vectors.key2row
        rows = np.full(len(v), -1, dtype=np.int64)
        for i, lemma in enumerate(v["lemma"].astype(str).tolist()):
            if content[i]:
                rows[i] = key2row.get(strings[lemma], -1)
        tok_rows = rows[tokens.word]
        ok = tok_rows >= 0
        doc = tokens.doc_index[ok]
        n = len(tokens.corpus)
        m = _csr(doc.astype(np.int64), tok_rows[ok], n, len(vectors.data))
        return MeanVectors(m, _vector_table(self.version), self.scale)


def _vector_table(version: str) -> np.ndarray:
    if "table" not in _GINZA_VOCAB:
        _GINZA_VOCAB["table"] = np.asarray(_ginza_vocab(version).vectors.data, dtype=np.float64)
    return _GINZA_VOCAB["table"]


class MeanVectors:
    """Mean word vector per answer (docs × 300), kept as word counts × table so
    that ``X @ W`` is ``counts @ (table @ W) / n``: 20 columns are computed for
    100,000 answers, not 300."""

    def __init__(self, counts: sp.csr_matrix, table: np.ndarray, scale: float = 1.0) -> None:
        self.counts = counts
        self.table = table
        n = np.asarray(counts.sum(axis=1)).ravel()
        self.inv_n = scale / np.maximum(n, 1.0)
        self.shape = (counts.shape[0], table.shape[1])

    def __matmul__(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.counts @ (self.table @ w)) * self.inv_n[:, None]

    def __getitem__(self, i: int) -> np.ndarray:
        return np.asarray(self.counts[i] @ self.table).ravel() * self.inv_n[i]

    def toarray(self) -> np.ndarray:
        return np.asarray(self.counts @ self.table) * self.inv_n[:, None]
