"""The SudachiPy backend: the fast default for counting and coding.

This module must not import spaCy: loading it costs seconds and gigabytes
that counting and coding never need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import Errors, TokenizerError
from kotoba_code.tokenize.normalize import NormalizedText, normalize_text
from kotoba_code.tokenize.tokens import VOCAB_COLUMNS, Tokens
from kotoba_code.tokenize.userwords import read_word_list

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

# Sudachi refuses inputs over 49,149 UTF-8 bytes; stay well below.
MAX_CHUNK_BYTES = 40_000
# Word ids at or above this value are out-of-vocabulary or joined numbers:
# their forms depend on the text, so they are keyed by their forms instead.
_OOV_ID = 0xF0000000
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
            "version": 1,
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
        from sudachipy import dictionary, tokenizer

        mode = getattr(tokenizer.Tokenizer.SplitMode, self._mode_name())
        sudachi_dict = dictionary.Dictionary(dict="core")
        tok = sudachi_dict.create(mode)
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

        words: list[int] = []
        ends: list[int] = []
        doc_ptr = np.zeros(len(corpus) + 1, dtype=np.int64)
        remap: list[tuple[int, NormalizedText]] = []
        w_append, e_append = words.append, ends.append

        for i, text in enumerate(_progress(corpus.texts, progress, "tokenize")):
            try:
                norm = normalize_text(text) if text else NormalizedText("", "")
                if not norm.is_identity:
                    remap.append((i, norm))
                for off, piece, user_word in _pieces(norm.text, user_re):
                    if user_word is not None:
                        w_append(index[("user", user_word)])
                        e_append(off + len(piece))
                        continue
                    for chunk_off, chunk in split_chunks(piece):
                        base = off + chunk_off
                        for m in tok.tokenize(chunk):
                            w = m.word_id()
                            if w >= _OOV_ID:
                                # Unknown words and joined numbers: Sudachi lower-cases
                                # their dictionary form (HW → hw); keep the written case.
                                w = (m.surface(), m.normalized_form(), m.part_of_speech_id(), m.reading_form())
                            k = index.get(w)
                            if k is None:
                                k = index[w] = len(rows)
                                p, ctype, cform = pos_of(m.part_of_speech_id())
                                lemma = w[0] if isinstance(w, tuple) else m.dictionary_form()
                                rows.append(
                                    (lemma, m.normalized_form(), p, ctype, cform, m.reading_form(), False)
                                )
                            w_append(k)
                            e_append(base + m.end())
            except Exception as exc:  # noqa: BLE001 - re-raised with the document id
                raise TokenizerError(Errors.E202.format(id=corpus.ids[i], reason=exc)) from exc
            doc_ptr[i + 1] = len(words)

        return _assemble(corpus, doc_ptr, words, ends, remap, rows, self.settings())


def _assemble(
    corpus: Corpus,
    doc_ptr: np.ndarray,
    words: list[int],
    ends: list[int],
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
