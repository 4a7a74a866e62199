"""Assemble the sample corpus from the written parts.

corpus/_parts/municipal.csv and corpus/_parts/hellowork.csv hold the written
answers with the codes their writer gave them. This script produces:

* corpus/answers.csv         id, group, prefecture, question, answer (no codes)
* corpus/labelled/tune.csv   id, group, question, text, codes  (odd row numbers)
* corpus/labelled/test.csv   id, group, question, text, codes  (even row numbers; never tuned on)

Run: python scripts/build_corpus.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parts = [ROOT / "corpus" / "_parts" / n for n in ("municipal.csv", "hellowork.csv")]
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts if p.exists()]
    df = pd.concat(frames, ignore_index=True)
    df[["id", "group", "prefecture", "question", "answer"]].to_csv(
        ROOT / "corpus" / "answers.csv", index=False, encoding="utf-8"
    )
    lab = df.rename(columns={"answer": "text"})[["id", "group", "question", "text", "codes"]]
    out = ROOT / "corpus" / "labelled"
    out.mkdir(exist_ok=True)
    # Within each group, alternate rows between the splits so both splits
    # hold both groups and every question type.
    order = lab.groupby("group").cumcount()
    lab[order % 2 == 0].to_csv(out / "tune.csv", index=False, encoding="utf-8")
    lab[order % 2 == 1].to_csv(out / "test.csv", index=False, encoding="utf-8")
    print(f"{len(df)} answers; tune {int((order % 2 == 0).sum())}, test {int((order % 2 == 1).sum())}")


if __name__ == "__main__":
    main()
