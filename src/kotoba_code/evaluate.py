"""Testing coding rules against human labels: agreement and disagreements.

A *labelled sample* is a table of texts with the codes human coders gave them
(CSV/XLSX with a ``codes`` column of ids separated by ``;``, or JSON Lines with
a ``codes`` list), optionally with a ``coder`` column when several humans
coded the same texts. :func:`evaluate` applies a codebook to the texts and
compares, per code (presence/absence):

* precision, recall and F1 of the rules against the reference labels
  (scikit-learn's ``precision_recall_fscore_support``);
* Cohen's kappa (scikit-learn's ``cohen_kappa_score``) and Krippendorff's
  alpha, nominal (the ``krippendorff`` package), between rules and labels;
* the same kappa and alpha between human coders when a sample has several,
  since inter-coder agreement is the ceiling a rule set can be held to.

Conventions for degenerate cases: a code that neither the rules nor the
labels give to any text has precision, recall and F1 of 1 (nothing to find,
nothing found); where two raters agree on every text, kappa and alpha are 1
(both are 0/0 there, and perfect agreement is what they measure).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.errors import CorpusReadError, Errors

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook


# -- metrics -------------------------------------------------------------------


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two raters' 0/1 decisions; 1.0 where they agree on
    every item (kappa is 0/0 there).

    kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e
    the agreement expected from the raters' marginals (Cohen 1960,
    doi:10.1177/001316446002000104).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.5
    """
    a, b = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    if len(a) == 0 or np.array_equal(a, b):
        return 1.0
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=[0, 1]))


def krippendorff_alpha(*raters: Sequence[float]) -> float:
    """Krippendorff's alpha (nominal) of raters' 0/1 decisions on the same
    items; ``nan`` entries are missing ratings. 1.0 where all ratings agree.

    alpha = 1 - D_o / D_e, observed over expected disagreement (Krippendorff
    2011, Computing Krippendorff's Alpha-Reliability).

    Examples
    --------
    >>> round(krippendorff_alpha([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.533
    """
    data = np.asarray(raters, dtype=float)
    values = data[~np.isnan(data)]
    if values.size == 0 or np.all(values == values[0]):
        return 1.0
    # Items rated by fewer than two raters carry no pairable information.
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data[:, pairable], level_of_measurement="nominal"))


def prf(truth: Sequence[int], pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pred`` against ``truth`` (0/1), with
    zero_division=1 (see the module docstring).

    Examples
    --------
    >>> prf([1, 1, 0, 0], [1, 0, 1, 0])
    (0.5, 0.5, 0.5)
    """
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        np.asarray(truth, dtype=int), np.asarray(pred, dtype=int), average="binary", zero_division=1.0
    )
    return float(p), float(r), float(f)


# -- labelled samples ----------------------------------------------------------


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

    Unknown code ids (not in ``codebook``) are an error naming the row. With
    a ``coder`` column, several coders may label the same id; the text is
    taken from the first row of each id.

    Examples
    --------
    >>> import pandas as pd
    >>> s = read_labels(pd.DataFrame({"id": ["1", "2"], "text": ["a", "b"], "codes": ["x;y", ""]}))
    >>> [sorted(c) for c in s.labels["codes"]]
    [['x', 'y'], []]
    """
    from kotoba_code.io.readers import read_table

    where = str(source) if not isinstance(source, pd.DataFrame) else "<DataFrame>"
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    elif Path(source).suffix.lower() == ".qdpx":
        from kotoba_code.io.refi_qda import read_qdpx_labels

        return read_qdpx_labels(source, codebook=codebook)
    else:
        df = read_table(source, sheet=sheet)
    from kotoba_code.coding.review import REVIEW_COLUMN, labels_from_review

    if codes_col not in df.columns and REVIEW_COLUMN in df.columns:
        # A review queue filled in by a reviewer (kotoba-code review).
        df = labels_from_review(df, where, codes_col)
    for col in (id_col, text_col, codes_col):
        if col not in df.columns:
            raise CorpusReadError(Errors.E102.format(path=where, column=col, columns=", ".join(map(str, df.columns))))
    known = set(codebook.ids) if codebook is not None else None
    rows = []
    for k, rec in enumerate(df.to_dict(orient="records"), start=2 if not isinstance(source, pd.DataFrame) else 1):
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
                Errors.E114.format(path=where, row=k, id=rec[id_col], codes=bad, known=", ".join(sorted(known)))
            )
        coder = str(rec.get(coder_col, "") or "coder1") if coder_col and coder_col in df.columns else "coder1"
        rows.append({"id": str(rec[id_col]).strip(), "coder": coder, "codes": codes})
    labels = pd.DataFrame(rows, columns=["id", "coder", "codes"])
    dup = labels.duplicated(["id", "coder"])
    if dup.any():
        i = labels[dup].iloc[0]
        raise CorpusReadError(Errors.E105.format(path=where, id=i["id"], rows=f"(coder {i['coder']})"))
    meta_cols = [c for c in df.columns if c not in (codes_col, coder_col)]
    texts = df[meta_cols].copy()
    texts[id_col] = texts[id_col].astype(str).str.strip()
    texts = texts.drop_duplicates(id_col).rename(columns={id_col: "id", text_col: "text"}).reset_index(drop=True)
    return LabelledSample(texts=texts, labels=labels, source=where)


