"""Commands on words: tokenize, words, kwic, keyness."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.analysis.stream import word_frequency_by_chunk, word_keyness_by_chunk
from kotoba_code.cli._common import Chunks, corpus_options, emit, info
from kotoba_code.io.writers import write_table


@click.command("tokenize")
@corpus_options(unit="sentence")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv .tsv .xlsx .parquet .jsonl (default: CSV on stdout).",
)
def tokenize_cmd(corpus: Any, tokens: Any, unit: str, quiet: bool, output: Path | None) -> None:
    """One row per token: id, unit, start, end, surface, lemma, norm, pos …

    start/end are character offsets into the original text.
    """
    df = tokens.to_frame(unit=unit)
    if output is None:
        df.to_csv(sys.stdout, index=False)
    else:
        write_table(df, output)
        # The same count as the demo, `words` and repr(Tokens): every token,
        # white space included; the rows written leave white space out.
        info(
            quiet,
            f"{len(tokens):,} tokens from {len(corpus):,} documents; {len(df):,} rows written "
            f"(white-space tokens left out) → {output}",
        )


@click.command("words")
@corpus_options(stop_words=True, stream=True)
@click.option(
    "--pos",
    "pos",
    multiple=True,
    help="Keep these parts of speech (repeatable, e.g. --pos 名詞 --pos 動詞); default: content words.",
)
@click.option("--by", help="Metadata column: count per group.")
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
    unit: str,
    quiet: bool,
    pos: tuple[str, ...],
    by: str | None,
    stop_words: Path | None,
    synonyms: Path | None,
    key: str,
    min_count: int,
    top: int | None,
    output: Path | None,
    chunks: Chunks | None,
) -> None:
    """Word frequency table: count and document frequency per word.

    Large tables are read and tokenized in chunks (--chunk-size) whose counts
    are added up before --min-count and --top: the same table as a
    whole-file run, in bounded memory."""
    options: dict[str, Any] = {
        "by": by,
        "pos": list(pos) or None,
        "stop_words": stop_words,
        "key": key,
        "min_count": min_count,
        "top": top,
        "unit": unit,
        "synonyms": synonyms,
    }
    if chunks is not None:
        seen = {"tokens": 0, "documents": 0}

        def tokenize(c: Any) -> Any:
            t = chunks.tokenize(c)
            seen["tokens"] += len(t)
            seen["documents"] += len(c)
            return t

        df = word_frequency_by_chunk(chunks.corpora, tokenize=tokenize, **options)
        n_tokens, n_docs = seen["tokens"], seen["documents"]
    else:
        df = word_frequency(tokens, **options)
        n_tokens, n_docs = len(tokens), len(corpus)
    emit(df, output)
    if output is not None:
        info(quiet, f"{len(df):,} words counted in {n_tokens:,} tokens of {n_docs:,} documents → {output}")


@click.command("kwic")
@corpus_options()
@click.option("--term", required=True, help="Word to look up (dictionary form; * is a glob).")
@click.option("--window", type=int, default=8, show_default=True, help="Tokens of context on each side.")
@click.option("--match", type=click.Choice(["lemma", "surface", "norm"]), default="lemma", show_default=True)
@click.option(
    "--sort", type=click.Choice(["position", "left", "right", "keyword"]), default="position", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output: .csv .xlsx .md … (default: aligned lines on stdout).",
)
def kwic_cmd(
    corpus: Any, tokens: Any, unit: str, quiet: bool, term: str, window: int, match: str, sort: str, output: Path | None
) -> None:
    """Keyword in context: every occurrence of a word with its left and right context."""
    from kotoba_code.analysis.kwic import kwic

    df = kwic(tokens, term, window=window, match=match, sort=sort)
    if output is not None:
        write_table(df, output)
        info(quiet, f"{len(df)} lines → {output}")
        return
    width = max((len(s) for s in df["left"]), default=0)
    pad = "\u3000"  # full-width space keeps Japanese context aligned
    for r in df.itertuples():
        click.echo(f"{r.id}\t{r.left.rjust(width, pad)} 【{r.keyword}】 {r.right}")


@click.command("keyness")
@corpus_options(stop_words=True, stream=True)
@click.option("--by", required=True, help="Metadata column with the groups.")
@click.option("--measure", type=click.Choice(["ll", "chi2"]), default="ll", show_default=True)
@click.option("--min-df", type=int, default=3, show_default=True)
@click.option("--top", type=int, default=20, show_default=True, help="Words per group.")
@click.option(
    "--shared",
    type=float,
    default=None,
    help="Instead, list the words every group uses in at least this share of its documents (e.g. 0.05).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def keyness_cmd(
    corpus: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    by: str,
    measure: str,
    min_df: int,
    top: int,
    shared: float | None,
    output: Path | None,
    chunks: Chunks | None,
) -> None:
    """Words characteristic of each group (log-likelihood or chi-square keyness),
    or with --shared, the words every group uses.

    Large tables are read and tokenized in chunks (--chunk-size): documents
    with each word per group are added up, then scored; the same table as a
    whole-file run, in bounded memory."""
    from kotoba_code.analysis.keyness import shared_terms, word_keyness

    options = {"measure": measure, "min_df": min_df, "stop_words": stop_words, "synonyms": synonyms}
    if chunks is not None:
        kt = word_keyness_by_chunk(chunks.corpora, by, tokenize=chunks.tokenize, **options)
    else:
        kt = word_keyness(tokens, by, **options)
    if shared is not None:
        table = shared_terms(kt, min_share=shared).head(top).round(4)
    else:
        table = kt[kt["effect"] > 0].groupby("group", sort=True).head(top).round(4)
    emit(table.reset_index(drop=True), output)


COMMANDS = [tokenize_cmd, words_cmd, kwic_cmd, keyness_cmd]
