"""Learned coding benchmark: training time, and coding 100,000 answers with
rules + model against the rules alone, in the same process.

* training: a rules + model (hybrid) coder on all 2,350 labelled answers of
  ``corpus/labelled/`` (tune, dev, test, test2), tokenizing included;
* save and load the model file (a fresh load also reads GiNZA's vector table);
* coding: the 100,000 answers of ``bench_coding.py`` (same generator, same
  seed), tokenized once; then, interleaved over several rounds after one
  warm-up round of each (which builds the indexes kept with the token store
  and loads the vector table once per process):
  rules alone = ``Codebook.load`` + ``apply`` (as bench_coding.py times it),
  rules + model = ``HybridCoder.code`` (rules applied inside), and the model
  alone. Medians of the rounds.

Goals (issue #13): training on all labelled answers under 60 s; rules + model
at most 2x the time of the rules alone.

Run: ``python benchmarks/bench_learned.py [--n 100000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench_tokenize import make_answers

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "learned.json")
    args = ap.parse_args()

    from kotoba_code import SudachiTokenizer, read_corpus, tokenize
    from kotoba_code.codebook import Codebook
    from kotoba_code.coding import HybridCoder, apply_codebook, load_model
    from kotoba_code.io.labels import read_labels

    cb = Codebook.load("welfare_employment")
    labelled = ROOT / "corpus" / "labelled"
    t0 = time.perf_counter()
    samples = [read_labels(labelled / f"{n}.csv", codebook=cb) for n in ("tune", "dev", "test", "test2")]
    hybrid = HybridCoder(cb).fit_samples(samples, rules_tuned_on=samples[:1])
    t_train = time.perf_counter() - t0
    n_train = len(hybrid.learned_.oof_proba_)

    with tempfile.TemporaryDirectory() as work:
        model_path = Path(work) / "model.kcm"
        t0 = time.perf_counter()
        hybrid.save(model_path)
        t_save = time.perf_counter() - t0
        size = model_path.stat().st_size
        t0 = time.perf_counter()
        hybrid = load_model(model_path, codebook=cb)
        t_load = time.perf_counter() - t0
        path = Path(work) / "answers.csv"
        n_chars = make_answers(path, args.n)
        corpus = read_corpus(path, text_col="answer", id_col="id")
    t0 = time.perf_counter()
    tokens = tokenize(corpus, tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=False)
    t_tok = time.perf_counter() - t0

    def rules() -> object:
        return apply_codebook(Codebook.load("welfare_employment"), tokens, unit="document")

    def both() -> object:
        return hybrid.code(tokens)

    def model() -> object:
        return hybrid.learned_.code(tokens)

    runs = {"rules": rules, "rules_model": both, "model": model}
    first = {}
    for name, fn in runs.items():
        t0 = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - t0
    timings: dict[str, list[float]] = {k: [] for k in runs}
    coded = {}
    for _ in range(args.rounds):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            res = fn()
            timings[name].append(time.perf_counter() - t0)
            coded[name] = int(res.matrix.to_numpy().sum())  # type: ignore[attr-defined]
    med = {k: statistics.median(v) for k, v in timings.items()}
    result = {
        "answers": args.n,
        "characters": n_chars,
        "tokens": len(tokens),
        "tokenize_seconds": round(t_tok, 2),
        "train_answers": n_train,
        "train_seconds": round(t_train, 2),
        "save_seconds": round(t_save, 3),
        "load_seconds": round(t_load, 3),
        "model_bytes": size,
        "first_coding_seconds": {k: round(v, 3) for k, v in first.items()},
        "coding_seconds": {k: round(v, 3) for k, v in med.items()},
        "ratio_rules_model_to_rules": round(med["rules_model"] / med["rules"], 3),
        "coded_units": coded,
        "goals": {"train_seconds": 60, "ratio": 2.0},
    }
    print(f"training on {n_train:,} labelled answers (tokenizing included): {t_train:.1f} s (goal < 60 s)")
    print(f"model file {size / 1e6:.1f} MB; save {t_save:.2f} s, load {t_load:.2f} s")
    print(f"{args.n:,} answers, {len(tokens):,} tokens; tokenize {t_tok:.1f} s")
    for k, v in med.items():
        print(f"  {k}: {v:.2f} s (first run {first[k]:.2f} s)")
    print(f"  rules + model / rules alone: {result['ratio_rules_model_to_rules']:.2f} (goal <= 2)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
