"""Interoperability commands (REFI-QDA, KH Coder export, Excel forms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kotoba_code.cli._common import corpus_options, info
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import CorpusReadError, Errors
from kotoba_code.io.codebooks import read_codebook

CODEBOOK_SUFFIXES = (".qdc", ".cod", ".yaml", ".yml")


@click.command("export-codebook")
@click.argument("codebook")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="REFI-QDA codebook (.qdc), KH Coder rule file (.cod) or YAML (.yaml).",
)
@click.option("--encoding", default="cp932", show_default=True, help="Encoding of a .cod file.")
@click.option(
    "--cod-names",
    type=click.Choice(["label", "id"]),
    default="label",
    show_default=True,
    help="Name the codes of a .cod file by their label (what KH Coder shows) or their id.",
)
@click.option("-q", "--quiet", is_flag=True)
def export_codebook_cmd(codebook: str, output: Path, encoding: str, cod_names: str, quiet: bool) -> None:
    """Write CODEBOOK (a file or shipped name) for a QDA program or KH Coder.

    \b
    Examples:
      kotoba-code export-codebook welfare_employment -o welfare.qdc
      kotoba-code export-codebook mine.yaml -o mine.cod
    """
    from kotoba_code.io.codebook_yaml import write_yaml
    from kotoba_code.io.khcoder_export import write_khcoder_rules
    from kotoba_code.io.refi_qda import write_qdc

    suffix = output.suffix.lower()
    if suffix not in CODEBOOK_SUFFIXES:
        raise CorpusReadError(Errors.E104.format(path=output, suffix=suffix, supported=", ".join(CODEBOOK_SUFFIXES)))
    cb = read_codebook(codebook)
    if suffix == ".qdc":
        write_qdc(cb, output)
    elif suffix == ".cod":
        for note in write_khcoder_rules(cb, output, encoding=encoding, names=cod_names):
            info(quiet, f"Approximated: {note}")
    else:
        write_yaml(cb, output)
    info(quiet, f"{len(cb)} codes → {output}")


@click.command("import-codebook")
@click.argument("qdc", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="YAML codebook to write."
)
@click.option("-q", "--quiet", is_flag=True)
def import_codebook_cmd(qdc: Path, output: Path, quiet: bool) -> None:
    """Turn a REFI-QDA codebook (.qdc) from any QDA program into a YAML codebook.

    Codes from other programs come without rules; add them in the YAML file.
    """
    from kotoba_code.io.codebook_yaml import write_yaml
    from kotoba_code.io.refi_qda import read_qdc

    cb = read_qdc(qdc)
    write_yaml(cb, output)
    without = sum(not c.rule.strip() for c in cb.codes)
    info(quiet, f"{len(cb)} codes ({without} without a rule) → {output}")


@click.command("export-project")
@corpus_options(codebook="required")
@click.option(
    "--spans",
    type=click.Choice(["evidence", "unit"]),
    default="evidence",
    show_default=True,
    help="Select the words that made each code (evidence) or the whole coded unit.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="REFI-QDA project (.qdpx)."
)
def export_project_cmd(
    corpus: Any, codebook: Any, tokens: Any, unit: str, quiet: bool, spans: str, output: Path
) -> None:
    """Code INPUT and write it as a REFI-QDA project to review in NVivo, MAXQDA,
    ATLAS.ti or QualCoder: documents as text sources, metadata as case
    variables, every code as a coded selection.

    \b
    Example:
      kotoba-code export-project corpus/answers.csv --codebook welfare_employment \\
          --text-col answer --id-col id -o coded.qdpx
    """
    from kotoba_code.io.refi_qda import write_qdpx

    if output.suffix.lower() != ".qdpx":
        raise CorpusReadError(Errors.E104.format(path=output, suffix=output.suffix, supported=".qdpx"))
    result = apply_codebook(codebook, tokens, unit=unit)
    write_qdpx(result, output, spans=spans)  # type: ignore[arg-type]
    m = result.matrix.to_numpy()
    # Units with any code, and codings (one per code in a unit): a unit with
    # three codes is one coded unit and three codings.
    info(
        quiet,
        (f"{len(result.corpus):,} documents, " if unit != "document" else "")
        + f"{int(m.any(axis=1).sum()):,} of {len(m):,} {unit}s with a code, {int(m.sum()):,} codings → {output}",
    )


COMMANDS = [export_codebook_cmd, import_codebook_cmd, export_project_cmd]
