"""Word frequency tables (KH Coder's 抽出語リスト, quanteda's textstat_frequency)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.errors import AnalysisError, CorpusReadError, Errors
from kotoba_code.tokenize.tokens import Tokens
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_synonyms, read_word_list

_VIEW = "counting_view"


def counting_tokens(tokens: Tokens, synonyms: Any = None) -> Tokens:
    """The tokens words are counted on: speaker labels left out, synonyms folded.

    * In a transcript (paragraphs with a ``speaker`` attribute), the labels
      that open each turn (``聞き手：``, ``A：``) are not words of the
      answer: tokens outside every speaker turn are left out.
    * ``synonyms`` (a file of lines ``preferred,variant,…``, a list of such
      lines or a mapping, see :func:`~kotoba_code.tokenize.userwords.read_synonyms`)
      folds spelling variants into their preferred form (表記ゆれの統一):
      the variants take its dictionary form, normalised form and part of
      speech, so that they are one word in every count.

    Every word count of the package (frequencies, co-occurrence, networks,
    keyness, correspondence analysis, MDS, clusters, topics) goes through
    this function; coding does not (rules see every token as it is).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> t = tokenize(Corpus.from_texts(["HWとハロワとハローワーク"]), cache=False)
    >>> v = counting_tokens(t, ["ハローワーク,HW,ハロワ"])
    >>> [v.vocab["lemma"].iloc[w] for w in v.word if v.vocab["pos"].iloc[w].startswith("名詞")]
    ['ハローワーク', 'ハローワーク', 'ハローワーク']
    """
    if tokens.derived.get(_VIEW) is tokens:
        view = tokens
    elif _VIEW in tokens.derived:
        view = tokens.derived[_VIEW]
    else:
        view = _without_speaker_labels(tokens)
        view.derived[_VIEW] = view
        tokens.derived[_VIEW] = view
    table = read_synonyms(synonyms)
    if not table:
        return view
    vocab = view.vocab.copy()
    lemma = vocab["lemma"].astype(str)
    target = lemma.map(table)
    hit = target.notna().to_numpy()
    if not hit.any():
        return view
    pos = vocab["pos"].astype(str).to_numpy(dtype=object)
    # Variants take the part of speech of their preferred form where the
    # corpus has it (ハロワ 普通名詞 → ハローワーク 固有名詞), else of their first variant.
    first_pos: dict[str, str] = {}
    for k in np.flatnonzero(hit):
        t = target.iat[k]
        if lemma.iat[k] == t or t not in first_pos:
            first_pos[t] = first_pos[t] if lemma.iat[k] != t and t in first_pos else pos[k]
    new_lemma = lemma.to_numpy(dtype=object).copy()
    new_norm = vocab["norm"].astype(str).to_numpy(dtype=object).copy()
    for k in np.flatnonzero(hit):
        t = target.iat[k]
        new_lemma[k] = new_norm[k] = t
        pos[k] = first_pos[t]
    for col, values in (("lemma", new_lemma), ("norm", new_norm), ("pos", pos)):
        vocab[col] = pd.Series(values, index=vocab.index).astype(str)
    folded = dataclasses.replace(view, vocab=vocab, derived={})
    folded.derived[_VIEW] = folded
    return folded


def _without_speaker_labels(tokens: Tokens) -> Tokens:
    corpus = tokens.corpus
    paragraphs = corpus.units("paragraph")
    if "speaker" not in paragraphs.columns or not len(tokens):
        return tokens
    keep = tokens.unit_index(paragraphs) >= 0
    if keep.all():
        return tokens
    counts = np.bincount(tokens.doc_index[keep], minlength=len(corpus))
    doc_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(tokens.doc_ptr.dtype)
    return dataclasses.replace(
        tokens,
        doc_ptr=doc_ptr,
        word=tokens.word[keep],
        start=tokens.start[keep],
        end=tokens.end[keep],
        extra={k: v[keep] for k, v in tokens.extra.items()},
        derived={},
    )


def word_frequency(
    tokens: Tokens,
    *,
    by: str | None = None,
    pos: Sequence[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    min_count: int = 1,
    top: int | None = None,
    unit: str = "document",
    synonyms: Any = None,
) -> pd.DataFrame:
    """Count words: how often each occurs and in how many documents (or units).

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
    unit : str, default="document"
        The unit ``docs`` counts: documents, or smaller units (``sentence``,
        ``paragraph``, ``h1``…``h5``) as KH Coder's 文書数 by the chosen unit.
        A smaller unit belongs to the group of its document.
    synonyms : path, list of lines or mapping, optional
        Spelling variants counted as one word (see :func:`counting_tokens`).
        Speaker labels of transcripts are never counted.

    Returns
    -------
    DataFrame
        ``word``, ``pos``, ``count``, ``docs`` (units containing the word)
        and ``rank`` (1 = most frequent, ties share a rank), sorted by count;
        with ``by``, a first column named after it holds the group.

    Notes
    -----
    The table is made from :func:`word_counts`, which add up across parts of
    a corpus (:func:`sum_word_counts`): a corpus read in chunks or coded on
    Dask partitions gives this same table with :func:`word_frequency_from_counts`.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> c = Corpus.from_texts(["ノウハウが不足している", "ノウハウ不足とマンパワー不足"])
    >>> word_frequency(tokenize(c, cache=False))[["word", "count", "docs"]].values.tolist()
    [['不足', 3, 2], ['ノウハウ', 2, 2], ['マンパワー', 1, 1]]
    """
    counts = word_counts(tokens, by=by, pos=pos, stop_words=stop_words, key=key, unit=unit, synonyms=synonyms)
    groups = None if by is None else sorted(set(tokens.corpus.metadata[by].astype(str).tolist()))
    return word_frequency_from_counts(counts, by=by, min_count=min_count, top=top, groups=groups)


def word_counts(
    tokens: Tokens,
    *,
    by: str | None = None,
    pos: Sequence[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    unit: str = "document",
    synonyms: Any = None,
) -> pd.DataFrame:
    """The counts a word frequency table is made of, which add up across parts of a corpus.

    One row per word (and group of ``by``) that occurs: the group (a column
    named ``by``, with ``by``), ``word``, ``pos``, ``count`` (occurrences) and
    ``docs`` (units containing it). Arguments as in :func:`word_frequency`.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> a = word_counts(tokenize(Corpus.from_texts(["ノウハウが不足"]), cache=False))
    >>> b = word_counts(tokenize(Corpus.from_texts(["ノウハウと人手が不足"]), cache=False))
    >>> sum_word_counts([a, b])[["word", "count", "docs"]].values.tolist()
    [['ノウハウ', 2, 2], ['不足', 2, 2], ['人手', 1, 1]]
    """
    if key not in ("lemma", "norm"):
        raise AnalysisError(Errors.E533.format(key=key, known="lemma, norm"))
    tokens = counting_tokens(tokens, synonyms)
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
    if unit == "document":
        X = doc_term_matrix(tokens, gid, n_terms=len(labels))
        unit_doc = np.arange(len(tokens.corpus))
    else:
        units = tokens.corpus.units(unit)
        X = unit_term_matrix(tokens, gid, n_terms=len(labels), units=units)
        unit_doc = units["doc"].to_numpy()
    if by is None:
        groups = None
        counts = np.asarray(X.sum(axis=0), dtype=np.int64)
        docs = np.bincount(X.indices, minlength=len(labels))[None, :]
    else:
        if by not in tokens.corpus.metadata.columns:
            raise CorpusReadError(
                Errors.E112.format(column=by, columns=", ".join(map(str, tokens.corpus.metadata.columns)))
            )
        gcodes, groups = pd.factorize(tokens.corpus.metadata[by].astype(str), sort=True)
        gcodes = gcodes[unit_doc]
        G = sp.csr_matrix(
            (np.ones(len(gcodes), dtype=np.int64), (gcodes, np.arange(len(gcodes)))),
            shape=(len(groups), len(gcodes)),
        )
        counts = (G @ X).toarray()
        docs = (G @ X.sign()).toarray()
    g_idx, w_idx = np.nonzero(counts > 0)
    cols: dict[str, Any] = {}
    if by is not None:
        cols[by] = np.asarray(groups, dtype=object)[g_idx]
    cols["word"] = np.asarray([labels[i][0] for i in w_idx], dtype=object)
    cols["pos"] = np.asarray([labels[i][1] for i in w_idx], dtype=object)
    cols["count"] = counts[g_idx, w_idx].astype(np.int64)
    cols["docs"] = docs[g_idx, w_idx].astype(np.int64)
    return pd.DataFrame(cols)


def sum_word_counts(parts: Iterable[pd.DataFrame], by: str | None = None) -> pd.DataFrame:
    """The sum of tables of :func:`word_counts` (one row per word and group).

    Examples
    --------
    >>> a = pd.DataFrame({"word": ["連携"], "pos": ["名詞"], "count": [2], "docs": [1]})
    >>> sum_word_counts([a, a]).values.tolist()
    [['連携', '名詞', 4, 2]]
    """
    keys = [*([by] if by else []), "word", "pos"]
    frames = [p for p in parts if len(p)]
    if not frames:
        empty = {c: pd.Series([], dtype=object) for c in keys}
        return pd.DataFrame(empty).assign(count=pd.Series([], dtype="int64"), docs=pd.Series([], dtype="int64"))
    summed = pd.concat(frames, ignore_index=True).groupby(keys, sort=True)[["count", "docs"]].sum()
    return summed.reset_index().astype({"count": "int64", "docs": "int64"})


def word_frequency_from_counts(
    counts: pd.DataFrame,
    *,
    by: str | None = None,
    min_count: int = 1,
    top: int | None = None,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The table of :func:`word_frequency` from (summed) :func:`word_counts`.

    ``min_count`` and ``top`` apply to the sums, so a corpus counted in parts
    gives the table of the whole. ``groups`` lists every group of ``by`` (a
    group whose units hold no word has no rows; default: those in ``counts``).

    Examples
    --------
    >>> c = pd.DataFrame({"word": ["人手", "連携"], "pos": ["名詞", "名詞"], "count": [1, 4], "docs": [1, 2]})
    >>> word_frequency_from_counts(c, top=1).values.tolist()
    [['連携', '名詞', 4, 2, 1]]
    """
    if by is None:
        parts: list[tuple[Any, pd.DataFrame]] = [(None, counts)]
    else:
        names = sorted(set(counts[by].tolist())) if groups is None else list(groups)
        grouped = dict(tuple(counts.groupby(by, sort=False))) if len(counts) else {}
        parts = [(g, grouped.get(g, counts.iloc[:0])) for g in names]
    frames = []
    for g, sub in parts:
        sub = sub[sub["count"].to_numpy() >= max(min_count, 1)]
        df = pd.DataFrame(
            {
                "word": sub["word"].tolist(),
                "pos": sub["pos"].tolist(),
                "count": sub["count"].to_numpy(dtype=np.int64),
                "docs": sub["docs"].to_numpy(dtype=np.int64),
            }
        )
        # Deterministic order: count, then documents, then the word and its POS.
        keys = (df["pos"].to_numpy(), df["word"].to_numpy(), -df["docs"].to_numpy(), -df["count"].to_numpy())
        df = df.iloc[np.lexsort(keys)]
        df["rank"] = df["count"].rank(method="min", ascending=False).astype(int)
        if top is not None:
            df = df.head(top)
        if by is not None:
            df.insert(0, by, g)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out.reset_index(drop=True)


