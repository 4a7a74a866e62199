"""Tokenization benchmark: raw SudachiPy against ``kotoba-code words``.

Builds a CSV of 50,000 survey-style answers (sentences of the shipped sample
corpus recombined, with width variants and bullets), then times, in one
process and interleaved over several rounds:

* raw SudachiPy: read the CSV, split mode C, count dictionary forms (the floor);
* ``kotoba-code words`` first run: an empty cache directory;
* ``kotoba-code words`` re-run: the cache filled by the first run.

It reports medians and the ratios to raw SudachiPy. Goals (issue #2): first
run ≤ 1.3×, cached re-run ≤ 0.3×.

Run: ``python benchmarks/bench_tokenize.py [--n 50000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import random
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_answers(path: Path, n: int, seed: int = 0) -> int:
    """Write ``n`` answers built from the sample corpus; returns total characters."""
    import pandas as pd

    sample = pd.read_csv(ROOT / "corpus" / "answers.csv", dtype=str, keep_default_na=False)
    sentences = [s for t in sample["answer"] for s in re.split(r"(?<=[。\n])", t) if s.strip()]
    rng = random.Random(seed)
    total = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "group", "answer"])
        for i in range(n):
            k = rng.choice([1, 1, 2, 2, 3, 4])
            text = "".join(rng.choice(sentences) for _ in range(k))
            total += len(text)
            w.writerow([f"A{i:06d}", rng.choice(["自治体", "ハローワーク"]), text])
    return total


def raw_sudachi(path: Path) -> float:
    from sudachipy import dictionary, tokenizer

    t0 = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as f:
        texts = [row["answer"] for row in csv.DictReader(f)]
    tok = dictionary.Dictionary(dict="core").create(
        tokenizer.Tokenizer.SplitMode.C, fields={"pos", "normalized_form", "dictionary_form"}
    )
    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        for m in tok.tokenize(text):
            counts[m.dictionary_form()] += 1
    return time.perf_counter() - t0


def kotoba_words(path: Path, cache: Path, out: Path) -> float:
    from kotoba_code.cli.app import cli

    t0 = time.perf_counter()
    cli.main(
        ["words", str(path), "--text-col", "answer", "--id-col", "id", "--cache-dir", str(cache), "-o", str(out), "-q"],
        standalone_mode=False,
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "tokenize.json")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kotoba-bench-"))
    try:
        csv_path = work / "answers.csv"
        n_chars = make_answers(csv_path, args.n)
        # Warm-up: import everything and load the dictionary once for both sides.
        raw_sudachi(csv_path)
        raw, first, cached = [], [], []
        for r in range(args.rounds):
            cache = work / f"cache{r}"
            raw.append(raw_sudachi(csv_path))
            first.append(kotoba_words(csv_path, cache, work / "words.csv"))
            cached.append(kotoba_words(csv_path, cache, work / "words.csv"))
            shutil.rmtree(cache)
        med = {k: statistics.median(v) for k, v in {"raw": raw, "first": first, "cached": cached}.items()}
        result = {
            "answers": args.n,
            "characters": n_chars,
            "rounds": args.rounds,
            "seconds": med,
            "raw_chars_per_s": round(n_chars / med["raw"]),
            "ratio_first_to_raw": round(med["first"] / med["raw"], 3),
            "ratio_cached_to_raw": round(med["cached"] / med["raw"], 3),
            "goals": {"ratio_first_to_raw": 1.3, "ratio_cached_to_raw": 0.3},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.n:,} answers, {n_chars:,} characters, median of {args.rounds} rounds")
    print(f"  raw SudachiPy (mode C, count dictionary forms): {med['raw']:.2f} s")
    for key, label, goal in (("first", "first run ", 1.3), ("cached", "cached run", 0.3)):
        ratio = result[f"ratio_{key}_to_raw"]
        print(f"  kotoba-code words, {label}: {med[key]:.2f} s  = {ratio:.2f}x raw (goal <= {goal})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
