"""Digest of what the CLI writes, to check that a refactor changes no output.

Runs the main commands on the sample corpus (and, with ``--n``, on generated
answers as in the benchmarks) and prints one SHA-256 per output file as JSON.
Run it before and after a change and compare the two files::

    python scripts/output_digest.py > before.json
    ...change...
    python scripts/output_digest.py > after.json && diff before.json after.json

Only text formats are digested (CSV, GraphML, Markdown): their bytes depend
on the results alone, not on library versions of file containers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "answers.csv"
CB = "welfare_employment"
USER = str(ROOT / "corpus" / "userwords.txt")


def _jobs(inp: str, out: Path, big: bool) -> list[tuple[str, list[str]]]:
    src = [inp, "--text-col", "answer", "--id-col", "id"]
    jobs = [
        ("coded_doc.csv", ["code", *src, "--codebook", CB, "-o", "{o}", "--evidence", "{o}.evidence.csv"]),
        ("coded_sent.csv", ["code", *src, "--codebook", CB, "--unit", "sentence", "-o", "{o}"]),
        ("themes.csv", ["freq", *src, "--codebook", CB, "--by", "group", "-o", "{o}"]),
        ("words.csv", ["words", *src, "--by", "group", "--user-words", USER, "-o", "{o}"]),
        ("word_net.graphml", ["network", *src, "--by", "group", "-o", "{o}"]),
        ("code_net.graphml", ["network", *src, "--codebook", CB, "--of", "codes", "-o", "{o}"]),
    ]
    if not big:
        jobs += [
            ("words_plain.graphml", ["network", *src, "-o", "{o}"]),
            ("tokens.csv", ["tokenize", *src, "-o", "{o}"]),
            ("keyness.csv", ["keyness", *src, "--by", "group", "-o", "{o}"]),
            ("kwic.csv", ["kwic", *src, "--term", "温度差", "-o", "{o}"]),
            ("synthesis.md", ["synthesize", *src, "--codebook", CB, "--by", "group", "-o", "{o}"]),
            ("synthesis.csv", ["synthesize", *src, "--codebook", CB, "--by", "group", "-o", "{o}"]),
        ]
    return jobs


def digest(inp: str, big: bool, work: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    cache = work / "cache"
    for name, args in _jobs(inp, work, big):
        target = work / name
        cmd = [sys.executable, "-c", "from kotoba_code.cli import main; main()", *[a.replace("{o}", str(target)) for a in args]]
        cmd += ["--cache-dir", str(cache), "-q"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            out[name] = f"FAILED: {r.stderr.strip()[-300:]}"
            continue
        for f in sorted(work.glob(name + "*")):
            out[f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=0, help="also digest N generated answers (benchmarks' generator)")
    args = ap.parse_args()
    result: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "sample").mkdir()
        result["sample"] = digest(str(SAMPLE), False, work / "sample")
        if args.n:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from bench_tokenize import make_answers

            big = work / "big"
            big.mkdir()
            make_answers(big / "answers.csv", args.n)
            result[f"generated_{args.n}"] = digest(str(big / "answers.csv"), True, big)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