def doc_term_matrix(tokens: Tokens, term_of_vocab: np.ndarray, *, n_terms: int) -> sp.csr_matrix:
    """Documents × terms count matrix (sparse CSR).

    ``term_of_vocab`` maps each vocabulary row to a term index, or ``-1`` to
    leave it out. Built straight from the token store's document pointers, so
    it costs one pass over the tokens, no sort.
    """
    term = term_of_vocab[tokens.word]
    sel = term >= 0
    # Tokens are stored document by document, so the CSR row pointers are
    # the running count of kept tokens at each document boundary.
    indptr = np.concatenate([[0], np.cumsum(sel, dtype=np.int64)])[tokens.doc_ptr]
    X = sp.csr_matrix(
        (np.ones(int(sel.sum()), dtype=np.int64), term[sel].astype(np.int32), indptr),
        shape=(len(tokens.corpus), n_terms),
    )
    X.sum_duplicates()
    return X


def unit_term_matrix(tokens: Tokens, term_of_vocab: np.ndarray, *, n_terms: int, units: pd.DataFrame) -> sp.csr_matrix:
    """Units × terms count matrix (sparse CSR) for a unit table of the corpus
    (:meth:`~kotoba_code.Corpus.units`); tokens outside every unit are left out."""
    row = tokens.unit_index(units)
    term = term_of_vocab[tokens.word]
    sel = (row >= 0) & (term >= 0)
    X = sp.csr_matrix((np.ones(int(sel.sum()), dtype=np.int64), (row[sel], term[sel])), shape=(len(units), n_terms))
    X.sum_duplicates()
    return X
