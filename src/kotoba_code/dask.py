"""Scale-out: tokenize and code on Dask partitions.

Tokenizing and coding are embarrassingly parallel: each answer is tokenized
on its own, and every rule is evaluated inside one unit of one document. So a
corpus can be cut into pieces, each piece tokenized and coded anywhere, and
the pieces put back together with exactly the single-process result.

:func:`code_dask` codes a dask DataFrame partition by partition (on a
``dask.distributed`` cluster: one machine or many) and aggregates the code
frequency tables from the coded partitions; :func:`word_frequency_dask`
does the same for word counts. The local processes behind ``--jobs N``, for
an in-memory corpus, are in :mod:`kotoba_code.parallel`.

Dask is imported only inside the functions that take dask collections, so
importing this module needs no ``dask`` extra until one of them runs. See
``docs/scaling.md`` for running on a multi-machine cluster.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.analysis.frequency import sum_word_counts, word_counts, word_frequency_from_counts
from kotoba_code.codebook.rules import Measure, walk
from kotoba_code.coding.counts import N_UNITS, frequencies_from_counts, sum_counts
from kotoba_code.coding.rule_coder import RuleCoder
from kotoba_code.corpus import UNIT_LEVELS, Corpus
from kotoba_code.errors import AnalysisError, CodebookError, CorpusReadError, Errors
from kotoba_code.tokenize import SudachiTokenizer
from kotoba_code.tokenize.userwords import read_word_list

if TYPE_CHECKING:
    import dask.dataframe as dd

    from kotoba_code.codebook.model import Codebook

__all__ = ["code_dask", "word_frequency_dask"]
# Hidden per-document columns of coded partitions for units below the
# document: units in the document, and units with each code.
_N_UNITS = "__units__"
_UNITS_WITH = "__units__:"


# -- Dask ---------------------------------------------------------------------
def code_dask(
    ddf: dd.DataFrame,
    codebook: Codebook,
    *,
    text_col: str = "text",
    id_col: str | None = None,
    unit: str = "document",
    by: str | None = None,
    persist: bool = True,
    progress: bool = False,
) -> tuple[dd.DataFrame, pd.DataFrame]:
    """Code a dask DataFrame of answers, partition by partition.

    Each partition becomes a :class:`~kotoba_code.Corpus`, is tokenized with
    ``RuleCoder(codebook).tokenizer()`` (no cache: the
    workers may not share a disk) and coded; the frequency table is then
    summed from the coded partitions.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One row per answer, e.g. ``dd.read_parquet("answers/")``.
    codebook : Codebook
    text_col : str, default="text"
    id_col : str, optional
        Column of unique ids. Without it the ids are the 1-based row numbers,
        which costs one extra pass over the data to count partition lengths.
    unit : {"document", "paragraph", "sentence"}, default="document"
        Unit coded and counted in the frequency table.
    by : str, optional
        A metadata column: the frequency table is cross-tabulated by it
        (group sizes, counts, percents, chi-square test and residuals).
    persist : bool, default=True
        Keep the coded partitions in the cluster's memory, so computing the
        coded frame after the frequency table does not tokenize again. They
        hold ids, metadata and 0/1 codes, not the texts.
    progress : bool, default=False
        A progress bar on stderr while a local scheduler computes (terminals only).

    Returns
    -------
    coded : dask.dataframe.DataFrame
        Lazily (or, persisted, already) coded rows: exactly the rows of
        ``apply_codebook(codebook, corpus, unit=unit).to_frame()`` — ``id``, the
        metadata columns and a 0/1 column per code — with ``ddf``'s index.
    frequencies : DataFrame
        Equal to ``apply_codebook(codebook, corpus, unit=unit).frequencies(by=by)``.

    Raises
    ------
    CodebookError
        When a rule uses ``No.`` (a unit's number in the whole corpus), which
        depends on every earlier partition.
    CorpusReadError
        When a column is missing.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "text": ["温度差がある", "温度差はない", ""], "g": ["x", "y", "x"]})
    >>> coded, freq = code_dask(dd.from_pandas(df, npartitions=2), cb, id_col="id")
    >>> coded.compute()[["id", "gap"]].values.tolist()
    [['a', 1], ['b', 0], ['c', 0]]
    >>> freq.values.tolist()
    [['gap', '温度差', 1, 33.33]]
    """
    if unit not in UNIT_LEVELS:
        raise CorpusReadError(Errors.E111.format(unit=unit, units=", ".join(UNIT_LEVELS)))
    for code in codebook.codes:
        if code.ast is not None and any(isinstance(n, Measure) and n.name == "No." for n in walk(code.ast)):
            raise CodebookError(
                Errors.E306.format(
                    where=codebook.source,
                    msg=f"code {code.id!r} uses No., the unit number in the whole corpus, "
                    "which partitions cannot compute; code this corpus in one process (code_parallel)",
                )
            )
    columns = [str(c) for c in ddf.columns]
    _check_columns(columns, text_col, id_col, by)
    ddf, id_col = _with_row_ids(ddf, id_col)
    meta_cols = [c for c in ddf.columns if c not in (text_col, id_col)]
    hidden = [] if unit == "document" else [_N_UNITS] + [_UNITS_WITH + c for c in codebook.ids]
    meta = _empty_frame(ddf._meta, meta_cols, codebook.ids + hidden)
    work = ddf.map_partitions(
        _code_partition, codebook, text_col, id_col, unit, meta=meta, enforce_metadata=False, align_dataframes=False
    )
    if persist:
        work = work.persist()
    partial_meta = _empty_frame(None, [], [N_UNITS, *codebook.ids])
    partials = work.map_partitions(_partial_counts, codebook.ids, unit, by, meta=partial_meta, enforce_metadata=False)
    with _progress(progress):
        totals = sum_counts([partials.compute()], codebook.ids)
    coded = work.drop(columns=hidden) if hidden else work
    labels = [codebook[c].label for c in codebook.ids]
    return coded, frequencies_from_counts(codebook.ids, labels, totals, by)


def word_frequency_dask(
    ddf: dd.DataFrame,
    *,
    text_col: str = "text",
    by: str | None = None,
    pos: Sequence[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
    key: str = "lemma",
    min_count: int = 1,
    top: int | None = None,
    split_mode: str = "C",
    user_words: Sequence[str] = (),
    progress: bool = False,
) -> pd.DataFrame:
    """Word frequency of a dask DataFrame of answers, summed over partitions.

    Equal to :func:`kotoba_code.word_frequency` on the whole corpus (same
    columns, counts, ranks and order): each partition's
    :func:`~kotoba_code.analysis.frequency.word_counts` are added up, then
    ``min_count`` and ``top`` applied, as for a file read in chunks.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> df = pd.DataFrame({"text": ["ノウハウが不足している", "ノウハウ不足とマンパワー不足"]})
    >>> word_frequency_dask(dd.from_pandas(df, npartitions=2))[["word", "count", "docs"]].values.tolist()
    [['不足', 3, 2], ['ノウハウ', 2, 2], ['マンパワー', 1, 1]]
    """
    if key not in ("lemma", "norm"):
        raise AnalysisError(Errors.E533.format(key=key, known="lemma, norm"))
    _check_columns([str(c) for c in ddf.columns], text_col, None, by)
    stops = None if stop_words is None else sorted(_read_words(stop_words))
    group_cols = [by] if by else []
    meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in [*group_cols, "word", "pos"]})
    meta["count"] = pd.Series([], dtype="int64")
    meta["docs"] = pd.Series([], dtype="int64")
    opts = {"by": by, "pos": list(pos) if pos else None, "stop_words": stops, "key": key}
    tok = SudachiTokenizer(split_mode=split_mode, user_words=list(user_words))
    with _progress(progress):
        parts = ddf.map_partitions(_words_partition, text_col, tok, opts, meta=meta, enforce_metadata=False).compute()
    return word_frequency_from_counts(sum_word_counts([parts], by), by=by, min_count=min_count, top=top)


def _check_columns(columns: list[str], text_col: str, id_col: str | None, by: str | None) -> None:
    for col in (text_col, id_col):
        if col is not None and col not in columns:
            raise CorpusReadError(Errors.E102.format(path="<dask DataFrame>", column=col, columns=", ".join(columns)))
    if by is not None and (by not in columns or by in (text_col, id_col)):
        meta = [c for c in columns if c not in (text_col, id_col)]
        raise CorpusReadError(Errors.E112.format(column=by, columns=", ".join(meta)))


def _with_row_ids(ddf: dd.DataFrame, id_col: str | None) -> tuple[dd.DataFrame, str]:
    """Without an id column, ids are the global 1-based row numbers, as in
    :meth:`Corpus.from_dataframe`: count each partition's rows first."""
    if id_col is not None:
        return ddf, id_col
    import dask

    lengths = dask.compute(*[dask.delayed(len)(p) for p in ddf.to_delayed()])
    offsets = np.cumsum([0, *lengths])[:-1].tolist()
    name = "__row__"
    while name in ddf.columns:
        name += "_"
    meta = ddf._meta.assign(**{name: pd.Series([], dtype=object)})
    return ddf.map_partitions(_add_row_ids, name, offsets, meta=meta, enforce_metadata=False), name


