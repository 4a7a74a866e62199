"""``kotoba-code``: the command-line entry point.

User mistakes (a missing column, an unreadable file, a bad rule) are
:class:`~kotoba_code.errors.KotobaError`; they are printed as one line naming
the file, row or column, and the command exits with status 1, never with a
Python traceback.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import click
import pandas as pd

from kotoba_code import __version__
from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.cli._common import info, pass_coding, pass_tokens
from kotoba_code.errors import KotobaError, KotobaWarning
from kotoba_code.io.writers import to_markdown, write_table


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KotobaError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                ctx.exit(0)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kotoba-code")
def cli() -> None:
    """Qualitative coding and text mining of Japanese free-text answers.

    \b
    Examples:
      kotoba-code demo
      kotoba-code tokenize answers.csv --text-col answer --id-col id -o tokens.csv
      kotoba-code words answers.csv --text-col answer --by group -o words.xlsx
    """


def _emit(df: pd.DataFrame, output: Path | None) -> None:
    if output is None:
        click.echo(to_markdown(df), nl=False)
    else:
        write_table(df, output)


@cli.command("tokenize")
@pass_tokens
@click.option(
    "--unit",
    type=click.Choice(["document", "paragraph", "sentence"]),
    default="sentence",
    show_default=True,
    help="Unit numbered in the 'unit' column.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv, .tsv, .parquet or .jsonl (default: CSV on stdout).",
)
def tokenize_cmd(corpus: Any, tokens: Any, quiet: bool, unit: str, output: Path | None) -> None:
    """One row per token: id, unit, start, end, surface, lemma, norm, pos …

    start/end are character offsets into the original text.
    """
    df = tokens.to_frame(unit=unit)
    if output is None:
        df.to_csv(sys.stdout, index=False)
    else:
        write_table(df, output)
        info(quiet, f"{len(df):,} tokens from {len(corpus):,} documents → {output}")


@cli.command("words")
@pass_tokens
@click.option(
    "--pos",
    "pos",
    multiple=True,
    help="Keep these parts of speech (repeatable, e.g. --pos 名詞 --pos 動詞); default: content words.",
)
@click.option("--by", help="Metadata column: count per group.")
@click.option(
    "--stop-words",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File of words to leave out, one per line (replaces the default list).",
)
@click.option("--key", type=click.Choice(["lemma", "norm"]), default="lemma", show_default=True)
@click.option("--min-count", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--top", type=click.IntRange(min=1), help="Only the N most frequent words (per group).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output: .csv .tsv .xlsx .md .parquet .jsonl (default: Markdown on stdout).",
)
def words_cmd(
    corpus: Any,
    tokens: Any,
    quiet: bool,
    pos: tuple[str, ...],
    by: str | None,
    stop_words: Path | None,
    key: str,
    min_count: int,
    top: int | None,
    output: Path | None,
) -> None:
    """Word frequency table: count and document frequency per word."""
    df = word_frequency(
        tokens, by=by, pos=list(pos) or None, stop_words=stop_words, key=key, min_count=min_count, top=top
    )
    _emit(df, output)
    if output is not None:
        info(quiet, f"{len(df):,} words from {len(corpus):,} documents → {output}")


@cli.command("code")
@pass_coding(codebook_required=False)
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
    codebook: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    model: Path | None,
    scores_out: Path | None,
    output: Path | None,
    evidence_out: Path | None,
) -> None:
    """Code every document: one row per input document with a 0/1 column per code.

    With --model, a learned model (see docs/learned-coding.md) codes with the
    rules (--codebook given and a rules + model file) or alone."""
    if model is None:
        if scores_out is not None:
            raise click.UsageError("--scores needs --model: rules alone give no probabilities")
        result = codebook.apply(tokens, unit=unit)
    else:
        from kotoba_code.coding.persistence import load_model

        result = load_model(model, codebook=codebook).code(tokens, unit=unit)
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


@cli.command("freq")
@pass_coding
@click.option("--by", help="Metadata column or unit attribute: cross-tabulate with a chi-square test per code.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table: .csv .xlsx .md (default: Markdown on stdout), or a figure: .png .svg.",
)
def freq_cmd(codebook: Any, tokens: Any, unit: str, quiet: bool, by: str | None, output: Path | None) -> None:
    """Theme frequency table: units with each code, percent, and by group."""
    table = codebook.apply(tokens, unit=unit).frequencies(by=by)
    if output is not None and output.suffix.lower() in (".png", ".svg"):
        from kotoba_code.plot import plot_frequencies

        plot_frequencies(table, path=output)
    else:
        _emit(table, output)
    if output is not None:
        info(quiet, f"{len(table)} codes → {output}")


# How each kind of lint warning is headed and counted, in the order printed.
_LINT_KINDS = {
    "split": ("not one token", "matched as the phrase of their tokens; add them to user_words to keep them whole"),
    "unseen": ("never occur in the corpus", "they match nothing"),
}


@cli.command("lint")
@pass_coding
@click.option("--summary", is_flag=True, help="Only the number of warnings per code and synonym list, and per kind.")
def lint_cmd(codebook: Any, tokens: Any, unit: str, quiet: bool, summary: bool) -> None:
    """Warn about rule words that are not one token or never occur in INPUT.

    Each word is reported once per place: a word written in a rule at its code
    and line, a word of a shared synonym list once at the list ($name). The
    warnings are grouped by kind, those that change what matches (not one
    token) first, and end with a count per kind; --summary prints only counts.
    Warnings do not change the exit status."""
    problems = codebook.lint(tokens)
    by_kind = {kind: [w for w in problems if w.kind == kind] for kind in _LINT_KINDS}
    if summary:
        _lint_summary(codebook, problems)
    else:
        for kind, (name, why) in _LINT_KINDS.items():
            if by_kind[kind]:
                click.echo(f"== {len(by_kind[kind])} {name}: {why} ==")
                for w in by_kind[kind]:
                    click.echo(str(w))
                click.echo("")
    if problems:
        for kind, (name, _) in _LINT_KINDS.items():
            click.echo(f"{name}: {len(by_kind[kind])} warning(s)")
    info(quiet, f"{len(problems)} warning(s) for {len(codebook)} codes")


def _lint_summary(codebook: Any, problems: list[Any]) -> None:
    """One row per code or synonym list with warnings: its line and the count per kind."""
    rows: dict[tuple[str, int], dict[str, int]] = {}
    for w in problems:
        place = (f"${w.synonym_list}", w.line) if w.synonym_list else (w.code, codebook[w.code].line)
        counts = rows.setdefault(place, dict.fromkeys(_LINT_KINDS, 0))
        counts[w.kind] += 1
    if not rows:
        return
    heads = [name for name, _ in _LINT_KINDS.values()]
    width = max(len("code or $list"), *(len(where) for where, _ in rows))
    click.echo(f"{'code or $list':<{width}}  {'line':>5}  " + "  ".join(heads))
    for (where, line), counts in rows.items():
        cells = "  ".join(f"{counts[kind]:>{len(head)}}" for kind, head in zip(_LINT_KINDS, heads, strict=True))
        click.echo(f"{where:<{width}}  {line:>5}  {cells}")
    click.echo("")


@cli.command("test")
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
) -> None:
    """Score a codebook's rules against labelled SAMPLES (per-code precision,
    recall, F1, kappa, alpha) and list the disagreements; exit 1 when a
    threshold fails, so it can gate a codebook change in CI."""
    from kotoba_code.codebook import Codebook
    from kotoba_code.evaluate import evaluate, read_labels

    cb = Codebook.load(codebook)
    coder = None
    if model is not None:
        from kotoba_code.coding.persistence import load_model

        coder = load_model(model, codebook=cb)
    sample = read_labels(samples, codebook=cb)
    ev = evaluate(cb, sample, codes=list(code_ids) or None, reference=reference, coder=coder)
    failures = []
    for row in ev.codes.to_dict(orient="records"):
        if min_f1 is not None and row["f1"] < min_f1:
            failures.append(f"{row['code']}: F1 {row['f1']:.3f} < {min_f1}")
        if min_kappa is not None and row["kappa"] < min_kappa:
            failures.append(f"{row['code']}: kappa {row['kappa']:.3f} < {min_kappa}")
    if min_macro_f1 is not None and ev.macro["f1"] < min_macro_f1:
        failures.append(f"macro-F1 {ev.macro['f1']:.3f} < {min_macro_f1}")
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
            click.echo(table.to_string(index=False))
            click.echo(summary)
            click.echo(f"\n{len(ev.disagreements)} disagreements (most common patterns first):")
            click.echo(dis.to_string(index=False) if len(dis) else "none")
    if report is not None:
        from kotoba_code.report import write_html_report

        write_html_report(ev, report)
    if failures:
        click.echo("FAILED: " + "; ".join(failures), err=True)
        sys.exit(1)


@cli.command("diff")
@click.argument("input_path", metavar="SAMPLES_OR_CORPUS", type=click.Path(path_type=Path))
@click.option("--codebook", "codebooks", multiple=True, required=True, help="OLD then NEW (give twice).")
@click.option("--text-col", default="text", show_default=True)
@click.option("--id-col", default="id", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the changed units here.")
def diff_cmd(input_path: Path, codebooks: tuple[str, ...], text_col: str, id_col: str, output: Path | None) -> None:
    """Compare two codebook versions: which documents changed codes, and how
    the metrics moved when the input is a labelled sample."""
    from kotoba_code.codebook import Codebook
    from kotoba_code.evaluate import diff_codebooks

    if len(codebooks) != 2:
        raise click.UsageError("give --codebook twice: the old version, then the new one")
    old, new = (Codebook.load(c) for c in codebooks)
    changes, metrics = diff_codebooks(old, new, input_path, text_col=text_col, id_col=id_col)
    if metrics is not None:
        click.echo(to_markdown(metrics.round(3)))
        click.echo("")
    click.echo(f"{changes['id'].nunique() if len(changes) else 0} documents changed codes ({len(changes)} changes)")
    if len(changes):
        click.echo(to_markdown(changes), nl=False)
    if output is not None:
        write_table(changes, output)


@cli.command("demo")
@click.option(
    "--corpus-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Sample corpus directory (default: ./corpus).",
)
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True)
@click.option("-q", "--quiet", is_flag=True)
def demo_cmd(corpus_dir: Path | None, top: int, quiet: bool) -> None:
    """Run the main job on the shipped sample corpus and print the tables."""
    from kotoba_code.cli.demo import run_demo

    run_demo(corpus_dir or Path("corpus"), top=top, quiet=quiet)


def _show_warning(
    message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None
) -> None:
    if issubclass(category, KotobaWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        click.echo(warnings.formatwarning(message, category, filename, lineno, line), err=True, nl=False)


# Commands defined in their own modules register themselves on `cli`.
from kotoba_code.cli import analysis_cmds as _analysis_cmds  # noqa: E402, F401
from kotoba_code.cli import ingest_cmd as _ingest_cmd  # noqa: E402, F401
from kotoba_code.cli import interop as _interop  # noqa: E402, F401
from kotoba_code.cli import learn_cmds as _learn_cmds  # noqa: E402, F401


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    warnings.showwarning = _show_warning
    cli.main(args=argv, prog_name="kotoba-code")
