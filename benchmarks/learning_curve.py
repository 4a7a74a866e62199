"""Learning curve: macro-F1 and exact-set accuracy on ``test2.csv`` of the
model alone and of rules + model, against the number of labelled answers.

Training answers are drawn at random (seeded) from ``tune.csv`` + ``dev.csv``
(100, 200, 400, 800 and all 1,900); answers of ``tune.csv`` are flagged as the
ones the rules were tuned on. Each size but "all" is drawn ``--repeats`` times
and the mean (and range) reported. Rules alone are scored once.

Run: ``python benchmarks/learning_curve.py [--repeats 3]``; writes
``benchmarks/results/learning_curve.json`` and a table in Markdown.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sizes", default="100,200,400,800,all")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "learning_curve.json")
    args = ap.parse_args()

    from kotoba_code.codebook import Codebook
    from kotoba_code.coding import HybridCoder, LearnedCoder
    from kotoba_code.coding.features import subset_tokens
    from kotoba_code.coding.learned import samples_to_training
    from kotoba_code.evaluate import evaluate
    from kotoba_code.io.labels import read_labels

    cb = Codebook.load("welfare_employment")
    labelled = ROOT / "corpus" / "labelled"
    tune, dev = (read_labels(labelled / f"{n}.csv", codebook=cb) for n in ("tune", "dev"))
    test2 = read_labels(labelled / "test2.csv", codebook=cb)
    tokens, y, _ = samples_to_training([tune, dev], cb)
    tuned = np.isin(tokens.corpus.ids, tune.texts["id"].tolist())
    rules = evaluate(cb, test2)
    rows = []
    for size in args.sizes.split(","):
        n = len(y) if size == "all" else int(size)
        repeats = 1 if n >= len(y) else args.repeats
        for seed in range(repeats):
            pick = np.sort(np.random.default_rng(seed).choice(len(y), size=n, replace=False))
            sub = subset_tokens(tokens, pick)
            t0 = time.perf_counter()
            hybrid = HybridCoder(cb, LearnedCoder(cb, random_state=seed)).fit(sub, y[pick], rules_tuned=tuned[pick])
            secs = time.perf_counter() - t0
            both = evaluate(cb, test2, coder=hybrid)
            alone = evaluate(cb, test2, coder=hybrid.learned_)
            rows.append(
                {
                    "n": n,
                    "seed": seed,
                    "train_seconds": round(secs, 2),
                    "model_f1": round(alone.macro["f1"], 4),
                    "model_exact": round(alone.exact, 4),
                    "hybrid_f1": round(both.macro["f1"], 4),
                    "hybrid_exact": round(both.exact, 4),
                }
            )
            print(rows[-1], flush=True)
    summary = []
    for n in dict.fromkeys(r["n"] for r in rows):
        rs = [r for r in rows if r["n"] == n]
        entry = {"n": n, "runs": len(rs)}
        for k in ("model_f1", "model_exact", "hybrid_f1", "hybrid_exact"):
            v = np.array([r[k] for r in rs])
            entry[k] = round(float(v.mean()), 3)
            entry[k + "_range"] = [round(float(v.min()), 3), round(float(v.max()), 3)]
        summary.append(entry)
    out = {
        "rules": {"f1": round(rules.macro["f1"], 4), "exact": round(rules.exact, 4)},
        "summary": summary,
        "runs": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nrules alone: macro-F1 {rules.macro['f1']:.3f}, exact-set {rules.exact:.3f}\n")
    heads = ["labelled answers", "model alone macro-F1", "model alone exact-set"]
    heads += ["rules + model macro-F1", "rules + model exact-set"]
    print("| " + " | ".join(heads) + " |")
    print("|---:|---:|---:|---:|---:|")
    for e in summary:
        cells = [e["model_f1"], e["model_exact"], e["hybrid_f1"], e["hybrid_exact"]]
        print(f"| {e['n']:,} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")


if __name__ == "__main__":
    main()
