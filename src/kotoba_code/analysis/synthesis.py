"""Cross-group synthesis of themes, as a survey report summarises its findings.

For a coded corpus and a grouping variable (municipalities vs Hello Work …),
:func:`synthesize` lists every theme (code), shared themes first, each with

* its share per group and whether it is ``shared``: mentioned in at least
  ``min_share`` of the units of at least ``min_groups`` groups (default: all).
  The rule is stated in ``table.attrs["rule"]`` and in the Markdown report;
* its ``linked`` themes: neighbours in the code co-occurrence network
  (Jaccard over units, the strongest ``link_top`` edges of the whole network);
* its ``keywords``: content words most over-represented in units with the
  theme against units without it, by the log-likelihood G² of every
  theme × word 2 × 2 table computed at once (sparse matrix products, no test
  per word). Only nouns, verbs, adjectives and 形状詞 of two characters or
  more count, without numerals, counters (回, 月, 年), non-independent verbs
  and adjectives (くださる, よい), pronouns and stop words;
* representative answers per group, each with its respondent id, so that a
  report can cite them: the units with the highest score for the theme
  (learned coders) or the most evidence (distinct rule terms matched, then
  hits), leaving out units with more evidence for another theme.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kotoba_code.analysis._terms import word_ids
from kotoba_code.analysis.frequency import counting_tokens, doc_term_matrix, unit_term_matrix
from kotoba_code.analysis.keyness import keyness_g2
from kotoba_code.analysis.network import code_network
from kotoba_code.errors import AnalysisError, Errors
from kotoba_code.i18n import format_percent, t, unit_name

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

# Parts of speech a keyword may have, and those left out within them: words
# that carry a theme, not grammar or counting.
KEYWORD_POS = ("名詞", "動詞", "形容詞", "形状詞")
# Candidates per theme and group whose evidence is weighed for quotes.
_POOL = 200
_KEYWORD_EXCLUDED_POS = ("名詞-数詞", "名詞-普通名詞-助数詞可能", "動詞-非自立可能", "形容詞-非自立可能")


def synthesize(
    result: CodingResult,
    by: str = "group",
    *,
    min_share: float = 0.05,
    min_groups: int | None = None,
    link_top: int = 25,
    n_keywords: int = 5,
    n_examples: int = 2,
    stop_words: Iterable[str] | str | Path | None = None,
    synonyms: object = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Themes shared across groups, ranked, with links, keywords and citable quotes.

    Parameters
    ----------
    result : CodingResult
    by : str, default="group"
        The grouping variable (document metadata or a unit variable).
    min_share : float, default=0.05
        A group mentions a theme when at least this share of its units has it.
    min_groups : int, optional
        A theme is shared when at least this many groups mention it (default: all).
    link_top, n_keywords, n_examples : int
        Edges of the code network used for ``linked``; keywords per theme;
        quotes per theme and group.
    stop_words : iterable of str or path, optional
        Words never chosen as keywords (default: the default stop-word list).
    synonyms : path, mapping or iterable of lines, optional
        Spelling variants folded into one keyword (see
        :func:`~kotoba_code.tokenize.userwords.read_synonyms`).
    lang : {"ja", "en"}, optional
        Language of the stated rule (default: :func:`kotoba_code.i18n.get_language`).

    Returns
    -------
    DataFrame
        One row per theme, shared themes first (then by their smallest share):
        ``theme`` (code id), ``label``, ``shared`` (0/1), ``share:<group>``
        per group, ``linked`` (code ids joined by ``;``), ``linked_labels``,
        ``keywords`` (joined by ``;``), ``examples`` (``group [id]: text``
        joined by `` / ``) and ``example_ids`` (``group:id`` joined by ``;``).
        ``attrs`` holds ``rule`` (the sharing rule as a sentence),
        ``min_share``, ``min_groups``, ``group_sizes`` and ``unit``.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"},
    ...                                    {"id": "know", "label": "ノウハウ", "rule": "ノウハウ"}]})
    >>> c = Corpus.from_texts(["温度差がある", "ノウハウ不足と温度差", "温度差を感じる", "特になし"],
    ...                       metadata=pd.DataFrame({"group": ["A", "A", "B", "B"]}))
    >>> from kotoba_code.coding import apply_codebook
    >>> s = synthesize(apply_codebook(cb, c, cache=False), by="group", min_share=0.3, lang="en")
    >>> s[["theme", "shared", "share:A", "share:B", "linked"]].values.tolist()
    [['gap', 1, 1.0, 0.5, 'know'], ['know', 0, 0.5, 0.0, 'gap']]
    >>> s.loc[0, "example_ids"]
    'A:1;A:2;B:3'
    >>> s.attrs["rule"]
    'Sharing rule: a theme is shared when every group (2) mentions it in at least 30.0% of its answers.'
    """
    if not 0 <= min_share <= 1:
        raise AnalysisError(
            Errors.E512.format(func="synthesize", param="min_share", expected="from 0 to 1", value=min_share)
        )
    corpus = result.corpus
    groups = corpus.unit_variable(by, result.unit)
    names = sorted(set(groups.tolist()) - {""})
    need = len(names) if min_groups is None else min_groups
    if not 1 <= need <= max(len(names), 1):
        raise AnalysisError(
            Errors.E512.format(
                func="synthesize", param="min_groups", expected=f"from 1 to {len(names)}", value=min_groups
            )
        )
    m = result.matrix.to_numpy()
    ids = list(result.matrix.columns)
    table = pd.DataFrame({"theme": ids, "label": [result.codebook[c].label for c in ids]})
    sizes = {g: int((groups == g).sum()) for g in names}
    for g in names:
        sel = groups == g
        table[f"share:{g}"] = np.round(m[sel].mean(axis=0), 4) if sel.any() else 0.0
    share_cols = [f"share:{g}" for g in names]
    table["shared"] = ((table[share_cols] >= min_share).sum(axis=1) >= need).astype(int) if names else 0
    net = code_network(result, top_n=link_top)
    linked = [sorted(net.neighbors(c), key=lambda n, c=c: -net.edges[c, n]["weight"]) if c in net else [] for c in ids]
    table["linked"] = [";".join(x) for x in linked]
    table["linked_labels"] = [";".join(result.codebook[c].label for c in x) for x in linked]
    table["keywords"] = theme_keywords(result, n_keywords, stop_words=stop_words, synonyms=synonyms)
    examples, example_ids = _examples(result, groups, names, n_examples)
    table["examples"] = examples
    table["example_ids"] = example_ids
    # Rank by the share in the group that mentions the theme least among the
    # `need` groups that mention it most: with all groups, the smallest share.
    table["_rank"] = np.sort(table[share_cols].to_numpy(), axis=1)[:, len(names) - need] if names else 0
    table = table.sort_values(["shared", "_rank"], ascending=[False, False], kind="stable").drop(columns="_rank")
    cols = ["theme", "label", "shared", *share_cols, "linked", "linked_labels", "keywords", "examples", "example_ids"]
    out = table[cols].reset_index(drop=True)
    unit = unit_name(result.unit, lang)
    pct = format_percent(min_share)
    key = "rule_all" if need == len(names) else "rule_k"
    out.attrs.update(
        rule=t(key, lang, n=len(names), k=need, pct=pct, unit=unit),
        min_share=min_share,
        min_groups=need,
        group_sizes=sizes,
        unit=result.unit,
        by=by,
    )
    return out


