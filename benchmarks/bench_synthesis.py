"""Cross-group synthesis (``synthesize``) on the sample corpus and on 100,000 answers.

Issue #15: ``synthesize`` took 24 s on the 2,350 sample answers (71 s on
23,500), about 90 % of it in one SciPy chi-square call per word and theme
while picking keywords. It now scores every theme × word table at once
(:func:`kotoba_code.analysis.keyness.keyness_g2`) and builds the coding
evidence as arrays.

Measured after tokenizing (tokens cached, not timed), each in this process:

* ``code+synthesize``: what the command does after tokenizing — code the
  corpus with the shipped codebook, then synthesize (evidence included);
* ``synthesize``: the synthesis of a fresh coding result alone;
* ``baseline``: the keywords chosen as before, one
  ``scipy.stats.chi2_contingency`` per word and theme, on the same result
  (sample corpus only: on 100,000 answers it would take many minutes).

Goals: sample corpus under 3 s, 100,000 answers under 30 s.

Run: ``python benchmarks/bench_synthesis.py [--n 100000]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_tokenize import make_answers
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]


def baseline_keywords(result, n: int = 5) -> list[str]:  # noqa: ANN001 - the code issue #15 replaced
    """The keyword selection before issue #15: G² by one SciPy call per word and theme."""
    from kotoba_code.analysis.frequency import doc_term_matrix
    from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS

    tokens = result.tokens
    vocab = tokens.vocab
    keep = tokens.pos_mask(None) & ~vocab["lemma"].isin(DEFAULT_STOP_WORDS).to_numpy()
    keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    gid, labels = pd.factorize(vocab["lemma"].astype(str))
    gid = np.where(keep, gid, -1)
    X = (doc_term_matrix(tokens, gid, n_terms=len(labels)) > 0).astype(np.int64).tocsc()
    cols = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() >= 2)
    m = X[:, cols].toarray().astype(bool)
    out = []
    for c in result.matrix.columns:
        sel = result.matrix[c].to_numpy()
        if not sel.any():
            out.append("")
            continue
        a, b = m[sel].sum(axis=0), m[~sel].sum(axis=0)
        n1, n2 = int(sel.sum()), int((~sel).sum())
        score = []
        for ai, bi in zip(a, b, strict=True):
            table = np.array([[ai, bi], [n1 - ai, n2 - bi]])
            if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
                score.append(0.0)
            else:
                score.append(stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0])
        score = np.where((a / n1 > b / max(n2, 1)) & (a >= 2), score, 0.0)
        top = np.argsort(-score, kind="stable")[:n]
        out.append(";".join(labels[cols[k]] for k in top if score[k] > 0))
    return out


def run(path: Path, *, text_col: str, baseline: bool, cache: Path) -> dict:
    from kotoba_code import read_corpus, tokenize
    from kotoba_code.analysis.synthesis import synthesize
    from kotoba_code.codebook import Codebook
    from kotoba_code.coding import RuleCoder

    corpus = read_corpus(path, text_col=text_col, id_col="id")
    coder = RuleCoder(Codebook.load("welfare_employment"))
    tokens = tokenize(corpus, tokenizer=coder.tokenizer(), cache=cache, progress=False)
    synthesize(coder.code(tokens), by="group")  # warm-up: one-off tables (Unicode classes, regexes)
    t0 = time.perf_counter()
    table = synthesize(coder.code(tokens), by="group")
    both = time.perf_counter() - t0
    result = coder.code(tokens)
    t0 = time.perf_counter()
    synthesize(result, by="group")
    alone = time.perf_counter() - t0
    out = {
        "answers": len(corpus),
        "tokens": len(tokens),
        "code+synthesize_s": round(both, 3),
        "synthesize_s": round(alone, 3),
        "shared": int(table["shared"].sum()),
    }
    if baseline:
        t0 = time.perf_counter()
        baseline_keywords(result)
        out["baseline_keywords_s"] = round(time.perf_counter() - t0, 3)
        out["speedup_vs_baseline_keywords"] = round(out["baseline_keywords_s"] / alone, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "synthesis.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        results = {"sample": run(ROOT / "corpus" / "answers.csv", text_col="answer", baseline=True, cache=cache)}
        print(json.dumps(results, ensure_ascii=False))
        if args.n:
            big = Path(tmp) / "answers.csv"
            make_answers(big, args.n)
            results["generated"] = run(big, text_col="answer", baseline=False, cache=cache)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
