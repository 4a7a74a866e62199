"""Coding commands: code, freq, lint, test, diff."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from kotoba_code.cli._common import Chunks, corpus_options, emit, info, quiet_option, terminal_table
from kotoba_code.coding import RuleCoder, apply_codebook
from kotoba_code.coding.stream import code_by_chunk, frequencies_by_chunk
from kotoba_code.io.codebooks import read_codebook
from kotoba_code.io.stream import NotStreamable
from kotoba_code.io.writers import APPEND_SUFFIXES, TableAppender, to_markdown, write_table


def _load_model(model: Path, codebook: Any) -> Any:
    """:func:`~kotoba_code.coding.load_model`, imported when a command is given
    ``--model``: it loads scikit-learn, which rule-only runs need not wait for."""
    from kotoba_code.coding import load_model

    return load_model(model, codebook=codebook)


@click.command("code")
@corpus_options(codebook="optional", stream=True)
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Model file from 'kotoba-code train': with --codebook, rules + model; alone, the model's codes.",
)
@click.option(
    "--scores",
    "scores_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --model, also write the probability of every code: id and one column per code.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Coded data: .csv .tsv .xlsx .parquet .jsonl (default: CSV on stdout).",
)
@click.option(
    "--evidence",
    "evidence_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the hits: id, unit, code, term, text, start, end.",
)
def code_cmd(
    corpus: Any,
    codebook: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    model: Path | None,
    scores_out: Path | None,
    output: Path | None,
    evidence_out: Path | None,
    chunks: Chunks | None,
) -> None:
    """Code every document: one row per input document with a 0/1 column per code.

    With --model, a learned model (see docs/learned-coding.md) codes with the
    rules (--codebook given and a rules + model file) or alone.

    Large tables are read, tokenized and coded in chunks (--chunk-size),
    each chunk's rows appended to the output (.csv, .tsv, .jsonl, .parquet,
    .xlsx or standard output): the same table as a whole-file run, in
    bounded memory."""
    if model is None:
        if codebook is None:
            raise click.UsageError("give --codebook, --model or both")
        if scores_out is not None:
            raise click.UsageError("--scores needs --model: rules alone give no probabilities")
    if chunks is not None:
        _code_in_chunks(chunks, codebook, model, unit, quiet, output, evidence_out, scores_out)
        return
    if model is None:
        result = apply_codebook(codebook, tokens, unit=unit)
    else:
        result = _load_model(model, codebook).code(tokens, unit=unit)
    df = result.to_frame()
    if output is None:
        df.to_csv(sys.stdout, index=False)
    else:
        write_table(df, output)
        info(quiet, f"{len(df):,} documents coded with {result.matrix.shape[1]} codes → {output}")
    if evidence_out is not None:
        write_table(result.evidence, evidence_out)
    if scores_out is not None:
        write_table(result.scores.round(4).reset_index(), scores_out)


def _code_in_chunks(
    chunks: Chunks,
    codebook: Any,
    model: Path | None,
    unit: str,
    quiet: bool,
    output: Path | None,
    evidence_out: Path | None,
    scores_out: Path | None,
) -> None:
    """Code chunk by chunk, appending each chunk's rows to the output files.

    Raises NotStreamable (the input is then read whole) when a result cannot
    be written in pieces: Markdown, or a learned model's evidence (listed
    code by code, not document by document)."""
    outs = [p for p in (output, evidence_out, scores_out) if p is not None]
    if any(p.suffix.lower() not in APPEND_SUFFIXES for p in outs):
        raise NotStreamable("an output that is not appended to")
    if model is not None and evidence_out is not None:
        raise NotStreamable("a learned model's evidence is ordered by code")
    coder = RuleCoder(codebook) if model is None else _load_model(model, codebook)
    n_codes = 0
    with contextlib.ExitStack() as stack:
        table = stack.enter_context(TableAppender(output))
        evidence = stack.enter_context(TableAppender(evidence_out)) if evidence_out is not None else None
        scores = stack.enter_context(TableAppender(scores_out)) if scores_out is not None else None
        for result in code_by_chunk(chunks.corpora, coder, unit=unit, tokenize=chunks.tokenize):
            table.append(result.to_frame())
            n_codes = result.matrix.shape[1]
            if evidence is not None:
                evidence.append(result.evidence)
            if scores is not None:
                scores.append(result.scores.round(4).reset_index())
            # Let go of this chunk before the next one is tokenized (the
            # loop variable would keep it alive until then).
            del result
    if output is not None:
        info(quiet, f"{table.rows:,} documents coded with {n_codes} codes → {output}")


@click.command("freq")
@corpus_options(codebook="required", stream=True)
@click.option("--by", help="Metadata column or unit attribute: cross-tabulate with a chi-square test per code.")
@click.option(
    "--with-interviewers",
    is_flag=True,
    help="With --by speaker, keep the interviewer's turns (聞き手, 調査員, 質問者, Q …), left out by default.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table: .csv .xlsx .md (default: Markdown on stdout), or a figure: .png .svg.",
)
def freq_cmd(
    corpus: Any,
    codebook: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    by: str | None,
    with_interviewers: bool,
    output: Path | None,
    chunks: Chunks | None,
) -> None:
    """Theme frequency table: units with each code, percent, and by group.

    Large tables are read, tokenized and coded in chunks (--chunk-size), with
    the same table as a whole-file run, in bounded memory."""
    if chunks is not None:
        table = frequencies_by_chunk(
            chunks.corpora, codebook, unit=unit, by=by, tokenize=chunks.tokenize, interviewers=with_interviewers
        )
    else:
        result = apply_codebook(codebook, tokens, unit=unit)
        table = result.frequencies(by=by, interviewers=with_interviewers)
    if output is not None and output.suffix.lower() in (".png", ".svg"):
        from kotoba_code.plot import plot_frequencies

        plot_frequencies(table, path=output)
    else:
        emit(table, output)
    if output is not None:
        info(quiet, f"{len(table)} codes → {output}")


# Warnings listed per kind unless --verbose: the shipped codebook gives
# hundreds on a small corpus, most of them words the corpus never uses.
_LINT_SHOWN = 10


@click.command("lint")
@corpus_options(codebook="required")
@click.option("--summary", is_flag=True, help="Only the number of warnings per code and synonym list, and per kind.")
@click.option("--verbose", is_flag=True, help=f"Every warning (default: the first {_LINT_SHOWN} of each kind).")
def lint_cmd(corpus: Any, codebook: Any, tokens: Any, unit: str, quiet: bool, summary: bool, verbose: bool) -> None:
    """Warn about rule words that are not one token or never occur in INPUT.

    Each word is reported once per place: a word written in a rule at its code
    and line, a word of a shared synonym list once at the list ($name). The
    warnings are grouped by kind, those that change what matches (not one
    token) first, and end with a count per kind; --summary prints only counts.
    Without --verbose only the first warnings of each kind are listed.
    Warnings do not change the exit status."""
    from kotoba_code.coding.lint import LINT_KINDS, lint_codebook, lint_summary

    problems = lint_codebook(codebook, tokens)
    by_kind = {kind: [w for w in problems if w.kind == kind] for kind in LINT_KINDS}
    if summary:
        table = lint_summary(codebook, problems)
        if len(table):
            heads = [name for name, _ in LINT_KINDS.values()]
            shown = table.rename(columns=dict(zip(LINT_KINDS, heads, strict=True)))
            click.echo(terminal_table(shown.rename(columns={"place": "code or $list"})))
            click.echo("")
    else:
        for kind, (name, why) in LINT_KINDS.items():
            if by_kind[kind]:
                click.echo(f"== {len(by_kind[kind])} {name}: {why} ==")
                shown = by_kind[kind] if verbose else by_kind[kind][:_LINT_SHOWN]
                for w in shown:
                    click.echo(str(w))
                if len(shown) < len(by_kind[kind]):
                    click.echo(
                        f"… {len(by_kind[kind]) - len(shown)} more (--verbose lists every one, --summary counts)"
                    )
                click.echo("")
    if problems:
        for kind, (name, _) in LINT_KINDS.items():
            click.echo(f"{name}: {len(by_kind[kind])} warning(s)")
    info(quiet, f"{len(problems)} warning(s) for {len(codebook)} codes")


@click.command("test")
@click.argument("samples", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook", required=True, help="Codebook file or shipped name.")
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this model file (from 'kotoba-code train') instead of the rules alone.",
)
@click.option("--min-f1", type=float, help="Fail (exit 1) when a code's F1 is below this.")
@click.option("--min-kappa", type=float, help="Fail (exit 1) when a code's Cohen's kappa is below this.")
@click.option("--min-macro-f1", type=float, help="Fail (exit 1) when the macro-F1 is below this.")
@click.option("--code", "code_ids", multiple=True, help="Only these code ids (repeatable).")
@click.option("--reference", help="Coder whose labels the rules are scored against (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Also write an HTML report.")
@click.option(
    "--max-disagreements",
    type=int,
    default=30,
    show_default=True,
    help="Disagreements printed in table/markdown format (all are in JSON and the report).",
)
@quiet_option
def test_cmd(
    samples: Path,
    codebook: str,
    model: Path | None,
    min_f1: float | None,
    min_kappa: float | None,
    min_macro_f1: float | None,
    code_ids: tuple[str, ...],
    reference: str | None,
    fmt: str,
    report: Path | None,
    max_disagreements: int,
    quiet: bool,
) -> None:
    """Score a codebook's rules against labelled SAMPLES (per-code precision,
    recall, F1, kappa, alpha) and list the disagreements; exit 1 when a
    threshold fails, so it can gate a codebook change in CI."""
    from kotoba_code.evaluate import evaluate
    from kotoba_code.io.labels import read_labels

    cb = read_codebook(codebook)
    coder = _load_model(model, cb) if model is not None else None
    sample = read_labels(samples, codebook=cb)
    ev = evaluate(cb, sample, codes=list(code_ids) or None, reference=reference, coder=coder)
    failures = ev.failures(min_f1=min_f1, min_kappa=min_kappa, min_macro_f1=min_macro_f1)
    if fmt == "json":
        click.echo(ev.to_json())
    else:
        table = ev.codes.round(3)
        dis = ev.disagreements.head(max_disagreements)[["id", "code", "kind", "evidence", "text"]]
        summary = (
            f"n={ev.n}  macro P/R/F1 {ev.macro['precision']:.3f}/{ev.macro['recall']:.3f}/{ev.macro['f1']:.3f}"
            f"  micro P/R/F1 {ev.micro['precision']:.3f}/{ev.micro['recall']:.3f}/{ev.micro['f1']:.3f}"
            f"  exact-set {ev.exact:.3f}"
        )
        if fmt == "markdown":
            click.echo(to_markdown(table) + "\n" + summary + "\n\n" + to_markdown(dis), nl=False)
        else:
            click.echo(terminal_table(table))
            click.echo(summary)
            click.echo(f"\n{len(ev.disagreements)} disagreements (most common patterns first):")
            click.echo(terminal_table(dis) if len(dis) else "none")
    if report is not None:
        from kotoba_code.report import write_html_report

        write_html_report(ev, report)
    if failures:
        click.echo("FAILED: " + "; ".join(failures), err=True)
        sys.exit(1)


@click.command("diff")
@click.argument("samples", metavar="SAMPLES_OR_CORPUS", type=click.Path(path_type=Path))
@click.option("--codebook", "codebooks", multiple=True, required=True, help="OLD then NEW (give twice).")
@click.option("--text-col", default="text", show_default=True)
@click.option("--id-col", default="id", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the changed units here.")
def diff_cmd(samples: Path, codebooks: tuple[str, ...], text_col: str, id_col: str, output: Path | None) -> None:
    """Compare two codebook versions: which documents changed codes, and how
    the metrics moved when the input is a labelled sample."""
    from kotoba_code.evaluate import diff_codebooks
    from kotoba_code.io.labels import read_samples_or_corpus

    if len(codebooks) != 2:
        raise click.UsageError("give --codebook twice: the old version, then the new one")
    old, new = (read_codebook(c) for c in codebooks)
    data = read_samples_or_corpus(samples)
    changes, metrics = diff_codebooks(old, new, data, text_col=text_col, id_col=id_col, source=str(samples))
    if metrics is not None:
        click.echo(to_markdown(metrics.round(3)))
        click.echo("")
    click.echo(f"{changes['id'].nunique() if len(changes) else 0} documents changed codes ({len(changes)} changes)")
    if len(changes):
        click.echo(to_markdown(changes), nl=False)
    if output is not None:
        write_table(changes, output)


COMMANDS = [code_cmd, freq_cmd, lint_cmd, test_cmd, diff_cmd]
