"""Assemble the sample corpus from the written parts.

corpus/_parts/municipal.csv and corpus/_parts/hellowork.csv hold the written
answers with the codes their writer gave them. This script produces:

* corpus/answers.csv         id, group, prefecture, question, answer (no codes; all parts)
* corpus/labelled/tune.csv   id, group, question, text, codes  (odd row numbers, plus all of extra*.csv)
* corpus/labelled/test.csv   id, group, question, text, codes  (even row numbers; never tuned on)
* corpus/labelled/dev.csv    id, group, question, text, codes  (all of dev.csv, then dev2.csv)
* corpus/labelled/test2.csv  id, group, question, text, codes  (all of test2.csv; a second held-out split)

corpus/_parts/extra.csv, corpus/_parts/extra2.csv, corpus/_parts/extra3.csv,
corpus/_parts/extra4.csv to corpus/_parts/extra7.csv (answers written later, for tuning;
extra3.csv and extra4.csv add more diverse situations, wordings and near-misses; extra5.csv
concentrates on the boundaries of private_partnership, extra6.csv on seven codes that scored
lowest on the development split, extra7.csv on the boundary of engagement_gap) go to the tuning split
only, so the test split stays exactly as it was first drawn.

corpus/_parts/dev.csv holds an independent development split: it is scored
for generalisation while rules are written, but never tuned on, and goes
neither to the tuning nor to the test split. corpus/_parts/dev2.csv (a second
development sample by another writer) is appended to it: dev rows first, then dev2.

corpus/_parts/test2.csv holds a second held-out test split (corpus/labelled/test2.csv),
written by another writer after the rules of the fifth round were drafted, from the code
definitions alone. Nobody who writes rules reads it; it is scored once per release of
the codebook, as a check that the scores on the first test split carry over.

Run: python scripts/build_corpus.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PARTS = ROOT / "corpus" / "_parts"
LABELLED = ["id", "group", "question", "text", "codes"]


def _read(name: str) -> pd.DataFrame | None:
    path = PARTS / name
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def _labelled(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns={"answer": "text"})[LABELLED]


def main() -> None:
    frames = [f for f in (_read("municipal.csv"), _read("hellowork.csv")) if f is not None]
    df = pd.concat(frames, ignore_index=True)
    extras = [
        f
        for f in (
            _read(n)
            for n in ("extra.csv", "extra2.csv", "extra3.csv", "extra4.csv", "extra5.csv", "extra6.csv", "extra7.csv")
        )
        if f is not None
    ]
    extra = pd.concat(extras, ignore_index=True) if extras else df.iloc[:0]
    devs = [f for f in (_read(n) for n in ("dev.csv", "dev2.csv")) if f is not None]
    dev = pd.concat(devs, ignore_index=True) if devs else df.iloc[:0]
    test2 = _read("test2.csv")
    test2 = test2 if test2 is not None else df.iloc[:0]
    pd.concat([df, extra, dev, test2], ignore_index=True)[["id", "group", "prefecture", "question", "answer"]].to_csv(
        ROOT / "corpus" / "answers.csv", index=False, encoding="utf-8"
    )
    lab = _labelled(df)
    out = ROOT / "corpus" / "labelled"
    out.mkdir(exist_ok=True)
    # Within each group, alternate rows between the splits so both splits
    # hold both groups and every question type.
    order = lab.groupby("group").cumcount()
    tune = pd.concat([lab[order % 2 == 0], _labelled(extra)], ignore_index=True)
    tune.to_csv(out / "tune.csv", index=False, encoding="utf-8")
    lab[order % 2 == 1].to_csv(out / "test.csv", index=False, encoding="utf-8")
    _labelled(dev).to_csv(out / "dev.csv", index=False, encoding="utf-8")
    _labelled(test2).to_csv(out / "test2.csv", index=False, encoding="utf-8")
    total = len(df) + len(extra) + len(dev) + len(test2)
    print(f"{total} answers; tune {len(tune)}, test {int((order % 2 == 1).sum())}, dev {len(dev)}, test2 {len(test2)}")


if __name__ == "__main__":
    main()
