"""Options shared by several commands, and loading input the same way in each."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kotoba_code.corpus import Corpus
from kotoba_code.io.readers import read_corpus
from kotoba_code.tokenize import SudachiTokenizer, Tokens, make_tokenizer, tokenize


def input_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """INPUT and how to read it."""
    decorators = [
        click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path)),
        click.option("--text-col", help="Column holding the answer text (tables; default: text)."),
        click.option("--id-col", help="Column holding the document id (default: row number)."),
        click.option("--sheet", help="Excel sheet name or 0-based index (default: the first)."),
        click.option("--encoding", help="Input encoding, e.g. cp932 (default: detected)."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


_JOBS_KEY = "kotoba_code.jobs"

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


def tokenize_with_jobs(
    corpus: Corpus, tokenizer: Any, cache: bool | Path, quiet: bool, jobs: int | None = None
) -> Tokens:
    """Tokenize, in ``jobs`` local processes when more than one (default: --jobs)."""
    if jobs is None:
        ctx = click.get_current_context(silent=True)
        jobs = ctx.meta.get(_JOBS_KEY, 1) if ctx is not None else 1
    if jobs > 1:
        from kotoba_code.dask import tokenize_parallel

        return tokenize_parallel(corpus, tokenizer, jobs=jobs, cache=cache, progress=not quiet)
    return tokenize(corpus, tokenizer=tokenizer, cache=cache, progress=not quiet)


def tokenizer_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Tokenizer, cache and verbosity."""
    decorators = [
        click.option(
            "--backend",
            type=click.Choice(["sudachi", "ginza"]),
            default="sudachi",
            show_default=True,
            help="Tokenizer backend (ginza adds dependency parsing, much slower).",
        ),
        click.option(
            "--split-mode",
            type=click.Choice(["A", "B", "C"], case_sensitive=False),
            default="C",
            show_default=True,
            help="Sudachi split mode: A short units, C long units.",
        ),
        click.option(
            "--user-words",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="File of compound words to keep as one token (one per line).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Token cache directory (default: the user cache directory).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the token cache."),
        jobs_option,
        click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def load_corpus(
    input_path: Path, text_col: str | None, id_col: str | None, sheet: str | None, encoding: str | None
) -> Corpus:
    return read_corpus(input_path, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding)


def cache_setting(cache_dir: Path | None, no_cache: bool) -> bool | Path:
    """The ``cache=`` argument of :func:`~kotoba_code.tokenize` for --cache-dir/--no-cache."""
    if no_cache:
        return False
    return cache_dir if cache_dir is not None else True


def load_tokens(
    corpus: Corpus,
    *,
    backend: str,
    split_mode: str,
    user_words: Path | None,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
) -> Tokens:
    kwargs: dict[str, Any] = {"split_mode": split_mode.upper()}
    if user_words is not None:
        if backend != "sudachi":
            raise click.UsageError("--user-words works with the sudachi backend only")
        kwargs["user_words"] = user_words
    tok = make_tokenizer(backend, **kwargs) if backend != "sudachi" else SudachiTokenizer(**kwargs)
    return tokenize_with_jobs(corpus, tok, cache_setting(cache_dir, no_cache), quiet)


def info(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def pass_tokens(f: Callable[..., Any]) -> Callable[..., Any]:
    """Read INPUT and tokenize it; the command receives ``corpus`` and ``tokens``."""

    @input_options
    @tokenizer_options
    @functools.wraps(f)
    def wrapper(
        input_path: Path,
        text_col: str | None,
        id_col: str | None,
        sheet: str | None,
        encoding: str | None,
        backend: str,
        split_mode: str,
        user_words: Path | None,
        cache_dir: Path | None,
        no_cache: bool,
        quiet: bool,
        **kwargs: Any,
    ) -> Any:
        corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
        tokens = load_tokens(
            corpus,
            backend=backend,
            split_mode=split_mode,
            user_words=user_words,
            cache_dir=cache_dir,
            no_cache=no_cache,
            quiet=quiet,
        )
        return f(corpus=corpus, tokens=tokens, quiet=quiet, **kwargs)

    return wrapper


def codebook_and_tokens(
    codebook: str,
    corpus: Any,
    quiet: bool,
    cache_dir: Path | None,
    no_cache: bool,
    vars_specs: tuple[str, ...],
    jobs: int | None = None,
) -> tuple[Any, Any]:
    from kotoba_code.codebook import Codebook
    from kotoba_code.io.readers import read_table
    from kotoba_code.tokenize import SudachiTokenizer

    cb = Codebook.load(codebook)
    for spec in vars_specs:
        path, _, level = spec.rpartition(":")
        if not path:
            raise click.BadParameter(f"{spec!r}: use FILE:LEVEL, e.g. vars.csv:paragraph", param_hint="--vars")
        corpus = corpus.add_variables(read_table(path), level=level)
    tokenizer = SudachiTokenizer(user_words=cb.user_words)
    return cb, tokenize_with_jobs(corpus, tokenizer, cache_setting(cache_dir, no_cache), quiet, jobs)


def coding_options(f: Any, *, codebook_required: bool = True) -> Any:
    """INPUT, how to read it, and the codebook, unit, variables, cache and jobs."""
    decorators = [
        click.option(
            "--codebook",
            "codebook",
            required=codebook_required,
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
        jobs_option,
        click.option("-q", "--quiet", is_flag=True),
    ]
    for d in reversed(decorators):
        f = d(f)
    return input_options(f)


def pass_coding(f: Callable[..., Any] | None = None, *, codebook_required: bool = True) -> Any:
    """Read INPUT, load the codebook (with any --vars) and tokenize with its
    user words; the command receives ``codebook``, ``tokens``, ``unit`` and ``quiet``.

    With ``codebook_required=False`` (``@pass_coding(codebook_required=False)``)
    and no --codebook, the command's ``--model`` file gives the tokenizer
    settings and ``codebook`` is None."""
    if f is None:
        return functools.partial(pass_coding, codebook_required=codebook_required)

    @functools.partial(coding_options, codebook_required=codebook_required)
    @functools.wraps(f)
    def wrapper(
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
        **kwargs: Any,
    ) -> Any:
        corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
        if codebook is None:
            model = kwargs.get("model")
            if model is None:
                raise click.UsageError("give --codebook, --model or both")
            from kotoba_code.coding.learned import tokenizer_for
            from kotoba_code.coding.persistence import read_model_file

            meta, _ = read_model_file(model)
            tokens = tokenize_with_jobs(
                corpus, tokenizer_for(meta["tokenizer"]), cache_setting(cache_dir, no_cache), quiet
            )
            return f(codebook=None, tokens=tokens, unit=unit, quiet=quiet, **kwargs)
        cb, tokens = codebook_and_tokens(codebook, corpus, quiet, cache_dir, no_cache, vars_specs)
        return f(codebook=cb, tokens=tokens, unit=unit, quiet=quiet, **kwargs)

    return wrapper
