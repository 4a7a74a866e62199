"""Analysis commands: network, synthesize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kotoba_code.cli._common import corpus_options, info, output_option
from kotoba_code.coding import apply_codebook
from kotoba_code.io.writers import write_table


@click.command("network")
@corpus_options(stop_words=True, codebook="optional")
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
) -> None:
    """Co-occurrence network of words or codes, written as GraphML, GEXF, JSON, a figure or an HTML page."""
    from kotoba_code.analysis.network import code_network, variable_network, word_network
    from kotoba_code.io.networks import write_network

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
            tokens, by, max_words=max_words, min_df=min_df, measure=measure, stop_words=stop_words, seed=seed
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
        )
    for out in outputs:
        write_network(g, out, seed=seed)
    info(quiet, f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges → {', '.join(map(str, outputs))}")


@click.command("synthesize")
@corpus_options(codebook="required")
@click.option("--by", default="group", show_default=True, help="Grouping variable.")
@click.option(
    "--min-share",
    type=float,
    default=0.05,
    show_default=True,
    help="A theme is shared when every group mentions it in at least this share of its units.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output: .md or .csv.")
def synthesize_cmd(
    corpus: Any, codebook: Any, tokens: Any, unit: str, quiet: bool, by: str, min_share: float, output: Path | None
) -> None:
    """Themes shared across groups, ranked, with linked themes, keywords and representative answers."""
    from kotoba_code.analysis.synthesis import synthesize
    from kotoba_code.io.markdown import synthesis_markdown

    table = synthesize(apply_codebook(codebook, tokens, unit=unit), by=by, min_share=min_share)
    if output is None:
        click.echo(synthesis_markdown(table))
    elif output.suffix.lower() == ".md":
        output.write_text(synthesis_markdown(table), encoding="utf-8")
    else:
        write_table(table, output)
    if output is not None:
        info(quiet, f"{int(table['shared'].sum())} shared themes of {len(table)} → {output}")


COMMANDS = [network_cmd, synthesize_cmd]
