"""The options every corpus-reading command shares, and reading input the same way in each.

Every command that reads a corpus takes one option group, with the same
names, defaults and meaning everywhere (a test walks the commands and checks)::

    INPUT --text-col --id-col --sheet --encoding      what to read
    --unit --vars                                     units and external variables
    --user-words --split-mode --backend               how to tokenize
    --stop-words                                      (commands that count words)
    --codebook                                        (commands that code)
    --cache-dir --no-cache -j/--jobs -q/--quiet       cache, processes, verbosity

A command declares the group with :func:`corpus_options` and receives the
corpus, its tokens and the settings already resolved, so the commands
themselves only call one library function and write its result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd

from kotoba_code.coding.stream import uses_corpus_position
from kotoba_code.corpus import UNIT_LEVELS, Corpus
from kotoba_code.io.readers import read_corpus, read_table
from kotoba_code.io.stream import STREAM_SUFFIXES, NotStreamable, iter_corpus_chunks
from kotoba_code.io.writers import to_markdown, write_table
from kotoba_code.tokenize import Tokens, make_tokenizer, tokenize
from kotoba_code.tokenize.userwords import read_word_list

_JOBS_KEY = "kotoba_code.jobs"
# Commands that only need counts read tables larger than this in chunks
# (docs/scaling.md): memory then stays bounded whatever the input size.
STREAM_MIN_BYTES = 16 * 1024 * 1024
DEFAULT_CHUNK_SIZE = 20_000

# --jobs is kept on the click context rather than passed as a parameter, so
# every command built on these option sets honours it without taking it.
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    expose_value=False,
    callback=lambda ctx, _param, value: ctx.meta.__setitem__(_JOBS_KEY, value),
    help="Tokenize in N local processes (same results; see docs/scaling.md).",
)

quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr.")


def output_option(help_text: str, *, required: bool = False, multiple: bool = False) -> Callable[..., Any]:
    """``-o/--output``: one file (or several with ``multiple``), format by suffix."""
    return click.option(
        "-o",
        "--output",
        "outputs" if multiple else "output",
        multiple=multiple,
        required=required,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def _input_decorators(unit: str, stop_words: bool, codebook: str | None) -> list[Callable[..., Any]]:
    decorators: list[Callable[..., Any]] = [
        click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path)),
        click.option("--text-col", help="Column holding the answer text (tables; default: text)."),
        click.option("--id-col", help="Column holding the document id (default: row number)."),
        click.option("--sheet", help="Excel sheet name or 0-based index (default: the first)."),
        click.option("--encoding", help="Input encoding, e.g. cp932 (default: detected)."),
        click.option(
            "--unit",
            type=click.Choice(UNIT_LEVELS),
            default=unit,
            show_default=True,
            help="Unit to code and count in (h1–h5: KH Coder's heading levels).",
        ),
        click.option(
            "--vars",
            "vars_specs",
            multiple=True,
            metavar="FILE:LEVEL",
            help="External variables: a table with one row per unit of LEVEL, in order (repeatable).",
        ),
        click.option(
            "--user-words",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="File of compound words to keep as one token (one per line); added to the codebook's.",
        ),
        click.option(
            "--split-mode",
            type=click.Choice(["A", "B", "C"], case_sensitive=False),
            default="C",
            show_default=True,
            help="Sudachi split mode: A short units, C long units.",
        ),
        click.option(
            "--backend",
            type=click.Choice(["sudachi", "ginza"]),
            default="sudachi",
            show_default=True,
            help="Tokenizer backend (ginza adds dependency parsing, much slower).",
        ),
    ]
    if stop_words:
        decorators.append(
            click.option(
                "--stop-words",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="File of words to leave out, one per line (replaces the default list).",
            )
        )
    if codebook is not None:
        decorators.append(
            click.option(
                "--codebook",
                "codebook",
                required=codebook == "required",
                help="Codebook: a YAML or KH Coder rule file, or a shipped name (welfare_employment).",
            )
        )
    decorators += [
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Token cache directory (default: the user cache directory).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the token cache."),
        jobs_option,
        quiet_option,
    ]
    return decorators


class Chunks:
    """The input as consecutive corpora of at most ``size`` documents, each
    tokenized on demand: what a command that only needs counts receives
    instead of the whole corpus (see :func:`corpus_options`)."""

    def __init__(self, corpora: Any, tokenize: Callable[[Corpus], Tokens], size: int) -> None:
        self.corpora = corpora
        self.tokenize = tokenize
        self.size = size


def corpus_options(
    *, unit: str = "document", stop_words: bool = False, codebook: str | None = None, stream: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the corpus option group; it receives the input read and tokenized.

    The command is called with ``corpus``, ``tokens``, ``unit`` and ``quiet``,
    plus ``stop_words`` (a path or None) when ``stop_words`` is set, and
    ``codebook`` (a loaded :class:`~kotoba_code.codebook.Codebook`, or None
    when optional and not given) when ``codebook`` is ``"optional"`` or
    ``"required"``. ``unit`` is the default of ``--unit``: the default of the
    library function the command calls.

    With ``stream``, the command takes ``--chunk-size`` and is called with
    ``chunks`` too: a :class:`Chunks` when the input is read in chunks (then
    ``corpus`` and ``tokens`` are None), else None. Tables over
    :data:`STREAM_MIN_BYTES` are read in chunks unless the options need the
    whole corpus (``--vars``, another backend, a rule using ``No.``); a file
    the chunked reader cannot read alone (:class:`NotStreamable`) is read
    whole and the command called again.
    """

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def wrapper(
            input_path: Path,
            text_col: str | None,
            id_col: str | None,
            sheet: str | None,
            encoding: str | None,
            vars_specs: tuple[str, ...],
            user_words: Path | None,
            split_mode: str,
            backend: str,
            cache_dir: Path | None,
            no_cache: bool,
            quiet: bool,
            **kwargs: Any,
        ) -> Any:
            cb = None
            if codebook is not None:
                from kotoba_code.codebook import Codebook

                name = kwargs.pop("codebook")
                cb = Codebook.load(name) if name else None
            if codebook is not None:
                kwargs["codebook"] = cb
            tokenizer = make_input_tokenizer(
                backend=backend,
                split_mode=split_mode,
                user_words=user_words,
                codebook_words=cb.user_words if cb is not None else (),
            )
            cache = cache_setting(cache_dir, no_cache)
            if stream:
                size = kwargs.pop("chunk_size")
                if _streams(input_path, size, vars_specs, backend, cb):
                    size = size or DEFAULT_CHUNK_SIZE
                    by = kwargs.get("by")
                    corpora = iter_corpus_chunks(
                        input_path,
                        text_col=text_col,
                        id_col=id_col,
                        encoding=encoding,
                        chunk_size=size,
                        columns=(by,) if by else (),
                    )
                    chunks = Chunks(corpora, lambda c: tokenize_with_jobs(c, tokenizer, cache, True), size)
                    info(quiet, f"Reading {input_path} in chunks of {size:,} answers (bounded memory).")
                    try:
                        return f(corpus=None, tokens=None, quiet=quiet, chunks=chunks, **kwargs)
                    except NotStreamable:
                        pass  # read whole below: also reports a malformed file exactly
                kwargs["chunks"] = None
            corpus = read_input(input_path, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding)
            corpus = add_variables(corpus, vars_specs)
            tokens = tokenize_with_jobs(corpus, tokenizer, cache, quiet)
            return f(corpus=corpus, tokens=tokens, quiet=quiet, **kwargs)

        decorators = _input_decorators(unit, stop_words, codebook)
        if stream:
            decorators.append(
                click.option(
                    "--chunk-size",
                    type=click.IntRange(min=0),
                    help="Read, tokenize and code INPUT this many answers at a time: memory stays bounded, "
                    f"results are the same (default: chunks of {DEFAULT_CHUNK_SIZE:,} for tables over "
                    f"{STREAM_MIN_BYTES // 2**20} MB; 0: read the whole file at once).",
                )
            )
        for d in reversed(decorators):
            wrapper = d(wrapper)
        return wrapper

    return decorate


