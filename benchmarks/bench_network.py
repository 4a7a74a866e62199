"""Word co-occurrence network on 100,000 answers: kotoba_code against nlplot.

Both sides start from the same tokens: the answers are tokenized once (not
timed), then

* kotoba_code: ``word_network(tokens)`` — content words without stop words,
  sparse Jaccard over documents, the 75 most frequent words, top 60 edges,
  Louvain communities and centralities;
* nlplot (``NLPlot.build_graph``): the same per-document word lists (content
  words without stop words), its co-occurrence edges, centralities and
  greedy-modularity communities.

Reports time and peak traced memory (tracemalloc) of each, and the ratio.
Goal (issue #5): kotoba_code at least 20× faster. nlplot is installed in the
benchmark environment only (``pip install nlplot``); it is not a dependency.

Run: ``python benchmarks/bench_network.py [--n 100000]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd
from bench_tokenize import make_answers

ROOT = Path(__file__).resolve().parents[1]


def measure(fn):  # noqa: ANN001, ANN201 - tiny helper
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument(
        "--min-edge-frequency",
        type=int,
        default=None,
        help="nlplot's edge threshold (default: the count of kotoba_code's 60th edge)",
    )
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "network.json")
    args = ap.parse_args()

    from kotoba_code import read_corpus, tokenize
    from kotoba_code.analysis.network import word_network
    from kotoba_code.tokenize.tokens import CONTENT_POS
    from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "answers.csv"
        make_answers(path, args.n)
        corpus = read_corpus(path, text_col="answer", id_col="id")
    tokens = tokenize(corpus, cache=False)

    g, t_kc, mem_kc = measure(lambda: word_network(tokens))
    print(
        f"kotoba_code word_network: {t_kc:.2f} s, peak {mem_kc:.0f} MiB, "
        f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges"
    )

    # The same word lists for nlplot: content words, no numerals, no stop words.
    vocab = tokens.vocab
    keep = tokens.pos_mask(list(CONTENT_POS)) & ~vocab["lemma"].isin(DEFAULT_STOP_WORDS).to_numpy()
    keep &= ~vocab["pos"].astype(str).str.startswith("名詞-数詞").to_numpy()
    lemma = vocab["lemma"].to_numpy(dtype=object)
    words = [
        [lemma[w] for w in tokens.word[a:b] if keep[w]]
        for a, b in zip(tokens.doc_ptr[:-1].tolist(), tokens.doc_ptr[1:].tolist(), strict=True)
    ]
    min_edge = args.min_edge_frequency or int(min(d["count"] for _, _, d in g.edges(data=True)))
    result = {
        "answers": args.n,
        "tokens": len(tokens),
        "kotoba_code": {
            "seconds": round(t_kc, 3),
            "peak_mib": round(mem_kc, 1),
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
        },
    }
    try:
        import nlplot
    except ImportError:
        print("nlplot is not installed (pip install nlplot): only kotoba_code was measured")
    else:
        df = pd.DataFrame({"words": pd.Series(words, dtype=object)})

        def run_nlplot():  # noqa: ANN202
            with tempfile.TemporaryDirectory() as out:
                npt = nlplot.NLPlot(df, target_col="words", output_file_path=out + "/")
                npt.build_graph(stopwords=[], min_edge_frequency=min_edge)
                return npt

        npt, t_np, mem_np = measure(run_nlplot)
        print(
            f"nlplot build_graph (min_edge_frequency={min_edge}): {t_np:.2f} s, peak {mem_np:.0f} MiB, "
            f"{npt.G.number_of_nodes()} nodes, {npt.G.number_of_edges()} edges"
        )
        print(f"kotoba_code is {t_np / t_kc:.1f}x faster (goal >= 20x)")
        result["nlplot"] = {
            "seconds": round(t_np, 3),
            "peak_mib": round(mem_np, 1),
            "nodes": npt.G.number_of_nodes(),
            "edges": npt.G.number_of_edges(),
            "min_edge_frequency": min_edge,
        }
        result["speedup"] = round(t_np / t_kc, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
