"""Memory at scale (issue #16): peak RSS and time of ``kotoba-code freq`` against raw SudachiPy.

For each size it writes generated survey answers (``bench_tokenize.make_answers``,
about 67 characters each), then runs, each in a fresh process, measured with
``wait4`` (peak resident set size of that process alone):

* raw SudachiPy: read the CSV, split mode C, count dictionary forms (the floor);
* ``kotoba-code freq --codebook welfare_employment --by group --no-cache``:
  tables over 16 MB are read, tokenized and coded in chunks;
* with ``--whole`` also ``--chunk-size 0`` (the whole file in memory), and
  a check that both tables are byte-identical.

It reports wall and CPU time, peak RSS, bytes of peak RSS per token and the
ratios of wall and CPU time to raw SudachiPy (on a shared machine compare
CPU time: wall time follows the other jobs' load). Goals: freq at 400,000 answers ≤ 1.0 GB, at
2,000,000 ≤ 1.5 GB; time per answer not worse than before.

Run: ``python benchmarks/bench_scale.py [--sizes 100000 400000 2000000] [--whole 400000]``
(the 2M run takes tens of minutes on two cores; results in
``benchmarks/results/scale.json``).

``--paired-with OLD_SRC --pairs 20`` compares two versions of the package on
one size (the first of ``--sizes``): the ``freq`` of this checkout (chunks)
and that of ``OLD_SRC`` (a ``src`` folder of another checkout, put on
``PYTHONPATH``, e.g. a ``git worktree`` of an older commit) run at the same
time, one per core, and each pair's ratio of CPU times (new ÷ old) is
reported, with the median and mean over the pairs and whether the tables
are byte-identical. This machine's speed drifts by 10–40 % from minute to
minute; two runs at the same time see the same machine, so a few per cent
can be told apart. Results in ``benchmarks/results/scale_pairs.json``.

``--commands words code keyness network`` measures those commands instead of
``freq`` (peak RSS, bytes per token, time; ``--whole`` sizes also with
``--chunk-size 0`` and a byte comparison of the outputs), results in
``benchmarks/results/scale_commands.json``:

* ``words --by group -o words.csv``
* ``code --codebook welfare_employment -o coded.csv`` (rows appended chunk by chunk)
* ``keyness --by group -o keyness.csv``
* ``network -o network.graphml`` (two passes over the input: words, then pairs)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tokenize import make_answers  # noqa: E402

RAW = """
import collections, csv, sys
from sudachipy import dictionary, tokenizer
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    texts = [row["answer"] for row in csv.DictReader(f)]
tok = dictionary.Dictionary(dict="core").create(
    tokenizer.Tokenizer.SplitMode.C, fields={"pos", "normalized_form", "dictionary_form"}
)
counts = collections.Counter()
n = 0
for text in texts:
    for m in tok.tokenize(text):
        counts[m.dictionary_form()] += 1
        n += 1
