"""The corpus: documents with stable ids, their text, metadata and units.

A document is one answer (or one transcript). Units are the spans that coding
and counting work on, as in KH Coder: the whole document, its paragraphs
(lines of an answer, speaker turns of a transcript) and its sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors

UNIT_LEVELS = ("document", "h1", "h2", "h3", "h4", "h5", "paragraph", "sentence")
# Speaker labels of the person asking in an interview transcript: their turns
# are questions, not answers, so tables by speaker leave them out by default.
INTERVIEWER_SPEAKERS = frozenset({"聞き手", "調査員", "質問者", "インタビュアー", "司会", "司会者", "Q", "Ｑ", "I"})
HEADING_LEVELS = ("h1", "h2", "h3", "h4", "h5")
_BUILTIN_COLUMNS = ("doc", "id", "unit", "start", "end")
# 見出し1 … 見出し5 (KH Coder's names) and heading1 … heading5 are the titles
# of the enclosing headings.
_HEADING_VAR_RE = re.compile(r"(?:見出し|heading)([1-5])", re.I)

_LINE_RE = re.compile(r"[^\n]*\S[^\n]*")
# A sentence ends after a run of terminators and any closing brackets.
_SENT_END_RE = re.compile(r"[。．！？!?]+[」』）)\]】]*")
_LEADING_SPACE_RE = re.compile(r"\s*")


class Corpus:
    """Documents with a stable id, text and metadata columns.

    Every row given to a reader stays a document, also when its text is
    empty, missing (NaN) or only white space: coded tables list every id.

    Parameters
    ----------
    ids : sequence of str
        Unique document ids.
    texts : sequence of str or None
        Document texts; ``None``/NaN become ``""``.
    metadata : DataFrame, optional
        One row per document (same order), e.g. respondent group, prefecture.
    paragraphs : DataFrame, optional
        Explicit paragraph spans with columns ``doc`` (document position),
        ``start``, ``end`` and any paragraph-level attributes (``speaker`` for
        transcripts). By default each non-blank line is a paragraph.
    spans : dict of str to DataFrame, optional
        Explicit spans for other levels (``h1`` … ``h5`` with a ``title``,
        ``sentence``), in the same form; readers of structured formats such as
        KH Coder's heading-tagged text use it.

    Examples
    --------
    >>> c = Corpus.from_texts(["連携に温度差がある。情報共有も不十分。", ""], ids=["a1", "a2"])
    >>> len(c), c.ids.tolist()
    (2, ['a1', 'a2'])
    >>> c.units("sentence")[["id", "unit", "start", "end"]].values.tolist()
    [['a1', 1, 0, 10], ['a1', 2, 10, 19]]
    """

    def __init__(
        self,
        ids: Sequence[Any],
        texts: Sequence[Any],
        *,
        metadata: pd.DataFrame | None = None,
        paragraphs: pd.DataFrame | None = None,
        spans: dict[str, pd.DataFrame] | None = None,
        name: str | None = None,
    ) -> None:
        ids_arr = np.asarray([str(i) for i in ids], dtype=object)
        if len(ids_arr) != len(texts):
            raise CorpusReadError(Errors.E121.format(n_ids=len(ids_arr), n_texts=len(texts)))
        if len(set(ids_arr.tolist())) != len(ids_arr):
            seen: dict[str, int] = {}
            for row, i in enumerate(ids_arr.tolist()):
                if i in seen:
                    raise CorpusReadError(
                        Errors.E105.format(path=name or "<corpus>", id=i, rows=f"{seen[i] + 1} and {row + 1}")
                    )
                seen[i] = row
        self.ids: np.ndarray = ids_arr
        texts = list(texts)
        # Readers hand over plain strings; only other values need converting.
        self.texts: list[str] = texts if all(type(t) is str for t in texts) else [_as_text(t) for t in texts]
        if metadata is None:
            metadata = pd.DataFrame(index=range(len(ids_arr)))
        self.metadata: pd.DataFrame = metadata.reset_index(drop=True)
        self.name = name
        self._spans: dict[str, pd.DataFrame] = dict(spans or {})
        if paragraphs is not None:
            self._spans["paragraph"] = paragraphs
        self._units: dict[str, pd.DataFrame] = {}
        self._variables: dict[str, pd.DataFrame] = {}

    # -- construction -----------------------------------------------------
    @classmethod
    def from_texts(
        cls, texts: Iterable[Any], *, ids: Sequence[Any] | None = None, metadata: pd.DataFrame | None = None
    ) -> Corpus:
        """Build a corpus from texts; ids default to ``"1"``, ``"2"`` …"""
        texts = list(texts)
        ids = [str(i + 1) for i in range(len(texts))] if ids is None else ids
        return cls(ids, texts, metadata=metadata)

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        text_col: str = "text",
        id_col: str | None = None,
        name: str | None = None,
        locate: Callable[[int], str] | None = None,
    ) -> Corpus:
        """Build a corpus from a DataFrame; other columns become metadata.

        Without ``id_col`` the ids are the 1-based row numbers. Messages about
        ids name rows as a spreadsheet shows the table (header = row 1, first
        row = row 2); ``locate`` (used by the file readers) maps a 0-based row
        position to another name such as ``"row 5 (line 9)"``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"no": ["x", "y"], "answer": ["特になし", None], "group": ["自治体", "HW"]})
        >>> c = Corpus.from_dataframe(df, text_col="answer", id_col="no")
        >>> c.texts, c.metadata.columns.tolist()
        (['特になし', ''], ['group'])
        >>> Corpus.from_dataframe(df.assign(no=["x", "x"]), text_col="answer", id_col="no")
        Traceback (most recent call last):
        ...
        kotoba_code.errors.CorpusReadError: [E105] <DataFrame>: duplicate id 'x' in rows 2 and 3. Ids must be unique.
        """
        where = name or "<DataFrame>"
        for col in (text_col, id_col):
            if col is not None and col not in df.columns:
                raise CorpusReadError(
                    Errors.E102.format(path=where, column=col, columns=", ".join(map(str, df.columns)))
                )
        locate = locate or (lambda i: f"row {i + 2}")
        if id_col is None:
            ids: list[str] = [str(i + 1) for i in range(len(df))]
        else:
            ids = [_as_text(v).strip() for v in df[id_col].tolist()]
            if not all(ids):
                row = locate(ids.index(""))
                raise CorpusReadError(Errors.E106.format(path=where, row=row.removeprefix("row "), column=id_col))
            if len(set(ids)) != len(ids):
                seen: dict[str, int] = {}
                for i, v in enumerate(ids):
                    if v in seen:
                        rows = f"{locate(seen[v]).removeprefix('row ')} and {locate(i).removeprefix('row ')}"
                        raise CorpusReadError(Errors.E105.format(path=where, id=v, rows=rows))
                    seen[v] = i
        meta = df.drop(columns=[c for c in (text_col, id_col) if c is not None])
        return cls(ids, df[text_col].tolist(), metadata=meta, name=name)

    # -- access -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        n_chars = sum(map(len, self.texts))
        meta = ", ".join(map(str, self.metadata.columns)) or "no metadata"
        return f"<Corpus: {len(self):,} documents, {n_chars:,} characters; {meta}>"

    def to_frame(self) -> pd.DataFrame:
        """The documents as a DataFrame: ``id``, ``text`` and the metadata columns."""
        df = pd.DataFrame({"id": self.ids, "text": self.texts})
        return pd.concat([df, self.metadata], axis=1)

    def units(self, level: str = "sentence") -> pd.DataFrame:
        """The units of one level as a table, ordered by document and offset.

        Columns: ``doc`` (document position), ``id``, ``unit`` (1-based number
        within the document), ``start`` and ``end`` (character offsets into the
        original text), then unit attributes (``speaker`` for transcripts).
        The ``document`` level has a row for every document, also empty ones;
        blank lines make no paragraph and no sentence.
        """
        if level not in UNIT_LEVELS:
            raise CorpusReadError(Errors.E111.format(unit=level, units=", ".join(UNIT_LEVELS)))
        if level not in self._units:
            self._units[level] = self._build_units(level)
        return self._units[level]

    def add_variables(self, table: pd.DataFrame, *, level: str = "document") -> Corpus:
        """A copy of the corpus with external variables attached at ``level``.

        ``table`` has one row per unit of that level, in order (KH Coder's
        variable files); its columns become variables usable in rules
        (``<>name-->value``) and in ``frequencies(by=name)`` at every level:
        a unit takes the value of the ``level`` unit that contains its start.

        Examples
        --------
        >>> import pandas as pd
        >>> c = Corpus.from_texts(["一行目\\n二行目", "三行目"])
        >>> c2 = c.add_variables(pd.DataFrame({"speaker": ["A", "B", "C"]}), level="paragraph")
        >>> c2.unit_variable("speaker", "sentence").tolist()
        ['A', 'B', 'C']
        """
        units = self.units(level)
        if len(table) != len(units):
            raise CorpusReadError(Errors.E113.format(level=level, n_units=len(units), n_rows=len(table)))
        new = Corpus(self.ids, self.texts, metadata=self.metadata, spans=self._spans, name=self.name)
        new._variables = {**self._variables}
        new._variables[level] = pd.concat(
            [new._variables.get(level, pd.DataFrame(index=range(len(units)))), table.reset_index(drop=True)], axis=1
        )
        return new

    def unit_variable(self, name: str, level: str, *, code: str = "") -> np.ndarray:
        """Values of variable ``name`` for each unit of ``level``.

        Looked up, in order: an attribute of the unit itself (``speaker``), a
        heading title (``見出し1`` … ``見出し5``), a variable added with
        :meth:`add_variables` at the same or a coarser level (each unit takes
        the value of the unit that contains it; a unit outside any, such as a
        heading line for a paragraph variable, gets ``""``), and document
        metadata. A variable of a finer level than ``level`` gives ``""``
        everywhere, as in KH Coder.
        """
        units = self.units(level)
        if name in units.columns and name not in _BUILTIN_COLUMNS:
            return units[name].astype(str).to_numpy()
        m = _HEADING_VAR_RE.fullmatch(name)
        if m:
            return self._inherit(units, level, f"h{m.group(1)}", self.units(f"h{m.group(1)}").get("title"))
        for var_level, table in self._variables.items():
            if name in table.columns:
                return self._inherit(units, level, var_level, table[name])
        if name in self.metadata.columns:
            return self.metadata[name].astype(str).to_numpy()[units["doc"].to_numpy()]
        known = sorted(
            set(map(str, self.metadata.columns))
            | {c for t in self._variables.values() for c in map(str, t.columns)}
            | {c for c in units.columns if c not in _BUILTIN_COLUMNS}
        )
        used_by = f" (used by code {code!r})" if code else ""
        raise CorpusReadError(Errors.E310.format(used_by=used_by, name=name, known=", ".join(known) or "none"))

    def _inherit(self, units: pd.DataFrame, level: str, var_level: str, values: pd.Series | None) -> np.ndarray:
        """Values of ``var_level`` units passed down to the ``level`` units they contain."""
        empty = np.full(len(units), "", dtype=object)
        if values is None or UNIT_LEVELS.index(var_level) > UNIT_LEVELS.index(level):
            return empty
        outer = self.units(var_level)
        if len(outer) == 0:
            return empty
        scale = np.int64(1) << np.int64(40)
        o_key = outer["doc"].to_numpy(np.int64) * scale + outer["start"].to_numpy(np.int64)
        o_end = outer["doc"].to_numpy(np.int64) * scale + outer["end"].to_numpy(np.int64)
        u_key = units["doc"].to_numpy(np.int64) * scale + units["start"].to_numpy(np.int64)
        k = np.searchsorted(o_key, u_key, side="right") - 1
        kk = np.maximum(k, 0)
        inside = (k >= 0) & (u_key < np.maximum(o_end[kk], o_key[kk] + 1))
        vals = values.astype(str).to_numpy()
        return np.where(inside, vals[kk], empty)

    def _build_units(self, level: str) -> pd.DataFrame:
        if level == "document":
            n = len(self)
            return pd.DataFrame(
                {
                    "doc": np.arange(n, dtype=np.int64),
                    "id": self.ids,
                    "unit": np.ones(n, dtype=np.int64),
                    "start": np.zeros(n, dtype=np.int64),
                    "end": np.fromiter(map(len, self.texts), dtype=np.int64, count=n),
                }
            )
        if level in self._spans:
            return self._explicit(level)
        if level in HEADING_LEVELS:
            return self._explicit(level, pd.DataFrame({"doc": [], "start": [], "end": [], "title": []}))
        paras = self._paragraph_spans()
        if level == "paragraph":
            return paras
        docs, starts, ends, parent = [], [], [], []
        texts = self.texts
        for k, (d, s, e) in enumerate(
            zip(paras["doc"].tolist(), paras["start"].tolist(), paras["end"].tolist(), strict=True)
        ):
            text = texts[d]
            for a, b in _sentences(text, s, e):
                docs.append(d)
                starts.append(a)
                ends.append(b)
                parent.append(k)
        out = pd.DataFrame({"doc": np.asarray(docs, dtype=np.int64)})
        out["id"] = self.ids[out["doc"].to_numpy()]
        out["unit"] = _number_within(out["doc"].to_numpy())
        out["start"] = np.asarray(starts, dtype=np.int64)
        out["end"] = np.asarray(ends, dtype=np.int64)
        attrs = [c for c in paras.columns if c not in ("doc", "id", "unit", "start", "end")]
        par = np.asarray(parent, dtype=np.int64)
        for c in attrs:
            out[c] = paras[c].to_numpy()[par]
        out["paragraph"] = paras["unit"].to_numpy()[par] if len(par) else np.zeros(0, dtype=np.int64)
        return out

    def _explicit(self, level: str, spans: pd.DataFrame | None = None) -> pd.DataFrame:
        p = self._spans[level] if spans is None else spans
        p = p.sort_values(["doc", "start"], kind="stable").reset_index(drop=True)
        out = pd.DataFrame({"doc": p["doc"].to_numpy(np.int64)})
        out["id"] = self.ids[out["doc"].to_numpy()]
        out["unit"] = _number_within(out["doc"].to_numpy())
        out["start"] = p["start"].to_numpy(np.int64)
        out["end"] = p["end"].to_numpy(np.int64)
        for c in p.columns:
            if c not in ("doc", "start", "end"):
                out[c] = p[c].to_numpy()
        return out

    def _paragraph_spans(self) -> pd.DataFrame:
        if "paragraph" in self._spans:
            return self._explicit("paragraph")
        docs, starts, ends = [], [], []
        for d, text in enumerate(self.texts):
            for m in _LINE_RE.finditer(text):
                docs.append(d)
                starts.append(m.start())
                ends.append(m.end() - (1 if m.group().endswith("\r") else 0))
        out = pd.DataFrame({"doc": np.asarray(docs, dtype=np.int64)})
        out["id"] = self.ids[out["doc"].to_numpy()]
        out["unit"] = _number_within(out["doc"].to_numpy())
        out["start"] = np.asarray(starts, dtype=np.int64)
        out["end"] = np.asarray(ends, dtype=np.int64)
        return out


def _sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, skipping blank ones and
    leading white space; line breaks inside a paragraph also end a sentence."""
    cuts = [start]
    for m in _SENT_END_RE.finditer(text, start, end):
        cuts.append(m.end())
    pos = start
    while True:
        nl = text.find("\n", pos, end)
        if nl < 0:
            break
        cuts.append(nl + 1)
        pos = nl + 1
    cuts.append(end)
    cuts = sorted(set(cuts))
    for a, b in zip(cuts, cuts[1:], strict=False):
        a = _LEADING_SPACE_RE.match(text, a, b).end()  # type: ignore[union-attr]
        # Trailing white space (the line break) belongs to no sentence.
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            yield a, b


def _number_within(doc: np.ndarray) -> np.ndarray:
    """1-based running number of each row within its (sorted) document."""
    if len(doc) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.r_[True, doc[1:] != doc[:-1]]
    idx = np.arange(len(doc))
    starts = np.maximum.accumulate(np.where(first, idx, 0))
    return (idx - starts + 1).astype(np.int64)


def _as_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and np.isnan(v):
        return ""
    if v is pd.NA or v is pd.NaT:
        return ""
    return v if isinstance(v, str) else str(v)
