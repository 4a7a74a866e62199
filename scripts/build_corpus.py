"""Assemble the sample corpus from the written parts.

corpus/_parts/municipal.csv and corpus/_parts/hellowork.csv hold the written
answers with the codes their writer gave them. This script produces:

* corpus/answers.csv         id, group, prefecture, question, answer (no codes)
* corpus/labelled/tune.csv   id, group, question, text, codes  (odd row numbers, plus all of extra.csv)
* corpus/labelled/test.csv   id, group, question, text, codes  (even row numbers; never tuned on)

corpus/_parts/extra.csv (answers written later, for tuning) goes to the tuning
split only, so the test split stays exactly as it was first drawn.

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
    extra_path = ROOT / "corpus" / "_parts" / "extra.csv"
    extra = pd.read_csv(extra_path, dtype=str, keep_default_na=False) if extra_path.exists() else df.iloc[:0]
    pd.concat([df, extra], ignore_index=True)[["id", "group", "prefecture", "question", "answer"]].to_csv(
        ROOT / "corpus" / "answers.csv", index=False, encoding="utf-8"
    )
    lab = df.rename(columns={"answer": "text"})[["id", "group", "question", "text", "codes"]]
    out = ROOT / "corpus" / "labelled"
    out.mkdir(exist_ok=True)
    # Within each group, alternate rows between the splits so both splits
    # hold both groups and every question type.
    order = lab.groupby("group").cumcount()
    extra_lab = extra.rename(columns={"answer": "text"})[["id", "group", "question", "text", "codes"]]
    tune = pd.concat([lab[order % 2 == 0], extra_lab], ignore_index=True)
    tune.to_csv(out / "tune.csv", index=False, encoding="utf-8")
    lab[order % 2 == 1].to_csv(out / "test.csv", index=False, encoding="utf-8")
    print(f"{len(df) + len(extra)} answers; tune {len(tune)}, test {int((order % 2 == 1).sum())}")


if __name__ == "__main__":
    main()
