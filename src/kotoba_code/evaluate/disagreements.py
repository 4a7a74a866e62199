"""Where the rules and the reference coder disagree, and why.

False positives carry the rule terms that matched; misses carry the terms of
the code's rule found in the text (negated occurrences marked), so a
maintainer sees how close a rule came.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kotoba_code.codebook.model import Codebook as _Codebook
from kotoba_code.codebook.rules import Near, Phrase, Regex, String, Synonyms, Word, _with_polarity, walk
from kotoba_code.coding import apply_codebook
from kotoba_code.corpus import Corpus
from kotoba_code.evaluate.samples import LabelledSample

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook


def _disagreements(
    codebook: Codebook, result: Any, gold: pd.DataFrame, pred: pd.DataFrame, sample: LabelledSample, code_ids: list[str]
) -> pd.DataFrame:
    text_of = dict(zip(sample.texts["id"], sample.texts["text"], strict=True))
    ev = result.evidence
    ev_terms = (
        ev.groupby(["id", "code"])["text"].apply(lambda s: "; ".join(dict.fromkeys(s))).to_dict() if len(ev) else {}
    )
    rows = []
    misses: dict[str, list[str]] = {}
    for c in code_ids:
        diff = pred[c] - gold[c]
        for i in diff.index[diff == 1]:
            rows.append({"id": i, "code": c, "kind": "fp", "text": text_of[i], "evidence": ev_terms.get((i, c), "")})
        fn_ids = list(diff.index[diff == -1])
        if fn_ids:
            misses[c] = fn_ids
    partial = _partial_matches(codebook, misses, text_of)
    for c, ids in misses.items():
        for i in ids:
            rows.append({"id": i, "code": c, "kind": "fn", "text": text_of[i], "evidence": partial.get((i, c), "")})
    df = pd.DataFrame(rows, columns=["id", "code", "kind", "text", "evidence"])
    if df.empty:
        df["pattern_count"] = []
        return df
    df["pattern_count"] = df.groupby(["code", "kind", "evidence"])["id"].transform("size")
    order = {c: k for k, c in enumerate(code_ids)}
    df["_o"] = df["code"].map(order)
    df = df.sort_values(["pattern_count", "_o", "kind", "id"], ascending=[False, True, True, True], kind="stable")
    return df.drop(columns="_o").reset_index(drop=True)


def _partial_matches(
    codebook: Codebook, misses: dict[str, list[str]], text_of: dict[str, str]
) -> dict[tuple[str, str], str]:
    """For texts a code missed: which terms of its rule occur in the text
    (marking negated occurrences), so a maintainer sees how close it came."""
    if not misses:
        return {}
    probes: list[dict[str, str]] = []
    owner: dict[str, tuple[str, str]] = {}
    for c in misses:
        ast = codebook[c].ast
        if ast is None:
            continue
        seen: set[str] = set()
        for node in walk(ast):
            if isinstance(node, (Word, Phrase, Synonyms)):
                base = str(_with_polarity(node, "plain"))
                for label, rule in ((base, f"{base}"), (f"{base} (negated)", f"neg({base})")):
                    if label not in seen:
                        seen.add(label)
                        pid = f"p{len(probes)}"
                        probes.append({"id": pid, "label": pid, "rule": rule})
                        owner[pid] = (c, label)
            elif isinstance(node, (Near, String, Regex)):
                label = str(node)
                if label not in seen:
                    seen.add(label)
                    pid = f"p{len(probes)}"
                    probes.append({"id": pid, "label": pid, "rule": label})
                    owner[pid] = (c, label)
    if not probes:
        return {}
    probe_cb = _Codebook.from_dict(
        {
            "codes": probes,
            "synonyms": codebook.synonyms,
            "user_words": codebook.user_words,
            "negation": codebook.negation,
        }
    )
    ids = sorted({i for v in misses.values() for i in v})
    res = apply_codebook(probe_cb, Corpus(ids, [text_of[i] for i in ids]), cache=False)
    found: dict[tuple[str, str], list[str]] = {}
    for pid, (c, label) in owner.items():
        for i in res.matrix.index[res.matrix[pid]]:
            if i in misses[c]:
                found.setdefault((i, c), []).append(label)
    return {k: "; ".join(v) for k, v in found.items()}
