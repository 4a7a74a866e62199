"""Correspondence analysis of words × group on 100,000 answers.

The answers are tokenized once (not timed). Then, in the same process:

* kotoba_code: ``word_correspondence(tokens, by)`` — content words without stop
  words, the groups × words table by a sparse product over the token store,
  KH Coder's χ² filter (60 words, at least 3 occurrences), exact SVD;
* baseline: what one writes with pandas — a token-level DataFrame (group of
  the token's answer, word id) cross-tabulated with ``pd.crosstab``, the same
  word filter and the same SVD (so both give the same coordinates, checked).

Both are run for ``group`` (2 groups, as the survey's 自治体 / ハローワーク) and
for ``prefecture`` (47 groups, added to the generated answers with a seed).
Reports the time of each (best of ``--rounds``), the ratio baseline / kotoba_code,
and writes ``benchmarks/results/ca.json``. Goal (issue #14): words × group under 3 s.

Run: ``python benchmarks/bench_ca.py [--n 100000]``
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_tokenize import make_answers

ROOT = Path(__file__).resolve().parents[1]
PREFECTURES = [f"県{i:02d}" for i in range(1, 48)]


def best_of(rounds: int, fn):  # noqa: ANN001, ANN201 - tiny helper
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, min(times)


def baseline(tokens, by: str, top: int = 60, min_count: int = 3):  # noqa: ANN001, ANN201
    from kotoba_code.analysis._terms import word_ids
    from kotoba_code.analysis.correspondence import chi2_against_totals, correspondence

    gid, terms = word_ids(tokens)
    groups = tokens.corpus.metadata[by].astype(str).to_numpy()
    doc = tokens.doc_index
    term = gid[tokens.word]
    df = pd.DataFrame({"group": groups[doc], "term": term})
    totals = df.groupby("group").size()
    words = df[df["term"] >= 0]
    table = pd.crosstab(words["group"], words["term"])
    table = table.loc[:, table.sum() >= min_count]
    chi = chi2_against_totals(table.to_numpy(dtype=float), totals.loc[table.index].to_numpy(dtype=float))
    freq = table.sum().to_numpy()
    labels = terms["label"].to_numpy()[table.columns.to_numpy()]
    order = np.lexsort((labels, -freq, -chi))[:top]
    table = table.iloc[:, order]
    table.columns = labels[order]
    table.index.name = by
    return correspondence(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "ca.json")
    args = ap.parse_args()

    from kotoba_code import read_corpus, tokenize
    from kotoba_code.analysis.correspondence import word_correspondence

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "answers.csv"
        make_answers(path, args.n)
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        rng = random.Random(1)
        df["prefecture"] = [rng.choice(PREFECTURES) for _ in range(len(df))]
        df.to_csv(path, index=False)
        corpus = read_corpus(path, text_col="answer", id_col="id")
    t0 = time.perf_counter()
    tokens = tokenize(corpus, cache=False)
    print(f"tokenized {args.n:,} answers ({len(tokens):,} tokens) in {time.perf_counter() - t0:.1f} s (not timed)")

    result: dict = {"answers": args.n, "tokens": len(tokens), "rounds": args.rounds, "goal_seconds": 3.0, "runs": {}}
    for by in ("group", "prefecture"):
        ca, t_kc = best_of(args.rounds, lambda by=by: word_correspondence(tokens, by))
        ref, t_base = best_of(args.rounds, lambda by=by: baseline(tokens, by))
        # Same table, same coordinates (up to the sign of a dimension).
        assert list(ca.columns.index) == list(ref.columns.index), "the two word selections differ"
        diff = float(np.abs(np.abs(ca.columns.to_numpy()) - np.abs(ref.columns.to_numpy())).max())
        print(
            f"words × {by} ({len(ca.rows)} groups × {len(ca.columns)} words): kotoba_code {t_kc:.3f} s, "
            f"pandas baseline {t_base:.3f} s, ratio {t_base / t_kc:.1f}x; max |coordinate| difference {diff:.1e}"
        )
        result["runs"][by] = {
            "groups": len(ca.rows),
            "words": len(ca.columns),
            "eigenvalues": [round(float(v), 6) for v in ca.eigenvalues],
            "kotoba_code_seconds": round(t_kc, 3),
            "baseline_seconds": round(t_base, 3),
            "ratio_baseline_to_kotoba_code": round(t_base / t_kc, 1),
            "max_coordinate_difference": diff,
            "under_goal": t_kc < 3.0,
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
