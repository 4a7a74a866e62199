"""Dask scale-out benchmark: tokenize + code with 1 and 2 local worker processes.

Builds ≥ 200,000 survey-style answers (``make_answers`` of
``bench_tokenize.py``), writes them as Parquet files of equal size (one file
per partition: each worker reads its own partitions, as on a real cluster),
then times ``kotoba_code.dask.code_dask`` — read, tokenize, code with the
shipped ``welfare_employment`` codebook, aggregate the frequency table by
group — on a ``distributed.LocalCluster`` with 1 and with 2 worker processes
of one thread each. It also times the single-process
``apply_codebook(codebook, corpus).frequencies(by=...)`` in every round (the
ratio of one worker's time to it is what a worker costs per answer) and records
each worker's peak resident memory (RSS, VmHWM, from after the warm-up),
and the peak of a fresh one-worker cluster coding a single partition.

Goal (issue #6): 2 workers ≥ 1.6× the throughput of 1 worker on a 2-core machine.

Run: ``python benchmarks/bench_dask.py [--n 200000] [--partition-size 25000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_tokenize import make_answers  # noqa: E402

from kotoba_code.coding import apply_codebook  # noqa: E402


def _peak_rss_mib() -> float:
    """Peak resident memory of the calling process, in MiB: VmHWM, the high
    water mark of this process image. Not ``getrusage``'s ``ru_maxrss``: Linux
    carries it over from the parent at fork, so workers started from this
    benchmark (after its single-process run) all reported the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _reset_peak() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so the peak read
    after a run is that run's, not the warm-up's."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def write_partitions(csv_path: Path, out_dir: Path, partition_size: int) -> int:
    """One Parquet file per partition; returns the number of partitions."""
    import pandas as pd

    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    out_dir.mkdir()
    n = 0
    for n, start in enumerate(range(0, len(df), partition_size), start=1):
        df.iloc[start : start + partition_size].to_parquet(out_dir / f"part-{n:04d}.parquet", index=False)
    return n


