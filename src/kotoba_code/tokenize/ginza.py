"""The GiNZA (spaCy) backend: Sudachi tokens plus dependency structure.

GiNZA's parser runs about 500 times slower than bare SudachiPy on this kind of
machine, so it is opt-in. With ``parse=False`` every trainable component is
excluded and GiNZA is a (slower) Sudachi wrapper; with ``parse=True`` only the
components the dependency parse needs are kept (no NER, no compound splitter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from kotoba_code.errors import Errors, TokenizerError
from kotoba_code.tokenize.normalize import NormalizedText, normalize_text
from kotoba_code.tokenize.sudachi import _assemble, _progress, split_chunks
from kotoba_code.tokenize.tokens import Tokens

if TYPE_CHECKING:
    from kotoba_code.corpus import Corpus

_PARSE_EXCLUDE = ["ner", "compound_splitter", "bunsetu_recognizer"]
_ALL_TRAINABLE = [
    "tok2vec",
    "parser",
    "ner",
    "morphologizer",
    "attribute_ruler",
    "compound_splitter",
    "bunsetu_recognizer",
]


class GinzaTokenizer:
    """Tokenize (and optionally parse) with spaCy + GiNZA (``ja_ginza``).

    Parameters
    ----------
    split_mode : {"A", "B", "C"}, default="C"
    parse : bool, default=True
        Run tok2vec, morphologizer and the dependency parser, adding the
        per-token extras ``head`` (token index within the document, ``-1`` for
        a sentence root), ``dep`` and ``upos``.
    batch_size : int, default=64
        ``nlp.pipe`` batch size; 64 is faster and uses a fifth of the memory
        of spaCy's default 1000 here.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> corpus = Corpus.from_texts(["温度差を感じる"])
    >>> toks = tokenize(corpus, tokenizer=GinzaTokenizer(), cache=False)  # doctest: +SKIP
    >>> toks.extra["dep"].tolist()  # doctest: +SKIP
    ['obj', 'case', 'ROOT']
    """

    backend = "ginza"

    def __init__(self, *, split_mode: str = "C", parse: bool = True, batch_size: int = 64) -> None:
        self.split_mode = split_mode
        self.parse = parse
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"GinzaTokenizer(split_mode={self.split_mode!r}, parse={self.parse})"

    def settings(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "backend": self.backend,
            "version": 1,
            "split_mode": str(self.split_mode).upper(),
            "parse": self.parse,
            "ginza": version("ginza"),
            "ja_ginza": version("ja-ginza"),
        }

    def _load(self) -> Any:
        mode = str(self.split_mode).upper()
        if mode not in ("A", "B", "C"):
            raise TokenizerError(Errors.E201.format(mode=self.split_mode))
        try:
            import spacy
        except ImportError as exc:
            raise TokenizerError(Errors.E205.format(reason=exc)) from exc
        exclude = _PARSE_EXCLUDE if self.parse else _ALL_TRAINABLE
        try:
            nlp = spacy.load("ja_ginza", exclude=exclude, config={"nlp": {"tokenizer": {"split_mode": mode}}})
        except OSError as exc:
            raise TokenizerError(Errors.E205.format(reason=exc)) from exc
        return nlp

    def tokenize(self, corpus: Corpus, *, progress: bool = False) -> Tokens:
        """Tokenize every document of ``corpus``; see :class:`GinzaTokenizer`."""
        nlp = self._load()
        index: dict[tuple[str, ...], int] = {}
        rows: list[tuple[Any, ...]] = []
        words: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        heads: list[int] = []
        deps: list[str] = []
        upos: list[str] = []
        doc_ptr = np.zeros(len(corpus) + 1, dtype=np.int64)
        remap: list[tuple[int, NormalizedText]] = []

        # Chunks of all documents go through nlp.pipe together, in order.
        def chunks():
            for i, text in enumerate(corpus.texts):
                norm = normalize_text(text) if text else NormalizedText("", "")
                if not norm.is_identity:
                    remap.append((i, norm))
                for off, chunk in split_chunks(norm.text) if norm.text else []:
                    yield chunk, (i, off)

        docs = nlp.pipe(chunks(), as_tuples=True, batch_size=self.batch_size)
        current = 0
        for sdoc, (i, off) in _progress(docs, progress, "parse"):  # type: ignore[arg-type]
            while current < i:
                current += 1
                doc_ptr[current] = len(words)
            base = len(words) - int(doc_ptr[i])
            for t in sdoc:
                infl = (t.morph.get("Inflection") or ["*;*"])[0].split(";")
                ctype, cform = (infl[0], infl[-1]) if len(infl) > 1 else ("*", "*")
                reading = (t.morph.get("Reading") or [""])[0]
                key = (t.lemma_, t.norm_, t.tag_, ctype, cform, reading)
                k = index.get(key)
                if k is None:
                    k = index[key] = len(rows)
                    pos = "-".join(p for p in t.tag_.split("-") if p != "*")
                    rows.append((t.lemma_, t.norm_, pos, ctype, cform, reading, False))
                words.append(k)
                # spaCy moves a single trailing space into ``whitespace_``, so
                # tokens do not tile the text: keep both offsets.
                starts.append(off + t.idx)
                ends.append(off + t.idx + len(t.text))
                if self.parse:
                    heads.append(-1 if t.head.i == t.i else base + t.head.i)
                    deps.append(t.dep_)
                    upos.append(t.pos_)
        while current < len(corpus):
            current += 1
            doc_ptr[current] = len(words)
        extra = {}
        if self.parse:
            extra = {
                "head": np.asarray(heads, dtype=np.int32),
                "dep": np.asarray(deps, dtype=object),
                "upos": np.asarray(upos, dtype=object),
            }
        return _assemble(corpus, doc_ptr, words, ends, remap, rows, self.settings(), extra, starts=starts)