# -- evaluation ----------------------------------------------------------------


@dataclass
class Evaluation:
    """Agreement of a codebook's rules with human labels.

    Attributes
    ----------
    exact : float
        Share of texts whose whole set of codes equals the reference's
        (exact-set accuracy).
    codes : DataFrame
        Per code: ``support`` (texts the reference coder gave the code),
        ``predicted``, ``precision``, ``recall``, ``f1``, ``kappa``, ``alpha``
        (rules vs reference), and with several coders ``human_kappa`` and
        ``human_alpha`` (between the human coders).
    macro, micro : dict
        ``precision``, ``recall``, ``f1`` averaged over codes (macro) or
        pooled over all code decisions (micro).
    disagreements : DataFrame
        ``id``, ``code``, ``kind`` (``fp``: rules coded, reference did not;
        ``fn``: the reverse), ``text``, ``evidence`` (the rule terms that
        matched, or for a miss the terms of the rule found in the text), and
        ``pattern_count`` (how many disagreements share this code, kind and
        evidence); the most common patterns come first.
    """

    codes: pd.DataFrame
    macro: dict[str, float]
    micro: dict[str, float]
    n: int
    disagreements: pd.DataFrame
    reference: str = "coder1"
    coders: list[str] = field(default_factory=list)
    result: Any = None
    exact: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure printed by ``kotoba-code test --format json``."""
        codes = {
            row["code"]: {k: _num(row[k]) for k in self.codes.columns if k not in ("code", "label")}
            for row in self.codes.to_dict(orient="records")
        }
        dis = [
            {k: _num(r[k]) for k in ("id", "code", "kind", "text", "evidence")}
            for r in self.disagreements.to_dict(orient="records")
        ]
        return {
            "n": self.n,
            "reference": self.reference,
            "coders": self.coders,
            "codes": codes,
            "macro": {k: _num(v) for k, v in self.macro.items()},
            "micro": {k: _num(v) for k, v in self.micro.items()},
            "exact": _num(self.exact),
            "disagreements": dis,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _num(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else round(float(v), 4)
    if isinstance(v, np.integer):
        return int(v)
    return v


def evaluate(
    codebook: Codebook,
    samples: LabelledSample | str | Path | pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    reference: str | None = None,
    cache: bool | str | Path = False,
    coder: Any = None,
) -> Evaluation:
    """Compare a codebook's rules with human labels.

    Parameters
    ----------
    codebook : Codebook
    samples : LabelledSample, path or DataFrame
        See :func:`read_labels`.
    codes : iterable of str, optional
        Only these code ids (default: every code of the codebook).
    reference : str, optional
        The coder whose labels the rules are scored against (default: the
        first coder in the file).
    coder : Coder, optional
        Score this coder (a learned or hybrid model, see
        :mod:`kotoba_code.coding`) instead of the codebook's rules; the texts
        are tokenized with the codebook's user words.

    Examples
    --------
    >>> import pandas as pd
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> df = pd.DataFrame({"id": ["1", "2", "3"], "text": ["温度差がある", "温度差はない", "特になし"],
    ...                    "codes": ["gap", "", ""]})
    >>> ev = evaluate(cb, df)
    >>> ev.codes[["code", "support", "precision", "recall", "f1", "kappa"]].values.tolist()
    [['gap', 1, 1.0, 1.0, 1.0, 1.0]]
    """
    from kotoba_code.corpus import Corpus

    sample = samples if isinstance(samples, LabelledSample) else read_labels(samples, codebook=codebook)
    code_ids = list(codes) if codes is not None else codebook.ids
    unknown = [c for c in code_ids if c not in codebook.ids]
    if unknown:
        raise CorpusReadError(
            Errors.E114.format(path="--code", row="-", id="-", codes=", ".join(unknown), known=", ".join(codebook.ids))
        )
    coders = sample.coders
    ref = reference or coders[0]
    meta = sample.texts.drop(columns=["id", "text"])
    corpus = Corpus(sample.texts["id"].tolist(), sample.texts["text"].tolist(), metadata=meta, name=sample.source)
    if coder is None:
        result = codebook.apply(corpus, cache=cache)
    else:
        from kotoba_code.tokenize import SudachiTokenizer, tokenize

        tokens = tokenize(corpus, tokenizer=SudachiTokenizer(user_words=codebook.user_words), cache=cache)
        result = coder.code(tokens)
    pred = result.to_frame().set_index("id")[code_ids].astype(int)
    gold_all = sample.matrix(ref, code_ids)
    labelled = gold_all.notna().all(axis=1)
    gold = gold_all[labelled].astype(int)
    pred = pred.loc[gold.index]
    rows = []
    for c in code_ids:
        t, p = gold[c].to_numpy(), pred[c].to_numpy()
        precision, recall, f1 = prf(t, p)
        row = {
            "code": c,
            "label": codebook[c].label,
            "support": int(t.sum()),
            "predicted": int(p.sum()),
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "kappa": cohen_kappa(t, p),
            "alpha": krippendorff_alpha(t, p),
        }
        if len(coders) > 1:
            mats = [sample.matrix(k, code_ids)[c].to_numpy() for k in coders]
            both = ~np.isnan(mats[0]) & ~np.isnan(mats[1])
            row["human_kappa"] = cohen_kappa(mats[0][both], mats[1][both]) if both.any() else float("nan")
            row["human_alpha"] = krippendorff_alpha(*mats)
        rows.append(row)
    table = pd.DataFrame(rows)
    macro = {k: float(table[k].mean()) for k in ("precision", "recall", "f1")}
    t_all, p_all = gold.to_numpy().ravel(), pred.to_numpy().ravel()
    mp, mr, mf = prf(t_all, p_all)
    micro = {"precision": mp, "recall": mr, "f1": mf}
    dis = _disagreements(codebook, result, gold, pred, sample, code_ids)
    exact = float((gold.to_numpy() == pred.to_numpy()).all(axis=1).mean()) if len(gold) else float("nan")
    return Evaluation(table, macro, micro, int(len(gold)), dis, ref, coders, result, exact)


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
    from kotoba_code.codebook.model import Codebook as _Codebook
    from kotoba_code.codebook.rules import Near, Phrase, Regex, String, Synonyms, Word, _with_polarity, walk
    from kotoba_code.corpus import Corpus

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
    res = probe_cb.apply(Corpus(ids, [text_of[i] for i in ids]), cache=False)
    found: dict[tuple[str, str], list[str]] = {}
    for pid, (c, label) in owner.items():
        for i in res.matrix.index[res.matrix[pid]]:
            if i in misses[c]:
                found.setdefault((i, c), []).append(label)
    return {k: "; ".join(v) for k, v in found.items()}


def diff_codebooks(
    old: Codebook, new: Codebook, data: str | Path | pd.DataFrame, *, text_col: str = "text", id_col: str = "id"
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Compare two versions of a codebook on the same texts.

    Returns the changes — one row per document and code whose coding changed:
    ``id``, ``code``, ``change`` (``+`` gained, ``-`` lost) and ``text`` — and,
    when ``data`` has a ``codes`` column (a labelled sample), the per-code
    metrics of both versions side by side (``f1_old``, ``f1_new``,
    ``f1_delta``, and likewise precision, recall and kappa).
    """
    from kotoba_code.corpus import Corpus
    from kotoba_code.io.readers import read_corpus, read_table

    if isinstance(data, pd.DataFrame):
        df = data
    else:
        path = Path(data)
        df = read_table(path) if path.suffix.lower() in (".csv", ".tsv", ".xlsx", ".jsonl") else None
        if df is None:
            corpus = read_corpus(path)
    if df is not None:
        if text_col not in df.columns:
            raise CorpusReadError(
                Errors.E102.format(path=data, column=text_col, columns=", ".join(map(str, df.columns)))
            )
        ids = df[id_col].astype(str).tolist() if id_col in df.columns else [str(i + 1) for i in range(len(df))]
        first = ~pd.Series(ids).duplicated().to_numpy()
        corpus = Corpus([i for i, f in zip(ids, first, strict=True) if f], df[text_col][first].tolist())
    a = old.apply(corpus, cache=False).to_frame().set_index("id")
    b = new.apply(corpus, cache=False).to_frame().set_index("id")
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
