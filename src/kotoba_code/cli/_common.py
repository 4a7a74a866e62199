"""The options every corpus-reading command shares, and reading input the same way in each.

Every command that reads a corpus takes one option group, with the same
names, defaults and meaning everywhere (a test walks the commands and checks)::

    INPUT --text-col --id-col --sheet --encoding      what to read
    --unit --vars                                     units and external variables
    --user-words --split-mode --backend               how to tokenize
    --stop-words --no-stop-words --synonyms           (commands that count words)
    --codebook                                        (commands that code)
    --cache-dir --no-cache -j/--jobs -q/--quiet       cache, processes, verbosity

A command declares the group with :func:`corpus_options` and receives the
corpus, its tokens and the settings already resolved, so the commands
themselves only call one library function and write its result.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pandas as pd

from kotoba_code.coding.persistence import read_model_file
from kotoba_code.coding.stream import uses_corpus_position
from kotoba_code.corpus import UNIT_LEVELS, Corpus
from kotoba_code.io.codebooks import read_codebook
from kotoba_code.io.markdown import people_table
from kotoba_code.io.readers import read_corpus, read_table
from kotoba_code.io.stream import STREAM_SUFFIXES, NotStreamable, iter_corpus_chunks
from kotoba_code.io.writers import to_markdown, write_table
from kotoba_code.tokenize import Tokens, make_tokenizer, tokenize
from kotoba_code.tokenize.userwords import read_word_list

_JOBS_KEY = "kotoba_code.jobs"
# The sample corpus of the repository (corpus/ next to src/).
SAMPLE_CORPUS = Path(__file__).resolve().parents[3] / "corpus"
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
            "--no-sample-words",
            is_flag=True,
            help="On the sample corpus, do not apply its user words and synonyms (corpus/userwords.txt, synonyms.txt).",
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
        decorators += [
            click.option(
                "--stop-words",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="File of words to leave out, one per line (replaces the default list, docs/tokenization.md).",
            ),
            click.option("--no-stop-words", is_flag=True, help="Count every content word (no stop-word list)."),
            click.option(
                "--synonyms",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="File of spelling variants counted as one word, lines like 'ハローワーク,HW,ハロワ'.",
            ),
        ]
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
    instead of the whole corpus (see :func:`corpus_options`).

    Each use of :attr:`corpora` reads the input again from its start, so a
    command may pass over it twice (a word network: word frequencies first,
    then the pairs of the words kept)."""

    def __init__(
        self, open_corpora: Callable[[], Iterator[Corpus]], tokenize: Callable[[Corpus], Tokens], size: int
    ) -> None:
        self._open = open_corpora
        self.tokenize = tokenize
        self.size = size

    @property
    def corpora(self) -> Iterator[Corpus]:
        """A new pass over the input, chunk by chunk."""
        return self._open()


def corpus_options(
    *, unit: str = "document", stop_words: bool = False, codebook: str | None = None, stream: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the corpus option group; it receives the input read and tokenized.

    The command is called with ``corpus``, ``tokens``, ``unit`` and ``quiet``,
    plus ``stop_words`` (a path, ``[]`` for --no-stop-words, or None for the
    default list) and ``synonyms`` (a path or None) when ``stop_words`` is set, and
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
            no_sample_words: bool,
            split_mode: str,
            backend: str,
            cache_dir: Path | None,
            no_cache: bool,
            quiet: bool,
            **kwargs: Any,
        ) -> Any:
            cb = None
            if codebook is not None:
                name = kwargs.pop("codebook")
                cb = read_codebook(name) if name else None
                kwargs["codebook"] = cb
            sample = None if no_sample_words else sample_corpus_dir(input_path)
            if sample is not None and user_words is None:
                user_words = sample / "userwords.txt"
                info(quiet, f"Sample corpus: using its user words {user_words} (--no-sample-words to turn off).")
            if stop_words:
                if kwargs.pop("no_stop_words"):
                    kwargs["stop_words"] = []
                if kwargs.get("synonyms") is None and sample is not None:
                    kwargs["synonyms"] = sample / "synonyms.txt"
                    info(quiet, f"Sample corpus: folding the variants of {kwargs['synonyms']}.")
            if cb is None and kwargs.get("model") is not None:
                # A learned model alone: tokenize as it was trained (its user words and split mode).
                # Imported here: the learned coders load scikit-learn, which
                # every other command would otherwise wait for at start.
                from kotoba_code.coding.learned import tokenizer_for

                meta, _ = read_model_file(kwargs["model"])
                tokenizer = tokenizer_for(meta["tokenizer"])
            else:
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
                    chunk_size = size

                    def open_corpora() -> Iterator[Corpus]:
                        return iter_corpus_chunks(
                            input_path,
                            text_col=text_col,
                            id_col=id_col,
                            encoding=encoding,
                            chunk_size=chunk_size,
                            columns=(by,) if by else (),
                        )

                    chunks = Chunks(open_corpora, lambda c: tokenize_with_jobs(c, tokenizer, cache, True), size)
                    info(quiet, f"Reading {input_path} in chunks of {size:,} answers (bounded memory).")
                    try:
                        return f(corpus=None, tokens=None, quiet=quiet, chunks=chunks, **kwargs)
                    except NotStreamable as why:
                        # Read whole below: also reports a malformed file exactly.
                        info(quiet, f"Reading {input_path} whole instead ({why}).")
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
                    help="Read, tokenize and count a CSV/TSV/JSONL/Parquet INPUT this many answers at a time: "
                    "memory stays bounded, results are the same (default: chunks of "
                    f"{DEFAULT_CHUNK_SIZE:,} for tables over {STREAM_MIN_BYTES // 2**20} MB; 0: read the whole "
                    "file at once; docs/scaling.md).",
                )
            )
        for d in reversed(decorators):
            wrapper = d(wrapper)
        return wrapper

    return decorate