def _streams(input_path: Path, size: int | None, vars_specs: tuple[str, ...], backend: str, cb: Any) -> bool:
    """Whether to read INPUT in chunks: a large (or --chunk-size) CSV/TSV/JSONL
    table whose counts need no whole-corpus view."""
    if size == 0 or vars_specs or backend != "sudachi" or not input_path.is_file():
        return False
    if input_path.suffix.lower() not in STREAM_SUFFIXES:
        return False
    if cb is not None and uses_corpus_position(cb):
        return False
    return size is not None or input_path.stat().st_size > STREAM_MIN_BYTES


def read_input(
    input_path: Path, *, text_col: str | None, id_col: str | None, sheet: str | None, encoding: str | None
) -> Corpus:
    """INPUT as a corpus: a table, a transcript or a folder of transcripts."""
    return read_corpus(input_path, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding)


def add_variables(corpus: Corpus, vars_specs: tuple[str, ...]) -> Corpus:
    """Add each ``--vars FILE:LEVEL`` table to the corpus, in order."""
    for spec in vars_specs:
        path, _, level = spec.rpartition(":")
        if not path:
            raise click.BadParameter(f"{spec!r}: use FILE:LEVEL, e.g. vars.csv:paragraph", param_hint="--vars")
        corpus = corpus.add_variables(read_table(path), level=level)
    return corpus