print(n)
"""


def run(cmd: list[str]) -> dict[str, float | str]:
    """Run ``cmd`` and return wall time, peak RSS (MiB) and its stdout."""
    with tempfile.TemporaryFile() as fout, tempfile.TemporaryFile() as ferr:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fout, stderr=ferr)
        # wait4 gives this child's own rusage, ru_maxrss in KiB on Linux.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read().decode(), ferr.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed: {err[-500:]}")
    # CPU seconds as well: on a shared machine wall time follows the load of
    # other jobs, CPU time much less.
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "stdout": out.strip(),
    }


def freq_cmd(path: Path, out: Path, *extra: str) -> list[str]:
    args = ["freq", str(path), "--text-col", "answer", "--id-col", "id", "--codebook", "welfare_employment"]
    args += ["--by", "group", "--no-cache", "-q", "-o", str(out), *extra]
    return [sys.executable, "-c", "from kotoba_code.cli import main; main()", *args]


# The commands of --commands: arguments after INPUT, and the output suffix.
COMMANDS = {
    "freq": (["--codebook", "welfare_employment", "--by", "group"], ".csv"),
    "words": (["--by", "group"], ".csv"),
    "code": (["--codebook", "welfare_employment"], ".csv"),
    "keyness": (["--by", "group"], ".csv"),
    "network": ([], ".graphml"),
}


def command(name: str, path: Path, out: Path, *extra: str) -> list[str]:
    args = [name, str(path), "--text-col", "answer", "--id-col", "id", *COMMANDS[name][0]]
    args += ["--no-cache", "-q", "-o", str(out), *extra]
    return [sys.executable, "-c", "from kotoba_code.cli import main; main()", *args]


def paired(path: Path, tmp: Path, old_src: Path, pairs: int) -> dict[str, object]:
    """CPU time of this checkout's ``freq`` and ``old_src``'s, run at the same time, ``pairs`` times."""
    src = str(ROOT / "src")
    rounds = []
    identical = True
    for i in range(pairs):
        order = [("new", src), ("old", str(old_src))]
        if i % 2:
            order.reverse()  # which one starts first alternates
        procs = {}
        for name, where in order:
            env = dict(os.environ, PYTHONPATH=where)
            cmd = freq_cmd(path, tmp / f"pair_{name}.csv")
            procs[name] = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        cpu = {}
        for name, proc in procs.items():
            _, status, usage = os.wait4(proc.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{name} failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
            cpu[name] = round(usage.ru_utime + usage.ru_stime, 2)
        identical &= (tmp / "pair_new.csv").read_bytes() == (tmp / "pair_old.csv").read_bytes()
        rounds.append({"first": order[0][0], **cpu, "ratio": round(cpu["new"] / cpu["old"], 3)})
        print(json.dumps(rounds[-1]), flush=True)
    ratios = [r["ratio"] for r in rounds]
    return {
        "old_src": str(old_src),
        "rounds": rounds,
        "median_ratio": round(statistics.median(ratios), 3),
        "mean_ratio": round(statistics.mean(ratios), 3),
        "se_of_mean": round(statistics.stdev(ratios) / len(ratios) ** 0.5, 3) if len(ratios) > 1 else None,
        "tables_identical": identical,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 2_000_000])
    ap.add_argument("--whole", type=int, nargs="*", default=[], help="sizes also run with --chunk-size 0")
    ap.add_argument("--commands", nargs="+", choices=list(COMMANDS), help="measure these commands instead of freq")
    ap.add_argument("--out", type=Path, help="results file (default: benchmarks/results/scale[_commands].json)")
    ap.add_argument("--paired-with", type=Path, metavar="OLD_SRC", help="compare with this src folder (see above)")
    ap.add_argument("--pairs", type=int, default=20, help="number of simultaneous pairs for --paired-with")
    args = ap.parse_args()
    if args.paired_with:
        out = args.out or ROOT / "benchmarks" / "results" / "scale_pairs.json"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "answers.csv"
            make_answers(path, args.sizes[0])
            result = {"answers": args.sizes[0], **paired(path, Path(tmp), args.paired_with.resolve(), args.pairs)}
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps({k: v for k, v in result.items() if k != "rounds"}, ensure_ascii=False))
        return
    if args.out is None:
        args.out = ROOT / "benchmarks" / "results" / ("scale_commands.json" if args.commands else "scale.json")
    if args.commands:
        commands_main(args)
        return
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"answers_{n}.csv"
            chars = make_answers(path, n)
            raw = run([sys.executable, "-c", RAW, str(path)])
            tokens = int(raw.pop("stdout"))
            row: dict[str, object] = {"answers": n, "characters": chars, "tokens": tokens, "raw_sudachi": raw}
            runs = {"freq": ()} | ({"freq_whole": ("--chunk-size", "0")} if n in args.whole else {})
            for name, extra in runs.items():
                r = run(freq_cmd(path, Path(tmp) / f"{name}_{n}.csv", *extra))
                r.pop("stdout")
                r["bytes_per_token"] = round(r["peak_rss_mib"] * 2**20 / tokens, 1)
                r["time_ratio_to_raw"] = round(r["wall_s"] / raw["wall_s"], 2)
                r["cpu_ratio_to_raw"] = round(r["cpu_s"] / raw["cpu_s"], 2)
                row[name] = r
            if "freq_whole" in row:
                a = (Path(tmp) / f"freq_{n}.csv").read_bytes()
                b = (Path(tmp) / f"freq_whole_{n}.csv").read_bytes()
                row["tables_identical"] = a == b
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results[str(n)] = row
            args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
            path.unlink()


def commands_main(args: argparse.Namespace) -> None:
    """Peak RSS and time of each of ``args.commands`` per size (``--commands``)."""
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"answers_{n}.csv"
            chars = make_answers(path, n)
            raw = run([sys.executable, "-c", RAW, str(path)])
            tokens = int(raw.pop("stdout"))
            row: dict[str, object] = {"answers": n, "characters": chars, "tokens": tokens, "raw_sudachi": raw}
            for name in args.commands:
                suffix = COMMANDS[name][1]
                modes = {"chunks": ()} | ({"whole": ("--chunk-size", "0")} if n in args.whole else {})
                entry: dict[str, object] = {}
                for mode, extra in modes.items():
                    out = Path(tmp) / f"{name}_{mode}_{n}{suffix}"
                    r = run(command(name, path, out, *extra))
                    r.pop("stdout")
                    r["bytes_per_token"] = round(r["peak_rss_mib"] * 2**20 / tokens, 1)
                    r["cpu_ratio_to_raw"] = round(r["cpu_s"] / raw["cpu_s"], 2)
                    entry[mode] = r
                if "whole" in entry:
                    a = (Path(tmp) / f"{name}_chunks_{n}{suffix}").read_bytes()
                    b = (Path(tmp) / f"{name}_whole_{n}{suffix}").read_bytes()
                    entry["outputs_identical"] = a == b
                row[name] = entry
                print(json.dumps({"answers": n, name: entry}, ensure_ascii=False), flush=True)
                results[str(n)] = {**results.get(str(n), {}), **row}
                args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
            path.unlink()


if __name__ == "__main__":
    main()
