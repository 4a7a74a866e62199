"""The SudachiPy backend: the fast default for counting and coding.

This module must not import spaCy: loading it costs seconds and gigabytes
that counting and coding never need.
"""

from __future__ import annotations

import array
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import Errors, TokenizerError
from kotoba_code.tokenize.normalize import _DROP_RE, NormalizedText, clean_text, normalize_text
from kotoba_code.tokenize.tokens import VOCAB_COLUMNS, Tokens
from kotoba_code.tokenize.userwords import read_word_list

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

# Sudachi refuses inputs over 49,149 UTF-8 bytes; stay well below.
MAX_CHUNK_BYTES = 40_000
# Word ids at or above this value are out-of-vocabulary or joined numbers;
# words Sudachi joins itself (katakana runs such as サポステ) all share the
# id _JOINED_ID. Their forms depend on the text, so they are keyed by their
# forms instead of their id.
_OOV_ID = 0xF0000000
_JOINED_ID = 0x0FFFFFFF
# Vocabulary rows created here (user words, unknown words) are stored as
# _OOV_BASE + row while tokenizing, above every Sudachi word id.
_OOV_BASE = 1 << 33
# Texts this short (4 UTF-8 bytes per character at most) never need chunking.
_FAST_LEN = MAX_CHUNK_BYTES // 4
_BOUNDARY_RE = re.compile(r"[。．！？!?\n]")
_USER_POS = "名詞-普通名詞-一般"


