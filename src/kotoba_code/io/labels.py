"""Reading labelled samples (texts with the codes people gave them) from files.

The samples themselves are plain data (:class:`~kotoba_code.evaluate.samples.LabelledSample`);
this module is the file side: tables through :mod:`kotoba_code.io.readers`,
REFI-QDA projects through :mod:`kotoba_code.io.refi_qda`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kotoba_code.coding.review import REVIEW_COLUMN, labels_from_review
from kotoba_code.evaluate.samples import LabelledSample
from kotoba_code.io.readers import read_corpus, read_table
from kotoba_code.io.refi_qda import read_qdpx_labels

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.corpus import Corpus

__all__ = ["read_labels", "read_samples_or_corpus"]


def read_labels(
    source: str | Path | pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    text_col: str = "text",
    id_col: str = "id",
    codes_col: str = "codes",
    coder_col: str | None = "coder",
    sheet: str | int | None = None,
) -> LabelledSample:
    """Read a labelled sample (CSV/TSV/XLSX/JSONL path or DataFrame).

    A table has an ``id``, a ``text`` and a ``codes`` column (code ids
    separated by ``;``; a list in JSON Lines), optionally a ``coder`` column
    (see :meth:`~kotoba_code.evaluate.samples.LabelledSample.from_frame`); a
    ``.qdpx`` project coded by people is read with
    :func:`~kotoba_code.io.refi_qda.read_qdpx_labels`. Unknown code ids (not
    in ``codebook``) are an error naming the row, counted as a spreadsheet
    shows it.

    Examples
    --------
    >>> import pandas as pd
    >>> s = read_labels(pd.DataFrame({"id": ["1", "2"], "text": ["a", "b"], "codes": ["x;y", ""]}))
    >>> [sorted(c) for c in s.labels["codes"]]
    [['x', 'y'], []]
    """
    if isinstance(source, pd.DataFrame):
        df, where, first_row = source, "<DataFrame>", 1
    elif Path(source).suffix.lower() == ".qdpx":
        return read_qdpx_labels(source, codebook=codebook)
    else:
        # Row 1 of a file is its header.
        df, where, first_row = read_table(source, sheet=sheet), str(source), 2
    if codes_col not in df.columns and REVIEW_COLUMN in df.columns:
        # A review queue filled in by a reviewer (kotoba-code review).
        df = labels_from_review(df, where, codes_col)
    return LabelledSample.from_frame(
        df,
        codebook=codebook,
        text_col=text_col,
        id_col=id_col,
        codes_col=codes_col,
        coder_col=coder_col,
        source=where,
        first_row=first_row,
    )


def read_samples_or_corpus(path: str | Path) -> pd.DataFrame | Corpus:
    """Read the input of ``kotoba-code diff``: a table (CSV/TSV/XLSX/JSONL,
    perhaps a labelled sample with a ``codes`` column) as a DataFrame, any
    other file or folder as a :class:`~kotoba_code.Corpus`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> pd.DataFrame({"id": ["1"], "text": ["温度差がある"], "codes": ["gap"]}).to_csv(p, index=False)
    >>> read_samples_or_corpus(p).columns.tolist()
    ['id', 'text', 'codes']
    """
    path = Path(path)
    if path.suffix.lower() in (".csv", ".tsv", ".xlsx", ".jsonl"):
        return read_table(path)
    return read_corpus(path)
