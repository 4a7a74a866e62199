"""Commands for learned coding: ``train``, ``review`` and ``suggest-rules``.

``code --model`` and ``test --model`` (in :mod:`kotoba_code.cli.app`) use the
model files ``train`` writes. See docs/learned-coding.md.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from kotoba_code.cli._common import corpus_options, info, quiet_option
from kotoba_code.io.codebooks import read_codebook
from kotoba_code.io.writers import to_markdown, write_table


def _read_samples(paths: tuple[Path, ...], codebook: Any) -> list[Any]:
    from kotoba_code.io.labels import read_labels

    return [read_labels(p, codebook=codebook) for p in paths]


@click.command("train")
@click.argument("samples", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--codebook", help="Codebook: train rules + model (hybrid); without it, a text-only model.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file to write (e.g. model.kcm).",
)
@click.option(
    "--rules-tuned-on",
    "tuned_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Samples (among SAMPLES) the rules were tuned on: they weigh less where rules and model are combined.",
)
@click.option("--no-vectors", is_flag=True, help="Leave out GiNZA's word vectors.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the cross-validation folds.")
@quiet_option
def train_cmd(
    samples: tuple[Path, ...],
    codebook: str | None,
    output: Path,
    tuned_paths: tuple[Path, ...],
    no_vectors: bool,
    seed: int,
    quiet: bool,
) -> None:
    """Train a model on labelled SAMPLES (CSV/XLSX/JSONL with codes, .qdpx,
    or a filled-in review queue).

    With --codebook, the model learns to decide each code from the rules'
    hit and its own probability; without, it codes from the text alone and
    its codes are the ids found in the labels. Prints cross-validated scores.
    """
    from kotoba_code.coding import HybridCoder, LearnedCoder
    from kotoba_code.coding.learned import samples_to_training
    from kotoba_code.evaluate import prf

    t0 = time.perf_counter()
    cb = read_codebook(codebook) if codebook else None
    items = _read_samples(samples, cb)
    resolved = {p.resolve() for p in tuned_paths}
    tuned = [s for p, s in zip(samples, items, strict=True) if p.resolve() in resolved]
    tuned += _read_samples(tuple(p for p in tuned_paths if p.resolve() not in {q.resolve() for q in samples}), cb)
    tokens, y, code_ids = samples_to_training(items, cb)
    learned = LearnedCoder(cb, vectors=False if no_vectors else "auto", random_state=seed)
    if cb is not None:
        tuned_ids = {i for s in tuned for i in s.texts["id"].tolist()}
        flags = np.isin(tokens.corpus.ids, list(tuned_ids)) if tuned_ids else None
        model: Any = HybridCoder(cb, learned, random_state=seed).fit(tokens, y, rules_tuned=flags)
        oof = model.oof_proba_
    else:
        model = learned.fit(tokens, y, code_ids=code_ids)
        oof = model.oof_proba_
    model.save(output)
    elapsed = time.perf_counter() - t0
    oof_model = (learned.oof_proba_ >= learned.thresholds_).astype(int)
    f1_model = np.mean([prf(y[:, j], oof_model[:, j])[2] for j in range(y.shape[1])])
    line = f"{len(y):,} answers, {len(code_ids)} codes; cross-validated macro-F1: model {f1_model:.3f}"
    if cb is not None:
        pred = (oof >= model.thresholds_).astype(int)
        f1_h = np.mean([prf(y[:, j], pred[:, j])[2] for j in range(y.shape[1])])
        line += f", rules + model {f1_h:.3f} (rule hits on rule-tuned answers are optimistic)"
    info(quiet, line)
    if cb is not None:
        used = model.combiner_params_
        unseen = len(y) - (int(flags.sum()) if flags is not None else 0)
        how = (
            f"chosen by cross-validation on the {unseen:,} answers the rules were not tuned on"
            if model.combiner_scores_
            else f"defaults: fewer than 100 answers the rules were not tuned on ({unseen:,})"
        )
        weigh = f"rule-tuned answers weigh {used['tuned_weight']:.2g}, C = {used['combiner_C']:.2g}"
        info(quiet, f"combiner: {weigh} ({how})")
    info(quiet, f"trained in {elapsed:.1f} s → {output}")


@click.command("review")
@corpus_options(codebook="optional")
@click.option(
    "--model",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Model file from 'kotoba-code train'.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review queue: .csv or .xlsx (the workbook marks the rule hits in each text).",
)
def review_cmd(corpus: Any, codebook: Any, tokens: Any, unit: str, quiet: bool, model: Path, output: Path) -> None:
    """Write a review queue: every answer once, the most likely wrongly coded first.

    Columns: id, rank, risk, proposed_codes, uncertain_codes, reason, text and
    an empty reviewed_codes column. Fill it in (codes separated by ';', '='
    (or ○) to accept the proposal, '-' (or ×) for no code) and give the file
    to 'test' or 'train': they read the reviewed rows back as labels.
    """
    from kotoba_code.coding import load_model
    from kotoba_code.coding.review import review_queue
    from kotoba_code.errors import CorpusReadError, Errors
    from kotoba_code.io.review import REVIEW_SUFFIXES, write_review

    if output.suffix.lower() not in REVIEW_SUFFIXES:
        raise CorpusReadError(Errors.E611.format(path=output, suffix=output.suffix))
    result = load_model(model, codebook=codebook).code(tokens, unit=unit)
    queue = review_queue(result)
    write_review(result, queue, output)
    n_unsure = int((queue["uncertain_codes"] != "").sum())
    info(quiet, f"{len(queue):,} answers, {n_unsure:,} with uncertain codes → {output}")


@click.command("suggest-rules")
@click.argument("samples", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--code", "code", required=True, help="Code id to suggest words for.")
@click.option("--codebook", help="Codebook: also list the positives its rule misses.")
@click.option("--top", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the candidates here (.csv .xlsx .md …); default: Markdown on stdout.",
)
@click.option(
    "--missed", "missed_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the missed positives here."
)
def suggest_cmd(
    samples: tuple[Path, ...],
    code: str,
    codebook: str | None,
    top: int,
    min_count: int,
    output: Path | None,
    missed_out: Path | None,
) -> None:
    """Candidate words and phrases for a code, from its labelled positives
    against the other answers (log-likelihood keyness, with the precision
    and recall each term would have as a rule on SAMPLES), and the positives
    the current rule misses."""
    from kotoba_code.coding.suggest import suggest_terms

    cb = read_codebook(codebook) if codebook else None
    table, missed = suggest_terms(_read_samples(samples, cb), code, codebook=cb, top=top, min_count=min_count)
    shown = table.assign(p=table["p"].map(lambda v: f"{v:.2g}"))
    if output is None:
        click.echo(f"## 候補語: {code}\n")
        click.echo(to_markdown(shown), nl=False)
    else:
        write_table(table, output)
    if cb is not None:
        if missed_out is not None:
            write_table(missed, missed_out)
        elif output is None:
            click.echo(f"\n## ルールが見逃した正例: {len(missed)} 件\n")
            if len(missed):
                click.echo(to_markdown(missed), nl=False)


COMMANDS = [train_cmd, review_cmd, suggest_cmd]
