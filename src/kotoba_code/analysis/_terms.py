"""Which tokens count as words for the multivariate analyses, and their labels.

The same choice as :func:`~kotoba_code.analysis.cooccurrence.word_cooccurrence`:
content words without numerals and stop words, one term per (form, top-level
part of speech), so that correspondence analysis, MDS, clustering and topics
agree with the co-occurrence network on what a word is.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis.frequency import counting_tokens, doc_term_matrix
from kotoba_code.tokenize.tokens import Tokens
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_word_list


def word_ids(
    tokens: Tokens,
    *,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    synonyms: object = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Term index of every vocabulary entry (-1: not a word) and the terms
    (``term``, ``pos``, ``label``; the label adds the part of speech when two
    terms share a form). ``synonyms`` (see
    :func:`~kotoba_code.tokenize.userwords.read_synonyms`) folds variants into
    their preferred form. Speaker labels of transcripts are no words."""
    tokens = counting_tokens(tokens, synonyms)
    vocab = tokens.vocab
    keep = tokens.pos_mask(list(pos) if pos is not None else None)
    if pos is None:
        keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    stops = DEFAULT_STOP_WORDS if stop_words is None else frozenset(read_word_list(stop_words))
    if stops:
        keep &= ~vocab["lemma"].isin(stops).to_numpy()
    pairs = pd.MultiIndex.from_arrays([vocab[key].astype(str), vocab["pos"].astype(str).str.split("-").str[0]])
    gid, labels = pd.factorize(pairs)
    gid = np.where(keep, gid, -1)
    terms = pd.DataFrame({"term": [t for t, _ in labels], "pos": [p for _, p in labels]})
    dup = terms["term"].duplicated(keep=False).to_numpy()
    terms["label"] = np.where(dup, terms["term"] + "（" + terms["pos"] + "）", terms["term"])
    return gid, terms


def word_matrix(
    tokens: Tokens,
    *,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    synonyms: object = None,
) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Documents × words counts (CSR) and the words, with ``count`` and ``df``."""
    tokens = counting_tokens(tokens, synonyms)
    gid, terms = word_ids(tokens, pos=pos, stop_words=stop_words, key=key)
    X = doc_term_matrix(tokens, gid, n_terms=len(terms))
    terms["count"] = np.asarray(X.sum(axis=0)).ravel()
    terms["df"] = np.bincount(X.indices, minlength=len(terms))
    return X, terms


def top_terms(terms: pd.DataFrame, by: str, n: int | None, *, min_value: int = 1) -> np.ndarray:
    """Positions of the ``n`` terms with the largest ``by`` (ties: more
    occurrences, then the label), leaving out those below ``min_value``."""
    order = np.lexsort((terms["label"].to_numpy(), -terms["count"].to_numpy(), -terms[by].to_numpy()))
    order = order[terms[by].to_numpy()[order] >= max(min_value, 1)]
    return order if n is None else order[:n]