def _add_row_ids(part: pd.DataFrame, name: str, offsets: list[int], partition_info: dict | None = None) -> pd.DataFrame:
    start = offsets[partition_info["number"]] if partition_info else 0
    return part.assign(**{name: [str(start + i + 1) for i in range(len(part))]})


def _empty_frame(like: pd.DataFrame | None, columns: list[str], int_columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"id": pd.Series([], dtype=object)}) if like is not None else pd.DataFrame()
    for c in columns:
        out[c] = like[c] if like is not None else pd.Series([], dtype=object)
    for c in int_columns:
        out[c] = pd.Series([], dtype="int64")
    if like is not None:
        out.index = like.index[:0]
    return out


# A partition is tokenized and coded this many answers at a time: a worker's
# memory then stays bounded whatever the partition size (each piece's token
# store and indexes are freed before the next), and the rows are the same.
_PIECE_ROWS = 5_000


def _code_partition(part: pd.DataFrame, codebook: Codebook, text_col: str, id_col: str, unit: str) -> pd.DataFrame:
    """Tokenize and code one partition: its rows of ``result.to_frame()``,
    plus per-document unit counts when coding units below the document."""
    if len(part) > _PIECE_ROWS:
        if part[id_col].astype(str).str.strip().duplicated().any():
            # Pieces would each look fine: the whole partition names both rows.
            Corpus.from_dataframe(part, text_col=text_col, id_col=id_col)
        pieces = [
            _code_partition(part.iloc[i : i + _PIECE_ROWS], codebook, text_col, id_col, unit)
            for i in range(0, len(part), _PIECE_ROWS)
        ]
        return pd.concat(pieces)
    corpus = Corpus.from_dataframe(part, text_col=text_col, id_col=id_col)
    coder = RuleCoder(codebook)
    result = coder.code(coder.tokenizer().tokenize(corpus), unit=unit)
    out = result.to_frame()
    if unit != "document":
        doc = result.units["doc"].to_numpy(np.int64)
        out[_N_UNITS] = np.bincount(doc, minlength=len(corpus)).astype(np.int64)
        m = result.matrix.to_numpy()
        for j, c in enumerate(result.matrix.columns):
            out[_UNITS_WITH + c] = np.bincount(doc, weights=m[:, j], minlength=len(corpus)).astype(np.int64)
    out.index = part.index
    return out


