"""Coding benchmark: recode 100,000 tokenized answers with the shipped codebook.

Tokenizes 100,000 survey-style answers (sentences of the sample corpus
recombined) once, then times coding them with the shipped codebook at document
and sentence level, beside the time to tokenize:

* first coding: the first ``apply`` at a unit level also builds the indexes
  kept with the token store (negation marks, units, postings, the character
  n-gram index for regular expressions); paid once per tokenized corpus;
* recode: ``Codebook.load`` + ``apply`` again, as after every rule edit (the
  codebook is loaded afresh each round, so nothing from its last run is
  reused); the median of the rounds.

Goal (issue #3): recoding with the 20-code codebook takes under 2 s here.

Run: ``python benchmarks/bench_coding.py [--n 100000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench_tokenize import make_answers

from kotoba_code.coding import apply_codebook

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "coding.json")
    args = ap.parse_args()

    from kotoba_code import SudachiTokenizer, read_corpus, tokenize
    from kotoba_code.codebook import Codebook

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "answers.csv"
        n_chars = make_answers(path, args.n)
        corpus = read_corpus(path, text_col="answer", id_col="id")
    cb = Codebook.load("welfare_employment")
    t0 = time.perf_counter()
    tokens = tokenize(corpus, tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=False)
    t_tok = time.perf_counter() - t0
    units = ("document", "sentence")
    first: dict[str, float] = {}
    timings: dict[str, list[float]] = {u: [] for u in units}
    counts = {}
    for unit in units:
        t0 = time.perf_counter()
        apply_codebook(Codebook.load("welfare_employment"), tokens, unit=unit)
        first[unit] = time.perf_counter() - t0
    for _ in range(args.rounds):
        for unit in units:
            t0 = time.perf_counter()
            res = apply_codebook(Codebook.load("welfare_employment"), tokens, unit=unit)
            timings[unit].append(time.perf_counter() - t0)
            counts[unit] = int(res.matrix.to_numpy().sum())
    med = {u: statistics.median(v) for u, v in timings.items()}
    result = {
        "answers": args.n,
        "characters": n_chars,
        "tokens": len(tokens),
        "codes": len(cb),
        "tokenize_seconds": round(t_tok, 3),
        "first_coding_seconds": {u: round(v, 3) for u, v in first.items()},
        "recode_seconds": {u: round(v, 3) for u, v in med.items()},
        "recode_to_tokenize": {u: round(v / t_tok, 4) for u, v in med.items()},
        "coded_units": counts,
        "goal_recode_seconds": 2.0,
    }
    print(f"{args.n:,} answers, {n_chars:,} characters, {len(tokens):,} tokens, {len(cb)} codes")
    print(f"  tokenize (SudachiPy, mode C, user words): {t_tok:.2f} s")
    for u, v in med.items():
        print(f"  {u} units: first coding {first[u]:.2f} s (builds the indexes once)")
        print(f"  {u} units: recode {v:.2f} s  ({v / t_tok:.3f} of tokenizing; goal < 2 s)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
