"""The columnar token store: every token of a corpus in a few flat arrays.

A corpus of 100,000 answers has millions of tokens; Python objects per token
would dominate memory and time. :class:`Tokens` keeps one integer per token
pointing into a vocabulary table (one row per distinct word entry), plus the
character offsets into the original text. :class:`Token` records are built
only when a caller asks for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import Errors, TokenizerError

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

VOCAB_COLUMNS = ["lemma", "norm", "pos", "ctype", "cform", "reading", "user"]

# Top-level Sudachi tags that carry content; the rest are function words,
# symbols and white space, which word counts leave out by default.
CONTENT_POS = ("名詞", "代名詞", "動詞", "形容詞", "形状詞", "副詞", "連体詞", "接続詞", "感動詞")
ALL_POS = CONTENT_POS + ("助詞", "助動詞", "接頭辞", "接尾辞", "記号", "補助記号", "空白")


@dataclass(frozen=True)
class Token:
    """One token, with offsets into the original (un-normalised) text.

    Attributes
    ----------
    surface : str
        The characters as written in the original text (``text[start:end]``).
    lemma : str
        Dictionary form (Sudachi ``dictionary_form``), e.g. 行っ → 行く.
    norm : str
        Normalised form, merging spelling variants (引継ぎ → 引き継ぎ).
    pos : str
        Sudachi part of speech, levels joined by ``-`` (``名詞-普通名詞-一般``).
    ctype, cform : str
        Conjugation type and form (``五段-カ行``, ``連用形-促音便``), ``*`` if none.
    reading : str
        Reading in katakana.
    start, end : int
        Character offsets into the original text.
    """

    surface: str
    lemma: str
    norm: str
    pos: str
    ctype: str
    cform: str
    reading: str
    start: int
    end: int


@dataclass(eq=False)
class Tokens:
    """Tokens of a whole corpus in columnar form.

    Tokens of document ``i`` (position in the corpus) are
    ``word[doc_ptr[i]:doc_ptr[i+1]]``. ``word`` indexes rows of ``vocab``.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> toks = tokenize(Corpus.from_texts(["課題があった"]), cache=False)
    >>> [t.lemma for t in toks.doc(0)]
    ['課題', 'が', 'ある', 'た']
    """

    corpus: Corpus
    doc_ptr: np.ndarray
    word: np.ndarray
    start: np.ndarray
    end: np.ndarray
    vocab: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    # Backend-specific per-token columns (GiNZA: head, dep, upos).
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    # Derived arrays (negation marks, token → unit maps) computed once and
    # reused by every recoding of these tokens.
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if len(self.doc_ptr) != len(self.corpus) + 1:
            raise TokenizerError(
                Errors.E202.format(
                    id="*", reason=f"{len(self.doc_ptr) - 1} token ranges for {len(self.corpus)} documents"
                )
            )

    def __len__(self) -> int:
        return len(self.word)

    def __repr__(self) -> str:
        return (
            f"<Tokens: {len(self):,} tokens in {len(self.corpus):,} documents, "
            f"{len(self.vocab):,} word types, {self.settings.get('backend', '?')}>"
        )

    @property
    def doc_index(self) -> np.ndarray:
        """Document position of every token."""
        return np.repeat(np.arange(len(self.corpus), dtype=np.int32), np.diff(self.doc_ptr))

    def column(self, name: str) -> np.ndarray:
        """Per-token values of a vocabulary column (``lemma``, ``pos`` …) or an extra."""
        if name in self.extra:
            return self.extra[name]
        return self.vocab[name].to_numpy(dtype=object)[self.word]

    def pos_mask(self, pos: Sequence[str] | None = None) -> np.ndarray:
        """Boolean mask over the vocabulary: entries whose POS starts with one of ``pos``.

        ``pos=None`` keeps content words (:data:`CONTENT_POS`). A tag matches
        itself and its sub-tags: ``名詞`` matches ``名詞-普通名詞-一般``.
        """
        wanted = tuple(CONTENT_POS if pos is None else pos)
        for p in wanted:
            if p.split("-")[0] not in ALL_POS:
                raise TokenizerError(Errors.E206.format(pos=p, known=", ".join(ALL_POS)))
        tags = self.vocab["pos"].astype(str)
        mask = np.zeros(len(tags), dtype=bool)
        for p in wanted:
            mask |= ((tags == p) | tags.str.startswith(p + "-")).to_numpy()
        return mask

    def surfaces(self, lo: int = 0, hi: int | None = None) -> list[str]:
        """Surfaces (original characters) of tokens ``lo:hi``."""
        hi = len(self) if hi is None else hi
        texts = self.corpus.texts
        doc = np.searchsorted(self.doc_ptr, np.arange(lo, hi), side="right") - 1
        return [
            texts[d][s:e]
            for d, s, e in zip(doc.tolist(), self.start[lo:hi].tolist(), self.end[lo:hi].tolist(), strict=True)
        ]

    def doc(self, i: int) -> list[Token]:
        """The tokens of the document at position ``i`` as :class:`Token` records."""
        lo, hi = int(self.doc_ptr[i]), int(self.doc_ptr[i + 1])
        text = self.corpus.texts[i]
        v = self.vocab
        cols = [v[c].tolist() for c in ("lemma", "norm", "pos", "ctype", "cform", "reading")]
        out = []
        for w, s, e in zip(
            self.word[lo:hi].tolist(), self.start[lo:hi].tolist(), self.end[lo:hi].tolist(), strict=True
        ):
            out.append(Token(text[s:e], *(c[w] for c in cols), s, e))
        return out

    def __iter__(self) -> Iterator[list[Token]]:
        for i in range(len(self.corpus)):
            yield self.doc(i)

    def to_frame(self, *, unit: str = "sentence", drop_space: bool = True) -> pd.DataFrame:
        """One row per token: ``id``, ``unit``, ``start``, ``end``, ``surface``,
        ``lemma``, ``norm``, ``pos``, ``ctype``, ``cform``, ``reading``.

        ``unit`` numbers the token's unit (``document``, ``paragraph`` or
        ``sentence``) within its document, from 1; ``start``/``end`` are
        character offsets into the original text. White-space tokens are left
        out unless ``drop_space=False``.

        Examples
        --------
        >>> from kotoba_code import Corpus, tokenize
        >>> toks = tokenize(Corpus.from_texts(["ＨＷと連携。温度差がある。"]), cache=False)
        >>> toks.to_frame()[["unit", "surface", "lemma"]].head(3).values.tolist()
        [[1, 'ＨＷ', 'HW'], [1, 'と', 'と'], [1, '連携', '連携']]
        """
        doc = self.doc_index
        keep = np.ones(len(self), dtype=bool)
        if drop_space:
            keep = ~self.vocab["pos"].astype(str).str.startswith("空白").to_numpy()[self.word]
        idx = np.flatnonzero(keep)
        units = self.corpus.units(unit)
        unit_no = self.unit_of(units)[idx]
        df = pd.DataFrame(
            {
                "id": self.corpus.ids[doc[idx]],
                "unit": unit_no,
                "start": self.start[idx],
                "end": self.end[idx],
            }
        )
        texts = self.corpus.texts
        df["surface"] = [
            texts[d][s:e] for d, s, e in zip(doc[idx].tolist(), df["start"].tolist(), df["end"].tolist(), strict=True)
        ]
        w = self.word[idx]
        for c in ("lemma", "norm", "pos", "ctype", "cform", "reading"):
            df[c] = self.vocab[c].to_numpy(dtype=object)[w]
        for name, values in self.extra.items():
            df[name] = values[idx]
        return df

    def unit_index(self, units: pd.DataFrame) -> np.ndarray:
        """For every token, the row in ``units`` (a :meth:`Corpus.units` table)
        whose span contains the token's start; -1 when none does."""
        doc = self.doc_index.astype(np.int64)
        scale = np.int64(1) << np.int64(40)
        u_key = units["doc"].to_numpy(np.int64) * scale + units["start"].to_numpy(np.int64)
        u_end = units["doc"].to_numpy(np.int64) * scale + units["end"].to_numpy(np.int64)
        t_key = doc * scale + self.start.astype(np.int64)
        k = np.searchsorted(u_key, t_key, side="right") - 1
        ok = (k >= 0) & (t_key < u_end[np.maximum(k, 0)])
        # int32: one of these per token and unit level is kept for coding.
        return np.where(ok, k, -1).astype(np.int32)

    def unit_of(self, units: pd.DataFrame) -> np.ndarray:
        """For every token, the 1-based number (within its document) of the unit
        in ``units`` (a :meth:`Corpus.units` table) that contains its start;
        0 when no unit contains it (white space between units)."""
        k = self.unit_index(units)
        no = units["unit"].to_numpy(np.int64)
        return np.where(k >= 0, no[np.maximum(k, 0)], 0)
