"""Options shared by several commands, and loading input the same way in each."""

from __future__ import annotations

import functools
import sys
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
        click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def load_corpus(
    input_path: Path, text_col: str | None, id_col: str | None, sheet: str | None, encoding: str | None
) -> Corpus:
    return read_corpus(input_path, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding)


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
    cache: bool | Path = False if no_cache else (cache_dir if cache_dir is not None else True)
    return tokenize(corpus, tokenizer=tok, cache=cache, progress=not quiet)


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


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
