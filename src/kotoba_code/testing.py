"""Helpers for testing a codebook with pytest, in a few lines per test.

Example (``tests/test_my_codebook.py`` in your own repository)::

    from kotoba_code.testing import assert_codebook, assert_codes

    def test_agreement_with_coders():
        assert_codebook("codebooks/mine.yaml", "labelled/test.csv",
                        min_f1=0.7, min_macro_f1=0.85, per_code={"engagement_gap": 0.8})

    def test_denials_are_not_coded():
        assert_codes("codebooks/mine.yaml", "連携に温度差はない", lacks=["engagement_gap"])
        assert_codes("codebooks/mine.yaml", "一部の機関とは温度差を感じる", has=["engagement_gap"])

A failure message lists the codes below their threshold and, for each, the
disagreeing texts with the rule terms that matched (or nearly matched).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.corpus import Corpus
from kotoba_code.evaluate import Evaluation, evaluate
from kotoba_code.io.codebooks import read_codebook
from kotoba_code.io.labels import read_labels

__tracebackhide__ = True


def _codebook(cb: Codebook | str | Path) -> Codebook:
    return cb if isinstance(cb, Codebook) else read_codebook(cb)


def assert_codebook(
    codebook: Codebook | str | Path,
    samples: str | Path | pd.DataFrame,
    *,
    min_f1: float | None = None,
    min_kappa: float | None = None,
    min_macro_f1: float | None = None,
    per_code: Mapping[str, float] | None = None,
    max_examples: int = 5,
) -> Evaluation:
    """Assert that the rules agree with the labelled ``samples``.

    ``min_f1``/``min_kappa`` apply to every code, ``per_code`` gives a minimum
    F1 per code id, ``min_macro_f1`` to the macro average. Returns the
    :class:`~kotoba_code.evaluate.Evaluation` for further checks.
    """
    __tracebackhide__ = True

    cb = _codebook(codebook)
    ev = evaluate(
        cb, samples if isinstance(samples, pd.DataFrame) and "coder" in samples else read_labels(samples, codebook=cb)
    )
    t = ev.codes.set_index("code")
    problems: list[str] = []
    for code, row in t.iterrows():
        limit_f1 = (per_code or {}).get(code, min_f1)
        if limit_f1 is not None and row["f1"] < limit_f1:
            problems.append(
                f"{code} ({row['label']}): F1 {row['f1']:.3f} < {limit_f1} "
                f"(P {row['precision']:.3f}, R {row['recall']:.3f}, support {row['support']})"
            )
        elif min_kappa is not None and row["kappa"] < min_kappa:
            problems.append(f"{code} ({row['label']}): kappa {row['kappa']:.3f} < {min_kappa}")
    if min_macro_f1 is not None and ev.macro["f1"] < min_macro_f1:
        problems.append(f"macro-F1 {ev.macro['f1']:.3f} < {min_macro_f1}")
    if problems:
        failing = {p.split(" ")[0] for p in problems}
        examples = ev.disagreements[ev.disagreements["code"].isin(failing)].head(max_examples * max(len(failing), 1))
        lines = ["codebook does not reach its thresholds:", *("  " + p for p in problems), "disagreements:"]
        for r in examples.itertuples():
            lines.append(f"  [{r.kind}] {r.code} id={r.id}: {r.text!r}  evidence: {r.evidence or '-'}")
        raise AssertionError("\n".join(lines))
    return ev


def assert_codes(
    codebook: Codebook | str | Path, text: str, *, has: Iterable[str] = (), lacks: Iterable[str] = ()
) -> None:
    """Assert that ``text`` gets every code in ``has`` and none in ``lacks``.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> assert_codes(cb, "温度差がある", has=["gap"])
    >>> assert_codes(cb, "温度差はない", lacks=["gap"])
    """
    __tracebackhide__ = True
    cb = _codebook(codebook)
    res = apply_codebook(cb, Corpus.from_texts([text]), cache=False)
    got = {c for c, v in res.matrix.iloc[0].items() if v}
    missing = [c for c in has if c not in got]
    extra = [c for c in lacks if c in got]
    if missing or extra:
        ev = res.evidence
        why = "; ".join(f"{r.code}: {r.term} matched {r.text!r}" for r in ev.itertuples() if r.code in extra)
        raise AssertionError(
            f"{text!r}: codes {sorted(got)}"
            + (f"; expected also {missing}" if missing else "")
            + (f"; expected not {extra} ({why})" if extra else "")
        )