def _partial_counts(part: pd.DataFrame, codes: list[str], unit: str, by: str | None) -> pd.DataFrame:
    """Units and units with each code in one coded partition, per group of ``by``."""
    if unit == "document":
        counts = part[codes].astype(np.int64)
        n = pd.Series(1, index=part.index, dtype=np.int64)
    else:
        counts = part[[_UNITS_WITH + c for c in codes]].set_axis(codes, axis=1)
        n = part[_N_UNITS]
    table = pd.concat([n.rename(N_UNITS), counts], axis=1)
    # Groups as CodingResult.frequencies sees them: the metadata as text.
    keys = part[by].astype(str).to_numpy(dtype=object) if by else np.full(len(part), "", dtype=object)
    return table.groupby(keys, sort=False).sum()


def _words_partition(part: pd.DataFrame, text_col: str, tokenizer: SudachiTokenizer, opts: dict) -> pd.DataFrame:
    by = opts["by"]
    corpus = Corpus.from_dataframe(part, text_col=text_col)
    return word_counts(
        tokenizer.tokenize(corpus), by=by, pos=opts["pos"], stop_words=opts["stop_words"], key=opts["key"]
    )


def _read_words(words: Iterable[str] | str | Path) -> set[str]:
    return set(read_word_list(words))


def _progress(show: bool) -> contextlib.AbstractContextManager[object]:
    """A progress bar on stderr while Dask computes with a local scheduler
    (``progress=True``, and only when stderr is a terminal); nothing otherwise.
    A distributed cluster has its own dashboard."""
    if not (show and sys.stderr.isatty()):
        return contextlib.nullcontext()
    from dask.diagnostics import ProgressBar

    return ProgressBar(out=sys.stderr)
