"""Analysis commands: network, kwic, keyness, synthesize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kotoba_code.cli._common import (
    cache_setting,
    codebook_and_tokens,
    info,
    jobs_option,
    load_corpus,
    pass_coding,
    pass_tokens,
    tokenize_with_jobs,
)
from kotoba_code.cli.app import _emit, cli
from kotoba_code.io.writers import write_table


@cli.command("network")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--text-col")
@click.option("--id-col")
@click.option("--sheet")
@click.option("--encoding")
@click.option("--codebook", help="Codebook (needed for --of codes).")
@click.option("--of", "of", type=click.Choice(["words", "codes"]), default="words", show_default=True)
@click.option("--by", help="Metadata column: network of words × groups (KH Coder's external-variable network).")
@click.option("--unit", type=click.Choice(["document", "paragraph", "sentence"]), default="document", show_default=True)
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
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-cache", is_flag=True)
@jobs_option
@click.option("-q", "--quiet", is_flag=True)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output (repeatable): .graphml .gexf .json .png .svg .html",
)
def network_cmd(
    input_path: Path,
    text_col: str | None,
    id_col: str | None,
    sheet: str | None,
    encoding: str | None,
    codebook: str | None,
    of: str,
    by: str | None,
    unit: str,
    measure: str,
    top_n: int,
    max_words: int,
    min_df: int,
    communities: str,
    seed: int,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
    outputs: tuple[Path, ...],
) -> None:
    """Co-occurrence network of words or codes, written as GraphML, GEXF, JSON, a figure or an HTML page."""
    from kotoba_code.analysis.network import code_network, variable_network, word_network, write_network
    from kotoba_code.codebook import Codebook
    from kotoba_code.tokenize import SudachiTokenizer

    corpus = load_corpus(input_path, text_col, id_col, sheet, encoding)
    cache = cache_setting(cache_dir, no_cache)
    if of == "codes":
        if not codebook:
            raise click.UsageError("--of codes needs --codebook")
        cb, tokens = codebook_and_tokens(codebook, corpus, quiet, cache_dir, no_cache, ())
        g = code_network(cb.apply(tokens, unit=unit), top_n=top_n, measure=measure, communities=communities, seed=seed)
    else:
        user_words = Codebook.load(codebook).user_words if codebook else ()
        tokens = tokenize_with_jobs(corpus, SudachiTokenizer(user_words=user_words), cache, quiet)
        if by:
            g = variable_network(tokens, by, max_words=max_words, min_df=min_df, measure=measure, seed=seed)
        else:
            g = word_network(
                tokens,
                max_words=max_words,
                min_df=min_df,
                unit=unit,
                measure=measure,
                top_n=top_n,
                communities=communities,
                seed=seed,
            )
    for out in outputs:
        write_network(g, out, seed=seed)
    info(quiet, f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges → {', '.join(map(str, outputs))}")


@cli.command("kwic")
@pass_tokens
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
    corpus: Any, tokens: Any, quiet: bool, term: str, window: int, match: str, sort: str, output: Path | None
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


@cli.command("keyness")
@pass_tokens
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
    quiet: bool,
    by: str,
    measure: str,
    min_df: int,
    top: int,
    shared: float | None,
    output: Path | None,
) -> None:
    """Words characteristic of each group (log-likelihood or chi-square keyness),
    or with --shared, the words every group uses."""
    from kotoba_code.analysis.keyness import shared_terms, word_keyness

    kt = word_keyness(tokens, by, measure=measure, min_df=min_df)
    if shared is not None:
        table = shared_terms(kt, min_share=shared).head(top).round(4)
    else:
        table = kt[kt["effect"] > 0].groupby("group", sort=True).head(top).round(4)
    _emit(table.reset_index(drop=True), output)


@cli.command("synthesize")
@pass_coding
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
    codebook: Any, tokens: Any, unit: str, quiet: bool, by: str, min_share: float, output: Path | None
) -> None:
    """Themes shared across groups, ranked, with linked themes, keywords and representative answers."""
    from kotoba_code.analysis.synthesis import synthesis_markdown, synthesize

    table = synthesize(codebook.apply(tokens, unit=unit), by=by, min_share=min_share)
    if output is None:
        click.echo(synthesis_markdown(table))
    elif output.suffix.lower() == ".md":
        output.write_text(synthesis_markdown(table), encoding="utf-8")
    else:
        write_table(table, output)
    if output is not None:
        info(quiet, f"{int(table['shared'].sum())} shared themes of {len(table)} → {output}")