def sample_corpus_dir(input_path: Path) -> Path | None:
    """The shipped sample corpus folder when INPUT is in it (or is it), else None.

    The sample corpus ships its user words and synonyms; commands apply them
    by default on it, so the README, the tutorial and the demo count alike.
    """
    try:
        where = Path(input_path).resolve()
    except OSError:
        return None
    folder = SAMPLE_CORPUS.resolve()
    if (where == folder or folder in where.parents) and (folder / "userwords.txt").is_file():
        return folder
    return None


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

        return tokenize_parallel(corpus, tokenizer, jobs=jobs, cache=cache, progress=show_progress(quiet))
    return tokenize(corpus, tokenizer=tokenizer, cache=cache, progress=show_progress(quiet))


def cache_setting(cache_dir: Path | None, no_cache: bool) -> bool | Path:
    """The ``cache=`` argument of :func:`~kotoba_code.tokenize` for --cache-dir/--no-cache."""
    if no_cache:
        return False
    return cache_dir if cache_dir is not None else True


def emit(df: pd.DataFrame, output: Path | None) -> None:
    """A table to ``output`` (format by suffix), or as Markdown on stdout.

    Markdown (stdout or ``.md``) is for people: headings in the language of
    ``--lang``, p-values with significance marks, one decimal
    (:func:`~kotoba_code.io.markdown.people_table`). Other formats keep the
    columns and values as they are, for programs.
    """
    if output is None:
        click.echo(to_markdown(people_table(df)), nl=False)
    else:
        write_table(df, output)


def info(quiet: bool, message: str) -> None:
    """A one-line message or summary on stderr, unless ``-q``."""
    if not quiet:
        click.echo(message, err=True)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two.

    Examples
    --------
    >>> display_width("温度差"), display_width("gap"), display_width("ＨＷ")
    (6, 3, 4)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def terminal_table(df: pd.DataFrame, *, max_width: int = 60) -> str:
    """``df`` as aligned plain-text columns for a terminal, padding by display
    width so that Japanese text keeps the columns straight (pandas pads by
    characters). Numbers are right-aligned; cells longer than ``max_width``
    columns are cut with ``…``.

    Examples
    --------
    >>> print(terminal_table(pd.DataFrame({"code": ["温度差", "gap"], "f1": [0.5, 1.0]})))
    code     f1
    温度差  0.5
    gap     1.0
    """

    def cell(v: object) -> str:
        text = " ".join(str(v).split()) if v == v else ""
        if display_width(text) <= max_width:
            return text
        out, width = "", 0
        for c in text:
            width += display_width(c)
            if width > max_width - 1:
                break
            out += c
        return out + "…"

    cols = [str(c) for c in df.columns]
    rows = [[cell(v) for v in row] for row in df.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    widths = [max([display_width(c)] + [display_width(r[j]) for r in rows]) for j, c in enumerate(cols)]

    def line(values: list[str]) -> str:
        parts = []
        for j, v in enumerate(values):
            pad = " " * (widths[j] - display_width(v))
            parts.append(pad + v if numeric[j] else v + pad)
        return "  ".join(parts).rstrip()

    return "\n".join([line(cols)] + [line(r) for r in rows])


def show_progress(quiet: bool) -> bool:
    """Progress is shown on stderr when it is a terminal and ``-q`` is not given."""
    return not quiet and sys.stderr.isatty()


@contextlib.contextmanager
def step(quiet: bool, label: str) -> Iterator[None]:
    """Show ``label …`` on stderr while a step runs, then its time (terminals only, not with ``-q``)."""
    if not show_progress(quiet):
        yield
        return
    click.echo(f"{label} …", err=True, nl=False)
    t0 = time.perf_counter()
    yield
    click.echo(f"\r{label}: {time.perf_counter() - t0:.1f} s", err=True)


# The two shapes most commands take: read and tokenize (words, KWIC …), and
# read, code with a codebook (code, freq …).
pass_tokens = corpus_options(unit="document")
pass_coding = corpus_options(unit="document", codebook="required")
