"""Scoring a codebook's rules against human labels.

:func:`evaluate` applies a codebook to the texts of a labelled sample and
compares, per code (presence/absence): precision, recall and F1 of the rules
against the reference coder, Cohen's kappa and Krippendorff's alpha between
rules and reference, and the same kappa and alpha between human coders when
a sample has several (inter-coder agreement is the ceiling a rule set can be
held to).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.coding import Coder, RuleCoder, apply_codebook
from kotoba_code.corpus import Corpus
from kotoba_code.errors import AnalysisError, CorpusReadError, Errors
from kotoba_code.evaluate.disagreements import _disagreements
from kotoba_code.evaluate.metrics import cohen_kappa, krippendorff_alpha, prf
from kotoba_code.evaluate.samples import LabelledSample

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook

__all__ = ["Evaluation", "evaluate"]


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

    def failures(
        self, *, min_f1: float | None = None, min_kappa: float | None = None, min_macro_f1: float | None = None
    ) -> list[str]:
        """The thresholds this evaluation fails, one message each (empty: it passes).

        This is the gate of ``kotoba-code test --min-f1 … --min-kappa …
        --min-macro-f1 …`` and of :func:`kotoba_code.testing.assert_codebook`.

        Examples
        --------
        >>> import pandas as pd
        >>> ev = Evaluation(codes=pd.DataFrame({"code": ["a"], "f1": [0.5], "kappa": [0.4]}),
        ...                 macro={"f1": 0.5}, micro={}, n=10, disagreements=pd.DataFrame())
        >>> ev.failures(min_f1=0.7, min_macro_f1=0.4)
        ['a: F1 0.500 < 0.7']
        """
        out = []
        for row in self.codes.to_dict(orient="records"):
            if min_f1 is not None and row["f1"] < min_f1:
                out.append(f"{row['code']}: F1 {row['f1']:.3f} < {min_f1}")
            if min_kappa is not None and row["kappa"] < min_kappa:
                out.append(f"{row['code']}: kappa {row['kappa']:.3f} < {min_kappa}")
        if min_macro_f1 is not None and self.macro["f1"] < min_macro_f1:
            out.append(f"macro-F1 {self.macro['f1']:.3f} < {min_macro_f1}")
        return out

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
    samples: LabelledSample | pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    reference: str | None = None,
    cache: bool | str | Path = False,
    coder: Coder | None = None,
) -> Evaluation:
    """Compare a codebook's rules with human labels.

    Parameters
    ----------
    codebook : Codebook
    samples : LabelledSample or DataFrame
        A DataFrame is read with :meth:`LabelledSample.from_frame`; read a
        file with :func:`kotoba_code.io.labels.read_labels`.
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
    if isinstance(samples, LabelledSample):
        sample = samples
    elif isinstance(samples, pd.DataFrame):
        sample = LabelledSample.from_frame(samples, codebook=codebook)
    else:
        # Reading files is the io layer's job, above this one.
        raise AnalysisError(
            Errors.E537.format(
                func="evaluate", takes="a LabelledSample or a DataFrame", path=samples, reader="read_labels"
            )
        )
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
        result = apply_codebook(codebook, corpus, cache=cache)
    else:
        result = coder.code(RuleCoder(codebook).tokenize(corpus, cache=cache))
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
    # Exact-set accuracy: the share of texts whose whole set of codes is right.
    exact = float((gold.to_numpy() == pred.to_numpy()).all(axis=1).mean()) if len(gold) else float("nan")
    return Evaluation(table, macro, micro, int(len(gold)), dis, ref, coders, result, exact)
