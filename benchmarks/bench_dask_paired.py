"""One Dask worker of this checkout against one of another version, run at the same time.

This machine's speed drifts by 10–40 % from minute to minute, so Dask runs
made at different times cannot be compared. Here two processes start at
once, one per core, each with its own one-worker ``LocalCluster``: one
imports this checkout, the other ``OLD_SRC`` (the ``src`` folder of another
checkout, e.g. a ``git worktree`` of an older commit). Each warms its worker
up, then times ``code_dask(..., by="group")`` over the same Parquet
partitions ``--rounds`` times and reports the wall time and the worker's
CPU time per round. Results in ``benchmarks/results/dask_paired_100k.json``.

Run: ``python benchmarks/bench_dask_paired.py OLD_SRC [--n 100000] [--partition-size 25000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _worker_cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


def one_side(data: str, rounds: int) -> list[dict[str, float]]:
    """Warm up a one-worker cluster, then time ``rounds`` runs of code_dask (in the child process)."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from kotoba_code.codebook import Codebook
    from kotoba_code.dask import code_dask

    cb = Codebook.load("welfare_employment")
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster, set_as_default=False)
    out = []
    try:
        with client.as_current():
            small = dd.read_parquet(data).head(2_000, compute=True)
            code_dask(dd.from_pandas(small, npartitions=1), cb, text_col="answer", id_col="id")
            for _ in range(rounds):
                before = sum(client.run(_worker_cpu).values())
                t0 = time.perf_counter()
                coded, _freq = code_dask(dd.read_parquet(data), cb, text_col="answer", id_col="id", by="group")
                wall = time.perf_counter() - t0
                out.append(
                    {"wall_s": round(wall, 2), "worker_cpu_s": round(sum(client.run(_worker_cpu).values()) - before, 2)}
                )
                del coded
    finally:
        client.close()
        cluster.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old_src", type=Path)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--partition-size", type=int, default=25_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "dask_paired_100k.json")
    args = ap.parse_args()
    # Here, not at the top: the two sides import this module and must load
    # only their own version of kotoba_code (bench_dask imports this checkout's).
    from bench_dask import write_partitions
    from bench_tokenize import make_answers

    with tempfile.TemporaryDirectory(prefix="kotoba-bench-dask-paired-") as tmp:
        work = Path(tmp)
        make_answers(work / "answers.csv", args.n)
        write_partitions(work / "answers.csv", work / "answers", args.partition_size)
        procs = {}
        for name, src in (("new", ROOT / "src"), ("old", args.old_src.resolve())):
            env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{ROOT / 'benchmarks'}")
            call = f"b.one_side({str(work / 'answers')!r}, {args.rounds})"
            code = f"import json, bench_dask_paired as b; print(json.dumps({call}))"
            procs[name] = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        rounds = {name: json.loads(proc.communicate()[0].strip().splitlines()[-1]) for name, proc in procs.items()}
    new = sorted(r["wall_s"] for r in rounds["new"])
    old = sorted(r["wall_s"] for r in rounds["old"])
    result = {
        "answers": args.n,
        "partition_size": args.partition_size,
        "old_src": str(args.old_src),
        "rounds": rounds,
        "median_wall_ratio_new_to_old": round(new[len(new) // 2] / old[len(old) // 2], 3),
    }
    print(json.dumps(result, indent=2))
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
