"""Analysis commands: network, synthesize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kotoba_code.analysis.stream import code_network_by_chunk, word_network_by_chunk
from kotoba_code.cli._common import Chunks, corpus_options, info, output_option, step
from kotoba_code.coding import apply_codebook
from kotoba_code.io.writers import write_table


@click.command("network")
@corpus_options(stop_words=True, codebook="optional", stream=True)
@click.option("--of", "of", type=click.Choice(["words", "codes"]), default="words", show_default=True)
@click.option("--by", help="Metadata column: network of words × groups (KH Coder's external-variable network).")
@click.option(
    "--measure",
    type=click.Choice(["jaccard", "dice", "simpson", "cosine", "pmi", "npmi", "loglik"]),
    default="jaccard",
    show_default=True,
)
@click.option("--top-n", type=int, default=60, show_default=True, help="Strongest edges kept.")
@click.option("--max-words", type=int, default=75, show_default=True)
@click.option("--min-df", type=int, default=2, show_default=True)
@click.option("--communities", type=click.Choice(["louvain", "greedy", "none"]), default="louvain", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@output_option("Output (repeatable): .graphml .gexf .json .png .svg .html", required=True, multiple=True)
def network_cmd(
    corpus: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    codebook: Any,
    of: str,
    by: str | None,
    measure: str,
    top_n: int,
    max_words: int,
    min_df: int,
    communities: str,
    seed: int,
    outputs: tuple[Path, ...],
    chunks: Chunks | None,
) -> None:
    """Co-occurrence network of words or codes, written as GraphML, GEXF, JSON, a figure or an HTML page.

    Large tables are read and tokenized in chunks (--chunk-size), in bounded
    memory, with the same network as a whole-file run: the words are chosen
    from the summed counts; a network of words without --by reads INPUT twice
    (words' frequencies, then the pairs of the words kept)."""
    from kotoba_code.io.networks import write_network

    with step(quiet, "ネットワーク"):
        if chunks is not None:
            g = _network_in_chunks(
                chunks,
                codebook,
                of,
                by,
                unit,
                measure,
                top_n,
                max_words,
                min_df,
                communities,
                seed,
                stop_words,
                synonyms,
            )
        else:
            g = _network(
                tokens,
                codebook,
                of,
                by,
                unit,
                measure,
                top_n,
                max_words,
                min_df,
                communities,
                seed,
                stop_words,
                synonyms,
            )
    for out in outputs:
        write_network(g, out, seed=seed)
    info(quiet, f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges → {', '.join(map(str, outputs))}")


def _network_in_chunks(
    chunks: Chunks,
    codebook: Any,
    of: str,
    by: str | None,
    unit: str,
    measure: str,
    top_n: int,
    max_words: int,
    min_df: int,
    communities: str,
    seed: int,
    stop_words: Any,
    synonyms: Any,
) -> Any:
    if of == "codes":
        if codebook is None:
            raise click.UsageError("--of codes needs --codebook")
        return code_network_by_chunk(
            chunks.corpora,
            codebook,
            tokenize=chunks.tokenize,
            unit=unit,
            top_n=top_n,
            measure=measure,
            communities=communities,
            seed=seed,
        )
    words = {"max_words": max_words, "min_df": min_df, "stop_words": stop_words, "synonyms": synonyms}
    if by:
        return word_network_by_chunk(
            lambda: chunks.corpora, tokenize=chunks.tokenize, by=by, measure=measure, seed=seed, **words
        )
    return word_network_by_chunk(
        lambda: chunks.corpora,
        tokenize=chunks.tokenize,
        unit=unit,
        measure=measure,
        top_n=top_n,
        communities=communities,
        seed=seed,
        **words,
    )


def _network(
    tokens: Any,
    codebook: Any,
    of: str,
    by: str | None,
    unit: str,
    measure: str,
    top_n: int,
    max_words: int,
    min_df: int,
    communities: str,
    seed: int,
    stop_words: Any,
    synonyms: Any,
) -> Any:
    from kotoba_code.analysis.network import code_network, variable_network, word_network

    if of == "codes":
        if codebook is None:
            raise click.UsageError("--of codes needs --codebook")
        g = code_network(
            apply_codebook(codebook, tokens, unit=unit),
            top_n=top_n,
            measure=measure,
            communities=communities,
            seed=seed,
        )
    elif by:
        g = variable_network(
            tokens,
            by,
            max_words=max_words,
            min_df=min_df,
            measure=measure,
            stop_words=stop_words,
            seed=seed,
            synonyms=synonyms,
        )
    else:
        g = word_network(
            tokens,
            max_words=max_words,
            min_df=min_df,
            unit=unit,
            measure=measure,
            top_n=top_n,
            communities=communities,
            stop_words=stop_words,
            seed=seed,
            synonyms=synonyms,
        )
    return g


@click.command("synthesize")
@corpus_options(stop_words=True, codebook="required")
@click.option("--by", default="group", show_default=True, help="Grouping variable.")
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="A group mentions a theme when at least this share of its units has it.",
)
@click.option(
    "--min-groups",
    type=click.IntRange(min=1),
    default=None,
    help="A theme is shared when at least this many groups mention it (default: all groups).",
)
@click.option("--keywords", "n_keywords", type=click.IntRange(min=0), default=5, show_default=True)
@click.option("--quotes", "n_examples", type=click.IntRange(min=0), default=2, show_default=True, help="Per group.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output: .md or .csv.")
def synthesize_cmd(
    corpus: Any,
    codebook: Any,
    tokens: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    by: str,
    min_share: float,
    min_groups: int | None,
    n_keywords: int,
    n_examples: int,
    output: Path | None,
) -> None:
    """Themes shared across groups, ranked, with linked themes, keywords and quotes with respondent ids.

    The sharing rule (--min-share, --min-groups) is stated at the top of the
    Markdown report; each quote carries its group and respondent id.
    """
    from kotoba_code.analysis.synthesis import synthesize
    from kotoba_code.io.markdown import synthesis_markdown

    with step(quiet, "コーディング"):
        result = apply_codebook(codebook, tokens, unit=unit)
    with step(quiet, "統合（synthesis）"):
        table = synthesize(
            result,
            by=by,
            min_share=min_share,
            min_groups=min_groups,
            n_keywords=n_keywords,
            n_examples=n_examples,
            stop_words=stop_words,
            synonyms=synonyms,
        )
    if output is None:
        click.echo(synthesis_markdown(table))
    elif output.suffix.lower() == ".md":
        output.write_text(synthesis_markdown(table), encoding="utf-8")
    else:
        write_table(table, output)
    shared = int(table["shared"].sum())
    info(quiet, f"{shared} shared themes of {len(table)} ({table.attrs['rule']})" + (f" → {output}" if output else ""))


COMMANDS = [network_cmd, synthesize_cmd]
