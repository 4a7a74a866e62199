"""Labelled samples: texts with the codes human coders gave them.

Plain data; reading one from a file (CSV/TSV/XLSX/JSONL, or a REFI-QDA
project) is :func:`kotoba_code.io.labels.read_labels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook

__all__ = ["LabelledSample"]


@dataclass
class LabelledSample:
    """Texts with human codes. ``labels`` has one row per (id, coder) with a
    set of code ids; ``texts`` one row per id with ``text`` and metadata."""

    texts: pd.DataFrame
    labels: pd.DataFrame
    source: str = "<sample>"

    @property
    def coders(self) -> list[str]:
        return list(dict.fromkeys(self.labels["coder"].tolist()))

    def matrix(self, coder: str, code_ids: Sequence[str]) -> pd.DataFrame:
        """0/1 ids × codes for one coder; ids the coder did not label are NaN."""
        sub = self.labels[self.labels["coder"] == coder].set_index("id")["codes"]
        m = pd.DataFrame(np.nan, index=self.texts["id"], columns=list(code_ids))
        for i, codes in sub.items():
            m.loc[i] = [1.0 if c in codes else 0.0 for c in code_ids]
        return m

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        codebook: Codebook | None = None,
        text_col: str = "text",
        id_col: str = "id",
        codes_col: str = "codes",
        coder_col: str | None = "coder",
        source: str = "<DataFrame>",
        first_row: int = 1,
    ) -> LabelledSample:
        """A labelled sample from a table with a ``codes`` column of code ids
        separated by ``;`` (or lists of them) and an optional ``coder`` column.

        Unknown code ids (not in ``codebook``) are an error naming the row,
        counted from ``first_row`` (2 for a file with a header row) in
        ``source``. With a ``coder`` column, several coders may label the same
        id; the text is taken from the first row of each id. Files are read by
        :func:`kotoba_code.io.labels.read_labels`.

        Examples
        --------
        >>> import pandas as pd
        >>> s = LabelledSample.from_frame(pd.DataFrame({"id": ["1", "2"], "text": ["a", "b"], "codes": ["x;y", ""]}))
        >>> [sorted(c) for c in s.labels["codes"]]
        [['x', 'y'], []]
        """
        for col in (id_col, text_col, codes_col):
            if col not in df.columns:
                raise CorpusReadError(
                    Errors.E102.format(path=source, column=col, columns=", ".join(map(str, df.columns)))
                )
        known = set(codebook.ids) if codebook is not None else None
        rows = []
        for k, rec in enumerate(df.to_dict(orient="records"), start=first_row):
            raw = rec[codes_col]
            if isinstance(raw, (list, tuple)):
                codes = {str(c).strip() for c in raw if str(c).strip()}
            elif raw is None or (isinstance(raw, float) and np.isnan(raw)):
                codes = set()
            else:
                codes = {c.strip() for c in str(raw).replace("；", ";").split(";") if c.strip()}
            if known is not None and codes - known:
                bad = ", ".join(sorted(codes - known))
                raise CorpusReadError(
                    Errors.E114.format(path=source, row=k, id=rec[id_col], codes=bad, known=", ".join(sorted(known)))
                )
            coder = str(rec.get(coder_col, "") or "coder1") if coder_col and coder_col in df.columns else "coder1"
            rows.append({"id": str(rec[id_col]).strip(), "coder": coder, "codes": codes})
        labels = pd.DataFrame(rows, columns=["id", "coder", "codes"])
        dup = labels.duplicated(["id", "coder"])
        if dup.any():
            i = labels[dup].iloc[0]
            raise CorpusReadError(Errors.E105.format(path=source, id=i["id"], rows=f"(coder {i['coder']})"))
        meta_cols = [c for c in df.columns if c not in (codes_col, coder_col)]
        texts = df[meta_cols].copy()
        texts[id_col] = texts[id_col].astype(str).str.strip()
        texts = texts.drop_duplicates(id_col).rename(columns={id_col: "id", text_col: "text"}).reset_index(drop=True)
        return cls(texts=texts, labels=labels, source=source)
