"""Reading a codebook from any file a user may hand over: YAML, a KH Coder
rule file, a REFI-QDA codebook (``.qdc``), or the name of a shipped codebook."""

from __future__ import annotations

from pathlib import Path

from kotoba_code.codebook.model import Codebook
from kotoba_code.io.refi_qda import read_qdc

REFI_QDA_SUFFIXES = (".qdc", ".qdpx")


def read_codebook(path_or_name: str | Path) -> Codebook:
    """A codebook from a file of any supported format, or a shipped name.

    YAML and KH Coder files go to :meth:`Codebook.load`; a ``.qdc`` (or a
    ``.qdpx`` passed by mistake, which gets an error saying so) to
    :func:`~kotoba_code.io.refi_qda.read_qdc`. The command line reads every
    ``--codebook`` through this function.

    Examples
    --------
    >>> read_codebook("welfare_employment").name
    'welfare_employment'
    """
    if Path(path_or_name).suffix.lower() in REFI_QDA_SUFFIXES and Path(path_or_name).exists():
        return read_qdc(path_or_name)
    return Codebook.load(path_or_name)
