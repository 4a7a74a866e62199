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
@click.option("--unit", type=click.Choice(["document", "paragraph", "sentence"]), default="sentence",
              show_default=True, help="Unit numbered in the 'unit' column.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .csv, .tsv, .parquet or .jsonl (default: CSV on stdout).")
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
@click.option("--pos", "pos", multiple=True,
              help="Keep these parts of speech (repeatable, e.g. --pos 名詞 --pos 動詞); default: content words.")
@click.option("--by", help="Metadata column: count per group.")
@click.option("--stop-words", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of words to leave out, one per line (replaces the default list).")
@click.option("--key", type=click.Choice(["lemma", "norm"]), default="lemma", show_default=True)
@click.option("--min-count", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--top", type=click.IntRange(min=1), help="Only the N most frequent words (per group).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output: .csv .tsv .xlsx .md .parquet .jsonl (default: Markdown on stdout).")
def words_cmd(corpus: Any, tokens: Any, quiet: bool, pos: tuple[str, ...], by: str | None,
              stop_words: Path | None, key: str, min_count: int, top: int | None, output: Path | None) -> None:
    """Word frequency table: count and document frequency per word."""
    df = word_frequency(tokens, by=by, pos=list(pos) or None, stop_words=stop_words, key=key,
                        min_count=min_count, top=top)
    _emit(df, output)
    if output is not None:
        info(quiet, f"{len(df):,} words from {len(corpus):,} documents → {output}")


@cli.command("demo")
@click.option("--corpus-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Sample corpus directory (default: ./corpus).")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True)
@click.option("-q", "--quiet", is_flag=True)
def demo_cmd(corpus_dir: Path | None, top: int, quiet: bool) -> None:
    """Run the main job on the shipped sample corpus and print the tables."""
    from kotoba_code.cli.demo import run_demo

    run_demo(corpus_dir or Path("corpus"), top=top, quiet=quiet)


def _show_warning(message: Any, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    if issubclass(category, KotobaWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        click.echo(warnings.formatwarning(message, category, filename, lineno, line), err=True, nl=False)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    warnings.showwarning = _show_warning
    cli.main(args=argv, prog_name="kotoba-code")
