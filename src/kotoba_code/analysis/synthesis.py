"""Cross-group synthesis of themes, as a survey report summarises its findings.

For a coded corpus and a grouping variable (municipalities vs Hello Work …),
:func:`synthesize` lists the themes every group mentions (each in at least
``min_share`` of its units), ranked by their smallest share, each with

* its share per group and whether it is ``shared``;
* its ``linked`` themes: neighbours in the code co-occurrence network
  (Jaccard over units, the strongest ``link_top`` edges of the whole network);
* its ``keywords``: words most over-represented in units with the theme
  against units without it (log-likelihood keyness);
* representative answers per group: the units with the strongest evidence
  (most distinct rule terms matched, then most hits).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kotoba_code.analysis.frequency import doc_term_matrix, unit_term_matrix
from kotoba_code.analysis.keyness import keyness_table
from kotoba_code.analysis.network import code_network
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult


def synthesize(
    result: CodingResult,
    by: str = "group",
    *,
    min_share: float = 0.05,
    link_top: int = 25,
    n_keywords: int = 5,
    n_examples: int = 2,
) -> pd.DataFrame:
    """Themes shared across groups, ranked, with links, keywords and examples.

    Returns a DataFrame with one row per theme (code), shared themes first:
    ``theme`` (code id), ``label``, ``shared`` (1 when every group mentions it
    in at least ``min_share`` of its units), ``share:<group>`` per group,
    ``linked`` (linked code ids joined by ``;``), ``keywords`` (joined by
    ``;``) and ``examples`` (representative answers, ``group: text`` joined
    by `` / ``).

    Examples
    --------
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> import pandas as pd
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"},
    ...                                    {"id": "know", "label": "ノウハウ", "rule": "ノウハウ"}]})
    >>> c = Corpus.from_texts(["温度差がある", "ノウハウ不足と温度差", "温度差を感じる", "特になし"],
    ...                       metadata=pd.DataFrame({"group": ["A", "A", "B", "B"]}))
    >>> from kotoba_code.coding import apply_codebook
    >>> s = synthesize(apply_codebook(cb, c, cache=False), by="group", min_share=0.3)
    >>> s[["theme", "shared", "share:A", "share:B", "linked"]].values.tolist()
    [['gap', 1, 1.0, 0.5, 'know'], ['know', 0, 0.5, 0.0, 'gap']]
    """
    corpus = result.corpus
    groups = corpus.unit_variable(by, result.unit)
    names = sorted(set(groups.tolist()) - {""})
    m = result.matrix.to_numpy()
    shares = {g: m[groups == g].mean(axis=0) if (groups == g).any() else np.zeros(m.shape[1]) for g in names}
    ids = list(result.matrix.columns)
    table = pd.DataFrame({"theme": ids, "label": [result.codebook[c].label for c in ids]})
    for g in names:
        table[f"share:{g}"] = np.round(shares[g], 4)
    share_cols = [f"share:{g}" for g in names]
    table["shared"] = (table[share_cols] >= min_share).all(axis=1).astype(int) if names else 0
    net = code_network(result, top_n=link_top)
    table["linked"] = [
        ";".join(sorted(net.neighbors(c), key=lambda n: -net.edges[c, n]["weight"])) if c in net else "" for c in ids
    ]
    table["keywords"] = _keywords(result, n_keywords)
    table["examples"] = _examples(result, groups, names, n_examples)
    table["_rank"] = table[share_cols].min(axis=1) if names else 0
    table = table.sort_values(["shared", "_rank"], ascending=[False, False], kind="stable").drop(columns="_rank")
    cols = ["theme", "label", "shared", *share_cols, "linked", "keywords", "examples"]
    return table[cols].reset_index(drop=True)


def _keywords(result: CodingResult, n: int) -> list[str]:
    """Top words over-represented in units with each code (G², positive effect)."""
    tokens = result.tokens
    vocab = tokens.vocab
    keep = tokens.pos_mask(None) & ~vocab["lemma"].isin(DEFAULT_STOP_WORDS).to_numpy()
    keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    gid, labels = pd.factorize(vocab["lemma"].astype(str))
    gid = np.where(keep, gid, -1)
    if result.unit == "document":
        X = doc_term_matrix(tokens, gid, n_terms=len(labels))
    else:
        X = unit_term_matrix(tokens, gid, n_terms=len(labels), units=tokens.corpus.units(result.unit))
    X = (X > 0).astype(np.int64).tocsc()
    df = np.asarray(X.sum(axis=0)).ravel()
    cols = np.flatnonzero(df >= 2)
    presence = pd.DataFrame(X[:, cols].toarray(), columns=[labels[k] for k in cols])
    out = []
    for c in result.matrix.columns:
        flag = np.where(result.matrix[c].to_numpy(), "in", "out")
        if not (flag == "in").any():
            out.append("")
            continue
        kt = keyness_table(presence, flag)
        kt = kt[(kt["group"] == "in") & (kt["effect"] > 0) & (kt["target"] >= 2)]
        out.append(";".join(kt["term"].head(n)))
    return out


def _examples(result: CodingResult, groups: np.ndarray, names: list[str], n: int) -> list[str]:
    """Per code and group, the units whose evidence is strongest."""
    ev = result.evidence
    units = result.units
    key = list(zip(units["id"], units["unit"], strict=True))
    row_of = {k: i for i, k in enumerate(key)}
    texts = result.corpus.texts
    out = []
    for c in result.matrix.columns:
        sub = ev[ev["code"] == c]
        if sub.empty:
            out.append("")
            continue
        strength = sub.groupby(["id", "unit"]).agg(terms=("term", "nunique"), hits=("term", "size")).reset_index()
        strength["row"] = [row_of[(i, u)] for i, u in zip(strength["id"], strength["unit"], strict=True)]
        strength["group"] = groups[strength["row"].to_numpy()]
        strength = strength.sort_values(["terms", "hits", "row"], ascending=[False, False, True], kind="stable")
        picks = []
        for g in names:
            for r in strength[strength["group"] == g].head(n).itertuples():
                d, s, e = (int(units.iloc[r.row][k]) for k in ("doc", "start", "end"))
                picks.append(f"{g}: {' '.join(texts[d][s:e].split())}")
        out.append(" / ".join(picks))
    return out
