"""Document search (KH Coder's 文書検索): the answers matching a coding rule or
carrying a code, with their ids, metadata and the matched spans marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.codebook.model import Code, Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.corpus import Corpus
from kotoba_code.errors import AnalysisError, CodebookError, Errors

if TYPE_CHECKING:
    from kotoba_code.tokenize.tokens import Tokens

SEARCH_CODE = "__search__"
MARK_OPEN, MARK_CLOSE = "【", "】"


def search_codebook(rule: str, codebook: Codebook | None = None) -> Codebook:
    """A codebook with one code, ``__search__``, whose rule is ``rule``; with
    ``codebook``, its codes, synonym lists and user words come along, so the
    rule may use ``$lists`` and refer to its codes.

    Examples
    --------
    >>> search_codebook("ハローワーク & 連携").codes[0].rule
    'ハローワーク & 連携'
    """
    code = Code(id=SEARCH_CODE, label="検索", rule=rule)
    try:
        if codebook is None:
            return Codebook(codes=[code], source="--rule")
        return Codebook(
            codes=[*codebook.codes, code],
            name=codebook.name,
            source=codebook.source,
            synonyms=codebook.synonyms,
            user_words=codebook.user_words,
            categories=codebook.categories,
            negation=codebook.negation,
            optional_variables=codebook.optional_variables,
            synonym_lines=codebook.synonym_lines,
        )
    except CodebookError as exc:
        raise AnalysisError(Errors.E508.format(rule=rule, reason=str(exc))) from exc


def search(
    data: Corpus | Tokens,
    rule: str | None = None,
    *,
    code: str | None = None,
    codebook: Codebook | None = None,
    unit: str = "document",
    sort: str = "hits",
) -> pd.DataFrame:
    """Find the units matching a rule (or carrying a code of ``codebook``).

    Parameters
    ----------
    data : Corpus or Tokens
    rule : str, optional
        A coding rule (``docs/rules.md``): ``ハローワーク & 連携``, ``near(交通費-負担)`` …
    code : str, optional
        A code id of ``codebook`` instead of a rule.
    codebook : Codebook, optional
        Needed for ``code``; with ``rule``, lends it its synonym lists and codes.
    unit : {"document", "paragraph", "sentence"}, default="document"
    sort : {"hits", "id"}, default="hits"
        Most rule hits first (ties in corpus order), or corpus order.

    Returns
    -------
    DataFrame
        ``id`` (and ``unit`` below the document level), the document's metadata,
        ``hits`` (rule-term matches in the unit), ``matched`` (the matched
        words, ``;``-separated), ``text`` (the unit's full text) and ``marked``
        (the text with every match in 【】).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> c = Corpus.from_texts(["ハローワークと連携した", "特になし", "連携会議を開く。ハローワークと連携"])
    >>> search(c, "ハローワーク & 連携")[["id", "hits", "marked"]].values.tolist()
    [['3', 3, '【連携】会議を開く。【ハローワーク】と【連携】'], ['1', 2, '【ハローワーク】と【連携】した']]
    """
    if (rule is None) == (code is None):
        raise AnalysisError(Errors.E539.format(func="search", msg="give either rule or code"))
    if sort not in ("hits", "id"):
        raise AnalysisError(Errors.E538.format(func="search", param="sort", known="hits, id", value=sort))
    if code is not None:
        if codebook is None:
            raise AnalysisError(Errors.E539.format(func="search", msg="code needs a codebook"))
        try:
            codebook[code]
        except KeyError:
            raise AnalysisError(Errors.E505.format(code=code, known=", ".join(c.id for c in codebook.codes))) from None
        cb, target = codebook, code
    else:
        assert rule is not None
        cb, target = search_codebook(rule, codebook), SEARCH_CODE
    result = apply_codebook(cb, data, unit=unit, cache=False)
    corpus = result.corpus
    units = result.units
    hit_rows = np.flatnonzero(result.matrix[target].to_numpy(dtype=bool))
    ev = result.evidence
    ev = ev[ev["code"] == target]
    key_cols = ["id", "unit"]
    meta_cols = [c for c in corpus.metadata.columns if c not in ("id", "unit", "doc", "start", "end")]
    rows = units.iloc[hit_rows]
    texts = corpus.texts
    grouped = {k: g for k, g in ev.groupby(key_cols, sort=False)}
    records = []
    for r in rows.itertuples(index=False):
        spans = grouped.get((r.id, r.unit))
        text = texts[r.doc][r.start : r.end]
        if spans is None:
            spans = ev.iloc[:0]
        marked = _mark(text, spans["start"].to_numpy() - r.start, spans["end"].to_numpy() - r.start)
        rec = {"id": r.id, "unit": r.unit}
        for c in meta_cols:
            rec[c] = getattr(r, c) if c in rows.columns else None
        words = list(dict.fromkeys(spans["text"].tolist()))
        rec.update({"hits": len(spans), "matched": ";".join(words), "text": text, "marked": marked})
        records.append(rec)
    cols = ["id", "unit", *meta_cols, "hits", "matched", "text", "marked"]
    out = pd.DataFrame(records, columns=cols)
    if sort == "hits":
        out = out.iloc[np.argsort(-out["hits"].to_numpy(), kind="stable")]
    if unit == "document":
        out = out.drop(columns=["unit"])
    out = out.reset_index(drop=True)
    out.attrs.update({"rule": rule if rule is not None else cb[target].rule, "n_units": len(units)})
    return out


def _mark(text: str, starts: np.ndarray, ends: np.ndarray) -> str:
    """``text`` with each (merged) span wrapped in 【】."""
    spans = sorted(
        (int(s), int(e)) for s, e in zip(starts.tolist(), ends.tolist(), strict=True) if 0 <= s < e <= len(text)
    )
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        pos = e
    out.append(text[pos:])
    return "".join(out)
