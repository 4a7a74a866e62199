"""Comparing two versions of a codebook on the same texts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kotoba_code.coding import apply_codebook
from kotoba_code.corpus import Corpus
from kotoba_code.errors import AnalysisError, CorpusReadError, Errors
from kotoba_code.evaluate.evaluation import evaluate

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook

__all__ = ["diff_codebooks"]


def diff_codebooks(
    old: Codebook,
    new: Codebook,
    data: Corpus | pd.DataFrame,
    *,
    text_col: str = "text",
    id_col: str = "id",
    source: str = "<DataFrame>",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Compare two versions of a codebook on the same texts.

    Returns the changes — one row per document and code whose coding changed:
    ``id``, ``code``, ``change`` (``+`` gained, ``-`` lost) and ``text`` — and,
    when ``data`` has a ``codes`` column (a labelled sample), the per-code
    metrics of both versions side by side (``f1_old``, ``f1_new``,
    ``f1_delta``, and likewise precision, recall and kappa).

    Parameters
    ----------
    data : Corpus or DataFrame
        The texts (a table with ``text_col``, optionally ``id_col`` and
        ``codes``). Read a file with
        :func:`kotoba_code.io.labels.read_samples_or_corpus`.
    source : str
        Where a table came from, named in error messages.

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code.codebook import Codebook
    >>> old = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> new = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差 | 不足"}]})
    >>> df = pd.DataFrame({"id": ["1", "2"], "text": ["温度差がある", "人手が不足している"], "codes": ["gap", "gap"]})
    >>> changes, metrics = diff_codebooks(old, new, df)
    >>> changes[["id", "code", "change"]].values.tolist()
    [['2', 'gap', '+']]
    >>> metrics[["code", "recall_old", "recall_new"]].values.tolist()
    [['gap', 0.5, 1.0]]
    """
    if isinstance(data, Corpus):
        df = None
        corpus = data
    elif isinstance(data, pd.DataFrame):
        df = data
    else:
        # Reading files is the io layer's job, above this one.
        raise AnalysisError(
            Errors.E537.format(
                func="diff_codebooks", takes="a Corpus or a DataFrame", path=data, reader="read_samples_or_corpus"
            )
        )
    if df is not None:
        if text_col not in df.columns:
            raise CorpusReadError(
                Errors.E102.format(path=source, column=text_col, columns=", ".join(map(str, df.columns)))
            )
        ids = df[id_col].astype(str).tolist() if id_col in df.columns else [str(i + 1) for i in range(len(df))]
        first = ~pd.Series(ids).duplicated().to_numpy()
        corpus = Corpus([i for i, f in zip(ids, first, strict=True) if f], df[text_col][first].tolist())
    a = apply_codebook(old, corpus, cache=False).to_frame().set_index("id")
    b = apply_codebook(new, corpus, cache=False).to_frame().set_index("id")
    codes = [c for c in dict.fromkeys(old.ids + new.ids)]
    text_of = dict(zip(corpus.ids.tolist(), corpus.texts, strict=True))
    rows = []
    for c in codes:
        va = a[c] if c in a else pd.Series(0, index=a.index)
        vb = b[c] if c in b else pd.Series(0, index=b.index)
        for i in va.index[(va != vb).to_numpy()]:
            rows.append({"id": i, "code": c, "change": "+" if vb[i] > va[i] else "-", "text": text_of[i]})
    changes = pd.DataFrame(rows, columns=["id", "code", "change", "text"])
    metrics = None
    if df is not None and "codes" in df.columns:
        both = [c for c in codes if c in old.ids and c in new.ids]
        ea = evaluate(old, df.rename(columns={text_col: "text", id_col: "id"}), codes=both).codes.set_index("code")
        eb = evaluate(new, df.rename(columns={text_col: "text", id_col: "id"}), codes=both).codes.set_index("code")
        metrics = pd.DataFrame({"code": both})
        for k in ("precision", "recall", "f1", "kappa"):
            metrics[f"{k}_old"] = ea.loc[both, k].to_numpy()
            metrics[f"{k}_new"] = eb.loc[both, k].to_numpy()
            metrics[f"{k}_delta"] = metrics[f"{k}_new"] - metrics[f"{k}_old"]
    return changes, metrics
