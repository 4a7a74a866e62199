"""``kotoba-code ingest``: a folder of per-respondent Excel forms into one table."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from kotoba_code.cli._common import info
from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning
from kotoba_code.io.writers import to_markdown, write_table


def _pairs(option: str, specs: tuple[str, ...]) -> dict[str, str]:
    """``("group=B3", "prefecture=B4")`` → ``{"group": "B3", "prefecture": "B4"}``."""
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, ref = spec.partition("=")
        if not sep or not name.strip() or not ref.strip():
            raise click.BadParameter(f"{spec!r}: use NAME=CELL, e.g. group=B3", param_hint=option)
        if name.strip() in out:
            raise click.BadParameter(f"{name.strip()!r} is given twice", param_hint=option)
        out[name.strip()] = ref.strip()
    return out


@click.command("ingest")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--cell",
    "cell_specs",
    multiple=True,
    metavar="NAME=CELL",
    help="Respondent metadata from a cell or defined name, e.g. group=B3 (repeatable).",
)
@click.option(
    "--question",
    "question_specs",
    multiple=True,
    required=True,
    metavar="NAME=CELL",
    help="A free-text question and its answer cell, e.g. challenge=B10 (repeatable).",
)
@click.option("--sheet", help="Sheet of plain cell references: name or 0-based index (default: the first).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The answers: .csv .tsv .xlsx .parquet .jsonl (columns id, text, file, question, metadata).",
)
@click.option(
    "--summary",
    "summary_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the summary table (file, status, reason, documents) here.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def ingest_cmd(
    folder: Path,
    cell_specs: tuple[str, ...],
    question_specs: tuple[str, ...],
    sheet: str | None,
    output: Path,
    summary_out: Path | None,
    quiet: bool,
) -> None:
    """Read a FOLDER of per-respondent Excel forms into one answers table:
    one row per form and question, also for empty answers.

    Forms that cannot be read (not .xlsx, damaged, password-protected, a
    missing cell name) are skipped and listed in the printed summary.

    \b
    Example:
      kotoba-code ingest forms/ --cell group=B3 --cell prefecture=B4 \\
          --question challenge=B10 --question practice=B12 -o answers.csv
      kotoba-code code answers.csv --text-col text --id-col id --codebook welfare_employment
    """
    from kotoba_code.io.forms import read_excel_forms

    cells = _pairs("--cell", cell_specs)
    questions = _pairs("--question", question_specs)
    # The summary printed below names every skipped form and its reason;
    # the per-form warnings would only repeat it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KotobaWarning)
        corpus, summary = read_excel_forms(folder, cells, text_cells=questions, sheet=sheet)
    click.echo(to_markdown(summary), nl=False)
    if summary_out is not None:
        write_table(summary, summary_out)
    if len(corpus) == 0:
        raise CorpusReadError(Errors.E101.format(path=folder, reason="no form could be read (see the summary)"))
    write_table(corpus.to_frame(), output)
    skipped = int((summary["status"] == "skipped").sum())
    info(
        quiet,
        f"{len(corpus):,} answers from {len(summary) - skipped:,} forms ({skipped} skipped) → {output}",
    )


COMMANDS = [ingest_cmd]