def theme_keywords(
    result: CodingResult,
    n: int = 5,
    *,
    stop_words: Iterable[str] | str | Path | None = None,
    synonyms: object = None,
    min_count: int = 2,
) -> list[str]:
    """For each code, the ``n`` words most over-represented in its units (G²), joined by ``;``.

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> from kotoba_code.coding import apply_codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "cost", "rule": "交通費"}]})
    >>> c = Corpus.from_texts(["交通費の予算が課題", "交通費の予算を増やす", "研修が必要", "研修の機会"])
    >>> theme_keywords(apply_codebook(cb, c, cache=False), 2)
    ['予算;交通費']
    """
    tokens = counting_tokens(result.tokens, synonyms)
    gid, terms = word_ids(tokens, pos=KEYWORD_POS, stop_words=stop_words)
    pos = tokens.vocab["pos"].astype(str)
    excluded = np.zeros(len(pos), dtype=bool)
    for p in _KEYWORD_EXCLUDED_POS:
        excluded |= ((pos == p) | pos.str.startswith(p + "-")).to_numpy()
    short = tokens.vocab["lemma"].astype(str).str.len().to_numpy() < 2
    gid = np.where(excluded | short, -1, gid)
    if result.unit == "document":
        X = doc_term_matrix(tokens, gid, n_terms=len(terms))
    else:
        X = unit_term_matrix(tokens, gid, n_terms=len(terms), units=tokens.corpus.units(result.unit))
    X = sp.csr_matrix(X, dtype=np.float64)
    X.data = np.ones_like(X.data)
    M = sp.csr_matrix(result.matrix.to_numpy().astype(np.float64))
    n_units = float(X.shape[0])
    df = np.asarray(X.sum(axis=0)).ravel()
    n1 = np.asarray(M.sum(axis=0)).ravel()
    a = np.asarray((M.T @ X).todense())  # themes × words: units with both
    g2 = keyness_g2(a, n1[:, None], df[None, :], n_units)
    with np.errstate(divide="ignore", invalid="ignore"):
        over = a / np.maximum(n1[:, None], 1) > (df[None, :] - a) / np.maximum(n_units - n1[:, None], 1)
    g2 = np.where(over & (a >= min_count), g2, 0.0)
    labels = terms["term"].to_numpy()
    out = []
    for k in range(g2.shape[0]):
        row = g2[k]
        cand = np.flatnonzero(row > 0)
        order = cand[np.lexsort((labels[cand], -row[cand]))][:n]
        out.append(";".join(labels[order].tolist()))
    return out


