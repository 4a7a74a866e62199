"""The result of coding: unit × code matrix, counts, evidence, frequency tables."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.coding.counts import chi2_presence, frequencies_from_counts, frequency_table, unit_counts

__all__ = ["CodingResult", "chi2_presence", "frequency_table"]


if TYPE_CHECKING:
    from collections.abc import Callable

    from kotoba_code.codebook.model import Codebook
    from kotoba_code.corpus import Corpus
    from kotoba_code.tokenize.tokens import Tokens


class CodingResult:
    """Codes of every unit, with the evidence behind each hit.

    Attributes
    ----------
    matrix : DataFrame
        Units × codes, boolean, in codebook order. The index is the document
        id (``unit="document"``) or (id, unit number) for smaller units.
    units : DataFrame
        The unit table (``doc``, ``id``, ``unit``, ``start``, ``end``) with the
        metadata of each unit's document and unit attributes.
    unit : str
        The unit level coded.
    scores : DataFrame or None
        Units × codes, the coder's probability of each code where it has one
        (learned coders), else None. Same index as ``matrix``.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> from kotoba_code.coding import apply_codebook
    >>> res = apply_codebook(cb, Corpus.from_texts(["温度差がある", "特になし"]), cache=False)
    >>> res.counts.to_dict(), res.evidence[["id", "code", "text"]].values.tolist()
    ({'gap': 1}, [['1', 'gap', '温度差']])
    """

    def __init__(
        self,
        codebook: Codebook,
        tokens: Tokens,
        units: pd.DataFrame,
        values: dict[str, np.ndarray],
        evidence: pd.DataFrame | Callable[[], pd.DataFrame],
        *,
        unit: str,
        scores: pd.DataFrame | None = None,
    ) -> None:
        self.codebook = codebook
        self.unit = unit
        self._tokens = tokens
        # The unit table as the coder saw it (doc, id, unit, start, end, …):
        # evidence rows point into it.
        self._unit_rows = units
        corpus = tokens.corpus
        meta = corpus.metadata.iloc[units["doc"].to_numpy()].reset_index(drop=True)
        extra = [c for c in meta.columns if c not in units.columns]
        self.units = pd.concat([units.reset_index(drop=True), meta[extra]], axis=1)
        cols = {c.id: values.get(c.id, np.zeros(len(units), dtype=bool)) for c in codebook.codes}
        if self.unit == "document":
            idx = pd.Index(units["id"].to_numpy(), name="id")
        else:
            idx = pd.MultiIndex.from_arrays([units["id"].to_numpy(), units["unit"].to_numpy()], names=["id", "unit"])
        self.matrix = pd.DataFrame(cols, index=idx).astype(bool)
        self.scores = scores
        self._evidence_fn = evidence if callable(evidence) else (lambda: evidence)
        self._evidence: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return f"<CodingResult: {len(self.matrix):,} {self.unit} units × {self.matrix.shape[1]} codes>"

    @property
    def corpus(self) -> Corpus:
        """The coded corpus."""
        return self._tokens.corpus

    @property
    def tokens(self) -> Tokens:
        """The tokens the rules were evaluated on."""
        return self._tokens

    @property
    def counts(self) -> pd.Series:
        """Units with each code, in codebook order."""
        return self.matrix.sum().astype(int)

    @property
    def evidence(self) -> pd.DataFrame:
        """One row per rule-term hit in a coded unit: ``id``, ``unit``, ``code``,
        ``term`` (the rule atom), ``text`` (the matched original text) and
        ``start``/``end`` (offsets into the document's original text)."""
        if self._evidence is None:
            self._evidence = self._evidence_frame(self._evidence_fn())
        return self._evidence

    def evidence_of(self, rows: np.ndarray) -> pd.DataFrame:
        """:attr:`evidence` of the units in the boolean mask ``rows`` (one entry
        per unit of :attr:`units`) only, found for those units alone when the
        coder can (rule coders), so quoting a few units of a large corpus is quick.

        Examples
        --------
        >>> import numpy as np
        >>> from kotoba_code import Corpus
        >>> from kotoba_code.codebook import Codebook
        >>> from kotoba_code.coding import apply_codebook
        >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "rule": "温度差"}]})
        >>> res = apply_codebook(cb, Corpus.from_texts(["温度差がある", "温度差"]), cache=False)
        >>> res.evidence_of(np.array([False, True]))[["id", "text"]].values.tolist()
        [['2', '温度差']]
        """
        rows = np.asarray(rows, dtype=bool)
        if self._evidence is None and "rows" in inspect.signature(self._evidence_fn).parameters:
            return self._evidence_frame(self._evidence_fn(rows))  # type: ignore[call-arg]
        ev = self.evidence
        return ev[rows[self._row_of(ev)]].reset_index(drop=True)

    def _row_of(self, ev: pd.DataFrame) -> np.ndarray:
        key = pd.MultiIndex.from_arrays([self._unit_rows["id"].astype(str), self._unit_rows["unit"]])
        return key.get_indexer(pd.MultiIndex.from_arrays([ev["id"].astype(str), ev["unit"]]))

    def _evidence_frame(self, ev: pd.DataFrame) -> pd.DataFrame:
        u = self._unit_rows
        rows = ev["unit"].to_numpy(dtype=np.int64)
        texts = self.corpus.texts
        docs = u["doc"].to_numpy()[rows]
        out = pd.DataFrame(
            {
                "id": u["id"].to_numpy()[rows],
                "unit": u["unit"].to_numpy()[rows],
                "code": ev["code"].to_numpy(),
                "term": ev["term"].to_numpy(),
                "start": ev["start"].to_numpy(dtype=np.int64),
                "end": ev["end"].to_numpy(dtype=np.int64),
            }
        )
        out.insert(
            4,
            "text",
            [texts[d][s:e] for d, s, e in zip(docs.tolist(), out["start"].tolist(), out["end"].tolist(), strict=True)],
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per document — every document, empty ones too — with its id,
        metadata and a 0/1 column per code (a document has a code when any of
        its units has it)."""
        corpus = self.corpus
        doc = self._unit_rows["doc"].to_numpy()
        m = np.zeros((len(corpus), self.matrix.shape[1]), dtype=np.int64)
        if len(doc):
            np.maximum.at(m, doc, self.matrix.to_numpy().astype(np.int64))
        out = pd.concat([pd.DataFrame({"id": corpus.ids}), corpus.metadata.reset_index(drop=True)], axis=1)
        codes = pd.DataFrame(m, columns=self.matrix.columns)
        return pd.concat([out, codes], axis=1)

    def frequencies(self, by: str | None = None, *, interviewers: bool = False) -> pd.DataFrame:
        """Theme frequency table, as KH Coder's 単純集計 and クロス集計.

        Without ``by``: one row per code in codebook order with ``code``,
        ``label``, ``count`` (units with the code) and ``percent`` (of all
        units). With ``by`` (a metadata column or unit attribute): per group
        ``n`` (units in the group), ``count`` and ``percent``; then ``chi2``,
        ``dof``, ``p`` of Pearson's chi-square test of code × group (2 × k;
        Yates' continuity correction when k = 2, as KH Coder does) and the
        adjusted standardized residual of each group (``resid:<group>``),
        which is beyond ±1.96 where a group differs at the 5 % level.
        Units with an empty value of ``by`` are left out. By ``speaker``, the
        interviewer's turns (聞き手, 調査員, 質問者, Q …:
        :data:`~kotoba_code.corpus.INTERVIEWER_SPEAKERS`) are left out too,
        unless ``interviewers=True``: their questions are not answers.

        Examples
        --------
        >>> from kotoba_code import Corpus
        >>> from kotoba_code.codebook import Codebook
        >>> cb = Codebook.from_dict({"codes": [{"id": "k", "label": "ノウハウ", "rule": "ノウハウ"}]})
        >>> from kotoba_code.coding import apply_codebook
        >>> result = apply_codebook(cb, Corpus.from_texts(["ノウハウ不足", "特になし"]), cache=False)
        >>> result.frequencies().values.tolist()
        [['k', 'ノウハウ', 1, 50.0]]
        """
        codes = list(self.matrix.columns)
        labels = [self.codebook[c].label for c in codes]
        return frequencies_from_counts(codes, labels, self.group_counts(by), by, interviewers=interviewers)

    def group_counts(self, by: str | None = None) -> pd.DataFrame:
        """Units, and units with each code, per group of ``by``: the sums a
        frequency table is made of, which add up across parts of a corpus.

        One row per value of ``by`` as text (one row ``""`` without ``by``);
        columns ``__n__`` (units) and one per code. Summing these tables over
        chunks or partitions and passing the sum to
        :func:`~kotoba_code.coding.counts.frequencies_from_counts` gives the
        table of :meth:`frequencies` on the whole corpus.

        Examples
        --------
        >>> from kotoba_code import Corpus
        >>> from kotoba_code.codebook import Codebook
        >>> cb = Codebook.from_dict({"codes": [{"id": "k", "label": "ノウハウ", "rule": "ノウハウ"}]})
        >>> from kotoba_code.coding import apply_codebook
        >>> result = apply_codebook(cb, Corpus.from_texts(["ノウハウ不足", "特になし"]), cache=False)
        >>> result.group_counts().values.tolist()
        [[2, 1]]
        """
        m = self.matrix.to_numpy()
        if by is None:
            keys = np.full(len(m), "", dtype=object)
        else:
            keys = np.asarray(self.corpus.unit_variable(by, self.unit), dtype=object)
        return unit_counts(keys, m, list(self.matrix.columns))