def make_input_tokenizer(
    *, backend: str = "sudachi", split_mode: str = "C", user_words: Path | None = None, codebook_words: Any = ()
) -> Any:
    """The tokenizer of the options: the codebook's user words, then those of ``--user-words``."""
    words = list(codebook_words)
    if user_words is not None:
        words += [f"{w}\t{pos}" if pos else w for w, pos in read_word_list(user_words, with_pos=True).items()]
    kwargs: dict[str, Any] = {"split_mode": split_mode.upper()}
    if words:
        if backend != "sudachi":
            raise click.UsageError("user words (--user-words or a codebook's) work with the sudachi backend only")
        kwargs["user_words"] = words
    return make_tokenizer(backend, **kwargs)


def tokenize_with_jobs(
    corpus: Corpus, tokenizer: Any, cache: bool | Path, quiet: bool, jobs: int | None = None
) -> Tokens:
    """Tokenize, in ``jobs`` local processes when more than one (default: --jobs)."""
    if jobs is None:
        ctx = click.get_current_context(silent=True)
        jobs = ctx.meta.get(_JOBS_KEY, 1) if ctx is not None else 1
    if jobs > 1:
        from kotoba_code.parallel import tokenize_parallel

        return tokenize_parallel(corpus, tokenizer, jobs=jobs, cache=cache, progress=not quiet)
    return tokenize(corpus, tokenizer=tokenizer, cache=cache, progress=not quiet)


def cache_setting(cache_dir: Path | None, no_cache: bool) -> bool | Path:
    """The ``cache=`` argument of :func:`~kotoba_code.tokenize` for --cache-dir/--no-cache."""
    if no_cache:
        return False
    return cache_dir if cache_dir is not None else True


def emit(df: pd.DataFrame, output: Path | None) -> None:
    """A table to ``output`` (format by suffix), or as Markdown on stdout."""
    if output is None:
        click.echo(to_markdown(df), nl=False)
    else:
        write_table(df, output)


def info(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


# The two shapes most commands take: read and tokenize (words, KWIC …), and
# read, code with a codebook (code, freq …).
pass_tokens = corpus_options(unit="document")
pass_coding = corpus_options(unit="document", codebook="required")
