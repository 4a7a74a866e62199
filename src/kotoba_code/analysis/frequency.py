"""Word frequency tables (KH Coder's 抽出語リスト, quanteda's textstat_frequency)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors
from kotoba_code.tokenize.tokens import Tokens
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_word_list


def word_frequency(
    tokens: Tokens,
    *,
    by: str | None = None,
    pos: Sequence[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    min_count: int = 1,
    top: int | None = None,
) -> pd.DataFrame:
    """Count words: how often each occurs and in how many documents.

    Parameters
    ----------
    tokens : Tokens
    by : str, optional
        A metadata column; counts are then given per group of it.
    pos : sequence of str, optional
        Parts of speech to keep, matched on the tag and its sub-tags (``名詞``
        keeps ``名詞-固有名詞-地名``); default: content words
        (:data:`~kotoba_code.tokenize.CONTENT_POS`) without numerals.
    stop_words : iterable of str or path, optional
        Words (dictionary forms) to leave out; default
        :data:`~kotoba_code.tokenize.DEFAULT_STOP_WORDS`. Pass ``[]`` to keep all.
    key : {"lemma", "norm"}, default="lemma"
        Count dictionary forms, or normalised forms (merging spelling variants).
    min_count : int, default=1
    top : int, optional
        Keep the ``top`` most frequent words (per group with ``by``).

    Returns
    -------
    DataFrame
        ``word``, ``pos``, ``count``, ``docs`` (documents containing the word)
        and ``rank`` (1 = most frequent, ties share a rank), sorted by count;
        with ``by``, a first column named after it holds the group.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["温度差がある", "温度差と情報共有"])
    >>> word_frequency(tokenize(c, cache=False))[["word", "count", "docs"]].values.tolist()
    [['温度差', 2, 2], ['情報', 1, 1], ['共有', 1, 1]]
    """
    if key not in ("lemma", "norm"):
        raise ValueError(f"key must be 'lemma' or 'norm', got {key!r}")
    vocab = tokens.vocab
    keep = tokens.pos_mask(pos)
    if pos is None:
        keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    stops = DEFAULT_STOP_WORDS if stop_words is None else frozenset(read_word_list(stop_words))
    if stops:
        keep &= ~vocab["lemma"].isin(stops).to_numpy()
    # One group id per (word, pos) pair: different dictionary entries with the
    # same form and tag (spelling variants under key="norm") are one word.
    pairs = pd.MultiIndex.from_arrays([vocab[key].astype(str), vocab["pos"].astype(str)])
    gid, labels = pd.factorize(pairs)
    gid = np.where(keep, gid, -1)
    tok_gid = gid[tokens.word]
    sel = tok_gid >= 0
    tok_gid = tok_gid[sel]
    doc = tokens.doc_index[sel]
    n_words = len(labels)

    if by is None:
        groups = None
        counts = np.bincount(tok_gid, minlength=n_words)[None, :]
        pair = np.unique(doc.astype(np.int64) * n_words + tok_gid)
        docs = np.bincount(pair % n_words, minlength=n_words)[None, :]
    else:
        if by not in tokens.corpus.metadata.columns:
            raise CorpusReadError(
                Errors.E112.format(column=by, columns=", ".join(map(str, tokens.corpus.metadata.columns)))
            )
        gcodes, groups = pd.factorize(tokens.corpus.metadata[by].astype(str), sort=True)
        tg = gcodes[doc]
        k = len(groups)
        counts = np.bincount(tg * n_words + tok_gid, minlength=k * n_words).reshape(k, n_words)
        pair = np.unique(doc.astype(np.int64) * n_words + tok_gid)
        dg = gcodes[pair // n_words]
        docs = np.bincount(dg * n_words + pair % n_words, minlength=k * n_words).reshape(k, n_words)

    frames = []
    for g in range(counts.shape[0]):
        nz = np.flatnonzero(counts[g] >= max(min_count, 1))
        df = pd.DataFrame(
            {
                "word": [labels[i][0] for i in nz],
                "pos": [labels[i][1] for i in nz],
                "count": counts[g, nz],
                "docs": docs[g, nz],
            }
        )
        # Stable order: count, then documents, then first occurrence.
        df = df.iloc[np.lexsort((nz, -df["docs"].to_numpy(), -df["count"].to_numpy()))]
        df["rank"] = df["count"].rank(method="min", ascending=False).astype(int)
        if top is not None:
            df = df.head(top)
        if groups is not None:
            df.insert(0, by, groups[g])
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out.reset_index(drop=True)
