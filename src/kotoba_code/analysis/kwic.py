"""Keyword in context: concordance lines for a word, read in the original text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kotoba_code.errors import AnalysisError, Errors
from kotoba_code.tokenize.normalize import normalize_text
from kotoba_code.tokenize.tokens import Tokens


def kwic(
    tokens: Tokens,
    term: str,
    *,
    window: int = 8,
    match: str = "lemma",
    sort: str = "position",
) -> pd.DataFrame:
    """Concordance of ``term``: each occurrence with ``window`` tokens of
    context on either side (within its document).

    Parameters
    ----------
    term : str
        A word; ``*`` is a glob (``連携*``).
    window : int, default=8
        Tokens of context on each side.
    match : {"lemma", "surface", "norm"}, default="lemma"
        Match the dictionary form (any inflection), the written form, or
        the normalised form.
    sort : {"position", "left", "right", "keyword"}, default="position"
        Order of the lines: document order, or by the context just left of
        the keyword (read right to left), just right of it, or the keyword.

    Returns
    -------
    DataFrame
        ``id``, ``start``, ``end`` (offsets of the keyword in the original
        text), ``left``, ``keyword``, ``right`` (original text).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> t = tokenize(Corpus.from_texts(["自治体との温度差を感じた。", "温度差は小さい"]), cache=False)
    >>> kwic(t, "差", window=2)[["left", "keyword", "right"]].values.tolist()
    [['の温度', '差', 'を感じ'], ['温度', '差', 'は小さい']]
    """
    import fnmatch
    import re
    import unicodedata

    if match not in ("lemma", "surface", "norm"):
        raise AnalysisError(Errors.E534.format(match=match, known="lemma, surface, norm"))
    if sort not in ("position", "left", "right", "keyword"):
        raise AnalysisError(Errors.E535.format(sort=sort, known="position, left, right, keyword"))
    term = unicodedata.normalize("NFKC", term)
    rx = re.compile(fnmatch.translate(term)) if "*" in term else None
    if match == "surface":
        values = np.asarray([unicodedata.normalize("NFKC", s) for s in tokens.surfaces()], dtype=object)
    else:
        values = tokens.column(match)
    hits = np.flatnonzero([bool(rx.match(v)) for v in values] if rx else values == term)
    doc = tokens.doc_index
    texts = tokens.corpus.texts
    if len(hits):
        spans = [(int(doc[k]), k, k, int(tokens.start[k]), int(tokens.end[k])) for k in hits.tolist()]
    else:
        # Not one token under this tokenizer (温度差 is 温度 + 差 without a user
        # word): find the string in the NFKC text and take context in tokens.
        spans = _string_spans(tokens, term)
    rows = []
    for d, k_lo, k_hi, s, e in spans:
        lo_tok = max(int(tokens.doc_ptr[d]), k_lo - window)
        hi_tok = min(int(tokens.doc_ptr[d + 1]) - 1, k_hi + window)
        k = k_lo
        text = texts[d]
        left = text[int(tokens.start[lo_tok]) : s] if lo_tok < k else ""
        right = text[e : int(tokens.end[hi_tok])] if hi_tok > k_hi else ""
        rows.append(
            {
                "id": tokens.corpus.ids[d],
                "start": s,
                "end": e,
                "left": left.replace("\n", " "),
                "keyword": text[s:e],
                "right": right.replace("\n", " "),
            }
        )
    df = pd.DataFrame(rows, columns=["id", "start", "end", "left", "keyword", "right"])
    if sort == "left":
        df = df.iloc[sorted(range(len(df)), key=lambda i: df["left"].iat[i][::-1])]
    elif sort in ("right", "keyword"):
        df = df.sort_values(sort, kind="stable")
    return df.reset_index(drop=True)


def _string_spans(tokens: Tokens, term: str) -> list[tuple[int, int, int, int, int]]:
    """(doc, first token, last token, start, end) of each occurrence of ``term``
    in the NFKC-normalised texts, mapped back to original offsets."""
    rx = re.compile(re.escape(term))
    out = []
    for d, text in enumerate(tokens.corpus.texts):
        if not text:
            continue
        norm = normalize_text(text)
        lo, hi = int(tokens.doc_ptr[d]), int(tokens.doc_ptr[d + 1])
        starts = tokens.start[lo:hi]
        for m in rx.finditer(norm.text):
            s, e = norm.to_original(m.start(), m.end())
            k_lo = lo + max(int(np.searchsorted(starts, s, side="right")) - 1, 0)
            k_hi = lo + max(int(np.searchsorted(starts, e - 1, side="right")) - 1, 0)
            out.append((d, k_lo, k_hi, s, e))
    return out