def split_chunks(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> list[tuple[int, str]]:
    """Split ``text`` into ``(offset, chunk)`` pieces of at most ``max_bytes``
    UTF-8 bytes, cutting after a sentence end or line break where possible.

    Examples
    --------
    >>> [off for off, _ in split_chunks("あ。" * 10, max_bytes=12)]
    [0, 4, 8, 12, 16]
    """
    # Four bytes per character is the UTF-8 maximum: short texts need no check.
    if len(text) * 4 <= max_bytes or len(text.encode("utf-8")) <= max_bytes:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    pos = 0
    while pos < len(text):
        # Largest window that fits, found by shrinking a character estimate.
        n = max_bytes // 3
        while n > 1 and len(text[pos : pos + n].encode("utf-8")) > max_bytes:
            n = n * 3 // 4
        if pos + n >= len(text):
            out.append((pos, text[pos:]))
            break
        window = text[pos : pos + n]
        cut = 0
        for m in _BOUNDARY_RE.finditer(window):
            cut = m.end()
        if cut < n // 2:
            # No sentence end in the second half: cut at the last space, else hard.
            sp = max(window.rfind(" "), window.rfind("\u3000"))
            cut = sp + 1 if sp >= n // 2 else n
        out.append((pos, text[pos : pos + cut]))
        pos += cut
    return out


class SudachiTokenizer:
    """Tokenize with SudachiPy and ``sudachidict-core``.

    Parameters
    ----------
    split_mode : {"A", "B", "C"}, default="C"
        Sudachi's unit length: A is shortest (自立/相談/支援/機関), C longest.
    user_words : sequence of str or path, default=()
        Compound terms that must stay one token, whatever the dictionary says
        (KH Coder's *forced extraction*): ``["自立相談支援機関", "一体的実施"]``,
        or a path to a UTF-8 file with one word per line (``#`` comments;
        an optional tab-separated second field gives the POS).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> tok = SudachiTokenizer(split_mode="A", user_words=["自立相談支援機関"])
    >>> toks = tokenize(Corpus.from_texts(["自立相談支援機関につなぐ"]), tokenizer=tok, cache=False)
    >>> toks.doc(0)[0].surface
    '自立相談支援機関'
    """

    backend = "sudachi"

    def __init__(self, *, split_mode: str = "C", user_words: Sequence[str] | str | Any = ()) -> None:
        self.split_mode = split_mode
        self.user_words = user_words

    def __repr__(self) -> str:
        return f"SudachiTokenizer(split_mode={self.split_mode!r}, user_words={len(self._user_words())} words)"

    def _user_words(self) -> dict[str, str]:
        return read_word_list(self.user_words, with_pos=True, default_pos=_USER_POS)

    def settings(self) -> dict[str, Any]:
        """Everything that changes the output: the cache key is built from it."""
        import sudachipy

        return {
            "backend": self.backend,
            "version": 2,
            "split_mode": self._mode_name(),
            "user_words": sorted(self._user_words().items()),
            "sudachipy": sudachipy.__version__,
            "dictionary": _dictionary_version(),
        }

    def _mode_name(self) -> str:
        mode = str(self.split_mode).upper()
        if mode not in ("A", "B", "C"):
            raise TokenizerError(Errors.E201.format(mode=self.split_mode))
        return mode

    def tokenize(self, corpus: Corpus, *, progress: bool = False) -> Tokens:
        """Tokenize every document of ``corpus`` into a :class:`Tokens` store."""
        sudachi_dict, tok = _sudachi(self._mode_name())
        pos_cache: dict[int, tuple[str, str, str]] = {}

        def pos_of(pid: int) -> tuple[str, str, str]:
            p = pos_cache.get(pid)
            if p is None:
                t = sudachi_dict.pos_of(pid)
                p = pos_cache[pid] = ("-".join(x for x in t[:4] if x != "*"), t[4], t[5])
            return p

        index: dict[Any, int] = {}
        rows: list[tuple[Any, ...]] = []
        user = self._user_words()
        user_re = _user_regex(user)
        for word, pos in user.items():
            index[("user", word)] = len(rows)
            reading = "".join(m.reading_form() for m in tok.tokenize(word))
            rows.append((word, word, pos, "*", "*", reading, True))

        def register_oov(m: Any) -> int:
            # Unknown words and joined numbers have no dictionary entry: key
            # them by their forms. Sudachi lower-cases their dictionary form
            # (ＨＷ → hw); the lemma keeps the written case, width-folded.
            surface = unicodedata.normalize("NFKC", m.surface())
            key = (surface, m.normalized_form(), m.part_of_speech_id(), m.reading_form())
            k = index.get(key)
            if k is None:
                k = index[key] = len(rows)
                rows.append((surface, *_forms(m, pos_of)[1:]))
            return k + _OOV_BASE

        # Flat machine-integer arrays, not lists: a list holds a Python int
        # object per token (about 36 bytes), an array 8 bytes.
        words = array.array("q")
        ends = array.array("q")
        remap: list[tuple[int, NormalizedText]] = []
        # Dictionary word ids seen so far -> their first morpheme's forms.
        known: dict[int, tuple[Any, ...]] = {}
        seen: set[int] = set()
        user_ids = {w: index[("user", w)] + _OOV_BASE for w in user}

        # The hot loop stays in list comprehensions and set operations: per
        # token it only asks Sudachi for the word id and end offset. Forms are
        # read once per distinct word id.
        def add(chunk: str, base: int) -> None:
            ml = tok.tokenize(chunk)
            ws = [m.word_id() for m in ml]
            if not seen.issuperset(ws):
                for j, w in enumerate(ws):
                    if w >= _OOV_ID or (w & _JOINED_ID) == _JOINED_ID:
                        ws[j] = register_oov(ml[j])
                    elif w not in seen:
                        known[w] = _forms(ml[j], pos_of)
                        seen.add(w)
            words.extend(ws)
            if base:
                ends.extend([m.end() + base for m in ml])
            else:
                ends.extend([m.end() for m in ml])

        ptr = [0]
        drop_search = _DROP_RE.search
        for i, text in enumerate(_progress(corpus.texts, progress, "tokenize")):
            try:
                if user_re is None and len(text) <= _FAST_LEN and not drop_search(text):
                    # The common case: a short answer with nothing to clean.
                    if text:
                        add(text, 0)
                else:
                    # Sudachi folds widths itself (ＨＷ → HW, ｶﾞ → ガ) and reports
                    # offsets into its input, so only characters it mishandles are
                    # removed first. User words are matched on the NFKC text.
                    norm = normalize_text(text) if user_re is not None else clean_text(text)
                    if not norm.is_identity:
                        remap.append((i, norm))
                    for off, piece, user_word in _pieces(norm.text, user_re):
                        if user_word is not None:
                            words.append(user_ids[user_word])
                            ends.append(off + len(piece))
                        else:
                            for chunk_off, chunk in split_chunks(piece):
                                add(chunk, off + chunk_off)
            except Exception as exc:  # noqa: BLE001 - re-raised with the document id
                raise TokenizerError(Errors.E202.format(id=corpus.ids[i], reason=exc)) from exc
            ptr.append(len(words))
        doc_ptr = np.asarray(ptr, dtype=np.int64)

        # Word ids -> rows of the vocabulary table, without sorting the tokens.
        ids = np.asarray(words, dtype=np.int64)
        keys = np.sort(np.fromiter(known, dtype=np.int64, count=len(known)))
        base = len(rows)
        rows.extend(known[k] for k in keys.tolist())
        is_new = ids >= _OOV_BASE
        row = np.where(is_new, ids - _OOV_BASE, base + np.searchsorted(keys, ids))
        return _assemble(corpus, doc_ptr, row, ends, remap, rows, self.settings())


_local = threading.local()


@functools.cache
def _dictionary() -> Any:
    """The Sudachi dictionary, loaded once per process: loading it costs far
    more than tokenizing an answer."""
    from sudachipy import dictionary

    return dictionary.Dictionary(dict="core")


def _sudachi(mode_name: str) -> tuple[Any, Any]:
    """The dictionary and a tokenizer for a split mode. Tokenizers are kept
    per thread: a Sudachi tokenizer must not be used by two threads at once
    (Dask's threaded scheduler would fail with "Already borrowed")."""
    from sudachipy import tokenizer

    tokenizers = _local.__dict__.setdefault("tokenizers", {})
    if mode_name not in tokenizers:
        mode = getattr(tokenizer.Tokenizer.SplitMode, mode_name)
        # Load only the word fields a Token needs (about 7% faster than all).
        tokenizers[mode_name] = _dictionary().create(
            mode, fields={"pos", "dictionary_form", "normalized_form", "reading_form"}
        )
    return _dictionary(), tokenizers[mode_name]


def _forms(m: Any, pos_of: Any) -> tuple[Any, ...]:
    """A vocabulary row (see VOCAB_COLUMNS) from a Sudachi morpheme."""
    p, ctype, cform = pos_of(m.part_of_speech_id())
    return (m.dictionary_form(), m.normalized_form(), p, ctype, cform, m.reading_form(), False)


def _assemble(
    corpus: Corpus,
    doc_ptr: np.ndarray,
    words: Any,
    ends: Sequence[int],
    remap: list[tuple[int, NormalizedText]],
    rows: list[tuple[Any, ...]],
    settings: dict[str, Any],
    extra: dict[str, np.ndarray] | None = None,
    starts: list[int] | None = None,
) -> Tokens:
    """Build a :class:`Tokens` from per-token vocabulary indices and the
    offsets (in normalised text) of each token."""
    end = np.asarray(ends, dtype=np.int64)
    if starts is not None:
        start = np.asarray(starts, dtype=np.int64)
    else:
        # Sudachi tokens tile the normalised text: each starts where the previous ended.
        start = np.empty_like(end)
    if starts is None and len(end):
        start[0] = 0
        start[1:] = end[:-1]
        first = doc_ptr[:-1][np.diff(doc_ptr) > 0]
        start[first] = 0
    for i, norm in remap:
        lo, hi = doc_ptr[i], doc_ptr[i + 1]
        start[lo:hi], end[lo:hi] = norm.map_spans(start[lo:hi], end[lo:hi])
    vocab = pd.DataFrame(rows, columns=VOCAB_COLUMNS)
    for c in VOCAB_COLUMNS[:-1]:
        vocab[c] = vocab[c].astype(object)
    return Tokens(
        corpus=corpus,
        doc_ptr=doc_ptr,
        word=np.asarray(words, dtype=np.int32),
        start=start.astype(np.int32),
        end=end.astype(np.int32),
        vocab=vocab,
        settings=settings,
        extra=extra or {},
    )


def _user_regex(user: dict[str, str]) -> re.Pattern[str] | None:
    if not user:
        return None
    # Longest first, so 生活保護受給者等就労自立促進事業 wins over 生活保護.
    alts = sorted(user, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in alts))


def _pieces(text: str, user_re: re.Pattern[str] | None) -> Iterable[tuple[int, str, str | None]]:
    """Split text around user words: ``(offset, piece, user_word_or_None)``."""
    if user_re is None:
        if text:
            yield 0, text, None
        return
    pos = 0
    for m in user_re.finditer(text):
        if m.start() > pos:
            yield pos, text[pos : m.start()], None
        yield m.start(), m.group(), m.group()
        pos = m.end()
    if pos < len(text):
        yield pos, text[pos:], None


def _progress(items: Sequence[str], enabled: bool, desc: str) -> Iterable[str]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="doc", mininterval=0.5, leave=False, delay=1.0)


def _dictionary_version() -> str:
    try:
        from importlib.metadata import version

        return version("sudachidict-core")
    except Exception:  # noqa: BLE001 - any failure just means "unknown"
        return "unknown"