def start_cluster(workers: int, data: Path, codebook: object) -> tuple[object, object]:
    """A LocalCluster of ``workers`` one-thread processes, warmed up."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from kotoba_code.dask import code_dask

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster, set_as_default=False)
    # Warm-up: import kotoba_code, SudachiPy and the dictionary on every worker.
    small = dd.read_parquet(str(data)).head(2_000, compute=True)
    with client.as_current():
        code_dask(dd.from_pandas(small, npartitions=workers), codebook, text_col="answer", id_col="id")
    return cluster, client


def time_cluster(client: object, data: Path, codebook: object) -> tuple[float, object]:
    import dask.dataframe as dd

    from kotoba_code.dask import code_dask

    with client.as_current():  # type: ignore[attr-defined]
        ddf = dd.read_parquet(str(data))
        t0 = time.perf_counter()
        coded, freq = code_dask(ddf, codebook, text_col="answer", id_col="id", by="group")
        seconds = time.perf_counter() - t0
        del coded
    return seconds, freq


def peak_one_partition(data: Path, first: Path, codebook: object) -> float:
    """Peak RSS (MiB) of a fresh one-worker cluster coding only the first
    partition: the memory one partition needs on top of an idle worker."""
    first.mkdir()
    part = sorted(data.glob("*.parquet"))[0]
    (first / part.name).write_bytes(part.read_bytes())
    cluster, client = start_cluster(1, first, codebook)
    try:
        client.run(_reset_peak)  # type: ignore[attr-defined]
        time_cluster(client, first, codebook)
        return max(client.run(_peak_rss_mib).values())  # type: ignore[attr-defined]
    finally:
        client.close()  # type: ignore[attr-defined]
        cluster.close()  # type: ignore[attr-defined]


def run_single(data: Path) -> dict:
    import pandas as pd

    from kotoba_code import Corpus
    from kotoba_code.codebook import Codebook

    cb = Codebook.load("welfare_employment")
    df = pd.read_parquet(data)
    t0 = time.perf_counter()
    corpus = Corpus.from_dataframe(df, text_col="answer", id_col="id")
    freq = apply_codebook(cb, corpus, cache=False).frequencies(by="group")
    return {
        "seconds": round(time.perf_counter() - t0, 3),
        "frequencies": freq,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--partition-size", type=int, default=25_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "dask.json")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kotoba-bench-dask-") as tmp:
        work = Path(tmp)
        n_chars = make_answers(work / "answers.csv", args.n)
        partitions = write_partitions(work / "answers.csv", work / "answers", args.partition_size)
        single = run_single(work / "answers")  # also warms this process up
        singles: list[float] = []
        from kotoba_code.codebook import Codebook

        cb = Codebook.load("welfare_employment")
        clusters = {w: start_cluster(w, work / "answers", cb) for w in (1, 2)}
        idle = {w: max(c[1].run(_rss_mib).values()) for w, c in clusters.items()}
        for _, client in clusters.values():
            client.run(_reset_peak)
        seconds: dict[int, list[float]] = {1: [], 2: []}
        freqs = {}
        try:
            # Interleaved, alternating which goes first, so that a change in
            # the machine's load hits all sides alike; the single process runs
            # in every round too, so that the per-answer cost of a worker is
            # compared with it under the same load.
            for r in range(args.rounds):
                for w in (1, 2, 0) if r % 2 == 0 else (0, 2, 1):
                    if w == 0:
                        single = run_single(work / "answers")
                        singles.append(single["seconds"])
                        print(f"  round {r + 1}, single process: {single['seconds']:.2f} s", flush=True)
                        continue
                    t, freqs[w] = time_cluster(clusters[w][1], work / "answers", cb)
                    seconds[w].append(t)
                    print(f"  round {r + 1}, {w} worker(s): {t:.2f} s", flush=True)
            peak = {w: max(c[1].run(_peak_rss_mib).values()) for w, c in clusters.items()}
        finally:
            for cluster, client in clusters.values():
                client.close()
                cluster.close()
        one_partition = peak_one_partition(work / "answers", work / "first", cb)
        print(f"  one {args.partition_size:,}-answer partition on a fresh worker: peak {one_partition:.0f} MiB")
        one, two = (
            {
                "workers": w,
                "seconds": [round(x, 3) for x in seconds[w]],
                "median_seconds": round(statistics.median(seconds[w]), 3),
                "worker_idle_rss_mib": round(idle[w], 1),
                "worker_peak_rss_mib": round(peak[w], 1),
                "frequencies": freqs[w],
            }
            for w in (1, 2)
        )

    import pandas as pd

    # The point of the exercise: the same table however it was computed.
    pd.testing.assert_frame_equal(one["frequencies"], single["frequencies"])
    pd.testing.assert_frame_equal(two["frequencies"], single["frequencies"])
    speedup = one["median_seconds"] / two["median_seconds"]
    result = {
        "answers": args.n,
        "characters": n_chars,
        "partitions": partitions,
        "partition_size": args.partition_size,
        "cpu_count": os.cpu_count(),
        "codebook": "welfare_employment",
        "rounds": args.rounds,
        "single_process_seconds": singles,
        "single_process_median_seconds": statistics.median(singles),
        "single_process_answers_per_s": round(args.n / statistics.median(singles)),
        "one_worker_to_single_time_ratio": round(one["median_seconds"] / statistics.median(singles), 3),
        "workers": {str(r["workers"]): {k: v for k, v in r.items() if k != "frequencies"} for r in (one, two)},
        "answers_per_s": {
            "1": round(args.n / one["median_seconds"]),
            "2": round(args.n / two["median_seconds"]),
        },
        "speedup_2_to_1": round(speedup, 3),
        "goal_speedup": 1.6,
        "one_partition_worker_peak_rss_mib": round(one_partition, 1),
        "goal_one_partition_peak_mb": 500,
    }
    print(f"{args.n:,} answers, {n_chars:,} characters, {partitions} partitions of {args.partition_size:,}")
    rate1 = result["single_process_answers_per_s"]
    print(f"  single process (no Dask):  {statistics.median(singles):.2f} s  {rate1:,} answers/s")
    for r in (one, two):
        rate = result["answers_per_s"][str(r["workers"])]
        print(
            f"  {r['workers']} worker(s): {r['median_seconds']:.2f} s  {rate:,} answers/s  "
            f"worker RSS idle {r['worker_idle_rss_mib']:.0f} MiB, peak {r['worker_peak_rss_mib']:.0f} MiB"
        )
    print(f"  speed-up 2 vs 1 worker: {speedup:.2f}x (goal >= 1.6)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