def _examples(result: CodingResult, groups: np.ndarray, names: list[str], n: int) -> tuple[list[str], list[str]]:
    """Per code and group, the units most typical of the code, as quotes with their ids."""
    units = result.units
    n_units = len(units)
    codes = list(result.matrix.columns)
    m = result.matrix.to_numpy()
    scores = result.scores
    # Evidence is found for a pool of candidates only: per code and group, the
    # _POOL units with the highest score (learned coders) or with the fewest
    # other codes. On the sample corpus every coded unit is in the pool; on
    # 100,000 answers this spares finding the evidence of every unit.
    n_codes = m.sum(axis=1)
    pool = np.zeros(n_units, dtype=bool)
    for k in range(len(codes)):
        for g in names:
            cand = np.flatnonzero(m[:, k] & (groups == g))
            if len(cand) > _POOL:
                if scores is not None:
                    rank = -scores[codes[k]].to_numpy(dtype=float)[cand]
                else:
                    rank = n_codes[cand]
                cand = cand[np.argsort(rank, kind="stable")[:_POOL]]
            pool[cand] = True
    ev = result.evidence_of(pool)
    code_pos = {c: k for k, c in enumerate(codes)}
    key = pd.MultiIndex.from_arrays([units["id"].astype(str), units["unit"]])
    rows = key.get_indexer(pd.MultiIndex.from_arrays([ev["id"].astype(str), ev["unit"]]))
    cpos = ev["code"].map(code_pos).to_numpy()
    ok = (rows >= 0) & ~pd.isna(cpos)
    frame = pd.DataFrame({"row": rows[ok], "code": cpos[ok].astype(int), "term": ev["term"].to_numpy()[ok]})
    agg = frame.groupby(["row", "code"]).agg(terms=("term", "nunique"), hits=("term", "size")).reset_index()
    # Evidence of every unit for every code: a unit illustrates the code whose
    # evidence in it is strongest, so one that fits another theme better is left out.
    terms = np.zeros((n_units, len(codes)))
    terms[agg["row"].to_numpy(), agg["code"].to_numpy()] = agg["terms"].to_numpy()
    if scores is not None:
        strength = scores.reindex(columns=codes).fillna(0.0).to_numpy(dtype=float)
    else:
        strength = terms
    best_other = np.zeros_like(strength)
    for k in range(len(codes)):
        others = np.delete(strength, k, axis=1)
        best_other[:, k] = others.max(axis=1) if others.shape[1] else 0.0
    hits = np.zeros((n_units, len(codes)))
    hits[agg["row"].to_numpy(), agg["code"].to_numpy()] = agg["hits"].to_numpy()
    texts = result.corpus.texts
    doc, start, end = (units[k].to_numpy() for k in ("doc", "start", "end"))
    uid = units["id"].astype(str).to_numpy()
    if result.unit != "document":
        uid = np.array([f"{i}#{u}" for i, u in zip(uid, units["unit"].to_numpy(), strict=True)], dtype=object)
    out, out_ids = [], []
    for k in range(len(codes)):
        picks, pick_ids = [], []
        for g in names:
            cand = np.flatnonzero(m[:, k] & (groups == g) & pool)
            if not len(cand):
                continue
            typical = cand[strength[cand, k] >= best_other[cand, k]]
            chosen = typical if len(typical) else cand
            order = chosen[np.lexsort((chosen, -hits[chosen, k], -terms[chosen, k], -strength[chosen, k]))][:n]
            for r in order:
                text = " ".join(texts[doc[r]][start[r] : end[r]].split())
                picks.append(f"{g} [{uid[r]}]: {text}")
                pick_ids.append(f"{g}:{uid[r]}")
        out.append(" / ".join(picks))
        out_ids.append(";".join(pick_ids))
    return out, out_ids
