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
from kotoba_code.cli._common import info, pass_tokens
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


def _codebook_and_tokens(
    codebook: str, corpus: Any, quiet: bool, cache_dir: Path | None, no_cache: bool, vars_specs: tuple[str, ...]
) -> tuple[Any, Any]:
    from kotoba_code.codebook import Codebook
    from kotoba_code.io.readers import read_table
    from kotoba_code.tokenize import SudachiTokenizer, tokenize

    cb = Codebook.load(codebook)
    for spec in vars_specs:
        path, _, level = spec.rpartition(":")
        if not path:
            raise click.BadParameter(f"{spec!r}: use FILE:LEVEL, e.g. vars.csv:paragraph", param_hint="--vars")
        corpus = corpus.add_variables(read_table(path), level=level)
    cache: bool | Path = False if no_cache else (cache_dir if cache_dir is not None else True)
    tokens = tokenize(corpus, tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=cache, progress=not quiet)
    return cb, tokens


def coding_options(f: Any) -> Any:
    from kotoba_code.cli._common import input_options

    decorators = [
        click.option(
            "--codebook",
            "codebook",
            required=True,
            help="Codebook: a YAML or KH Coder rule file, or a shipped name (welfare_employment).",
        ),
        click.option(
            "--unit",
            type=click.Choice(["document", "paragraph", "sentence"]),
            default="document",
            show_default=True,
            help="Unit to code and count.",
        ),
        click.option(
            "--vars",
            "vars_specs",
            multiple=True,
            metavar="FILE:LEVEL",
            help="External variables: a table with one row per unit of LEVEL, in order (repeatable).",
        ),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path)),
        click.option("--no-cache", is_flag=True),
        click.option("-q", "--quiet", is_flag=True),
    ]
    for d in reversed(decorators):
        f = d(f)
    return input_options(f)


@cli.command("code")
@coding_options
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
    input_path: Path,
    text_col: str | None,
    id_col: str | None,
    sheet: str | None,
    encoding: str | None,
    codebook: str,
    unit: str,
    vars_specs: tuple[str, ...],
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    output: Path | None,
    evidence_out: Path | None,
) -> None:
    """Code every document: one row per input document with a 0/1 column per code."""
    from kotoba_code.cli._common import load_corpus

    corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
    cb, tokens = _codebook_and_tokens(codebook, corpus, quiet, cache_dir, no_cache, vars_specs)
    result = cb.apply(tokens, unit=unit)
    df = result.to_frame()
    if output is None:
        df.to_csv(sys.stdout, index=False)
    else:
        write_table(df, output)
        info(quiet, f"{len(df):,} documents coded with {len(cb)} codes → {output}")
    if evidence_out is not None:
        write_table(result.evidence, evidence_out)


@cli.command("freq")
@coding_options
@click.option("--by", help="Metadata column or unit attribute: cross-tabulate with a chi-square test per code.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table: .csv .xlsx .md (default: Markdown on stdout), or a figure: .png .svg.",
)
def freq_cmd(
    input_path: Path,
    text_col: str | None,
    id_col: str | None,
    sheet: str | None,
    encoding: str | None,
    codebook: str,
    unit: str,
    vars_specs: tuple[str, ...],
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    by: str | None,
    output: Path | None,
) -> None:
    """Theme frequency table: units with each code, percent, and by group."""
    from kotoba_code.cli._common import load_corpus

    corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
    cb, tokens = _codebook_and_tokens(codebook, corpus, quiet, cache_dir, no_cache, vars_specs)
    table = cb.apply(tokens, unit=unit).frequencies(by=by)
    if output is not None and output.suffix.lower() in (".png", ".svg"):
        from kotoba_code.plot import plot_frequencies

        plot_frequencies(table, path=output)
    else:
        _emit(table, output)
    if output is not None:
        info(quiet, f"{len(table)} codes → {output}")


@cli.command("lint")
@coding_options
def lint_cmd(
    input_path: Path,
    text_col: str | None,
    id_col: str | None,
    sheet: str | None,
    encoding: str | None,
    codebook: str,
    unit: str,
    vars_specs: tuple[str, ...],
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Warn about rule words that are not one token or never occur in INPUT."""
    from kotoba_code.cli._common import load_corpus

    corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
    cb, tokens = _codebook_and_tokens(codebook, corpus, quiet, cache_dir, no_cache, vars_specs)
    problems = cb.lint(tokens)
    for line in problems:
        click.echo(line)
    info(quiet, f"{len(problems)} warning(s) for {len(cb)} codes")


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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    warnings.showwarning = _show_warning
    cli.main(args=argv, prog_name="kotoba-code")
