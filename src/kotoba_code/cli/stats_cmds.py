"""Statistical analyses as KH Coder offers them: ca (対応分析), mds (多次元尺度構成法),
cluster (階層的クラスター分析), topics (トピックモデル), related (関連語検索) and
search (文書検索)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from kotoba_code.analysis.frequency import counting_tokens
from kotoba_code.cli._common import corpus_options, emit, info
from kotoba_code.coding import apply_codebook
from kotoba_code.io.writers import write_table

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def outputs_option(help_text: str) -> Callable[..., Any]:
    return click.option(
        "-o",
        "--output",
        "outputs",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def write_outputs(table: pd.DataFrame, outputs: tuple[Path, ...], figure: Callable[[Path], Any] | None) -> None:
    """Tables to the table outputs (.csv .xlsx …), the figure to .png/.svg/.pdf;
    without outputs the table goes to stdout as Markdown."""
    if not outputs:
        emit(table, None)
        return
    for out in outputs:
        if out.suffix.lower() in FIGURE_SUFFIXES:
            if figure is None:
                raise click.BadParameter(f"{out}: this command writes no figure", param_hint="-o")
            import matplotlib.pyplot as plt

            out.parent.mkdir(parents=True, exist_ok=True)
            figure(out)
            plt.close("all")
        else:
            write_table(table, out)


def _need_codebook(codebook: Any, of: str) -> None:
    if of == "codes" and codebook is None:
        raise click.UsageError("--of codes needs --codebook")


@click.command("ca")
@corpus_options(stop_words=True, codebook="optional")
@click.option("--by", required=True, help="Metadata column with the groups (rows of the table).")
@click.option("--of", "of", type=click.Choice(["words", "codes"]), default="words", show_default=True)
@click.option(
    "--top",
    type=click.IntRange(min=2),
    default=None,
    help="Words (codes) with the largest χ² against the group totals  [default: 60 words, all codes].",
)
@click.option("--min-count", type=click.IntRange(min=1), default=3, show_default=True, help="Least occurrences.")
@click.option(
    "--scaling",
    type=click.Choice(["standard", "principal", "symbi"]),
    default="standard",
    show_default=True,
    help="Coordinates: standard (KH Coder's none), principal (sym biplot) or symbi.",
)
@click.option("--dims", type=click.IntRange(min=2), default=2, show_default=True, help="Dimensions in the table.")
@outputs_option("Output (repeatable): .csv .xlsx .tsv .md (coordinates), .png .svg .pdf (map).")
def ca_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    by: str,
    of: str,
    top: int | None,
    min_count: int,
    scaling: str,
    dims: int,
    outputs: tuple[Path, ...],
) -> None:
    """Correspondence analysis (対応分析) of words or codes × the groups of --by."""
    from kotoba_code.analysis.correspondence import code_group_table, correspondence, word_group_table
    from kotoba_code.plot import plot_correspondence

    _need_codebook(codebook, of)
    if of == "codes":
        table = code_group_table(apply_codebook(codebook, tokens, unit=unit), by, top=top)
    else:
        table = word_group_table(
            counting_tokens(tokens, synonyms),
            by,
            top=60 if top is None else top,
            min_count=min_count,
            stop_words=stop_words,
        )
    kind = "コード" if of == "codes" else "語"
    ca = correspondence(table, n_components=dims, scaling=scaling, what=f"{kind} × {by}")
    frame = ca.to_frame(row_type="group", column_type="code" if of == "codes" else "word")
    write_outputs(frame, outputs, lambda p: plot_correspondence(ca, row_kind=by, column_kind=kind, path=p))
    eig = zip(ca.eigenvalues.index, ca.eigenvalues, ca.explained, strict=True)
    shown = ", ".join(f"{k}: {v:.4f} ({p * 100:.2f}%)" for k, v, p in eig)
    info(quiet, f"{len(ca.columns)} {of} × {len(ca.rows)} groups; eigenvalues {shown}")


@click.command("related")
@corpus_options(stop_words=True, codebook="optional")
@click.option("--term", help="Word whose associates to list (dictionary form; * is a glob).")
@click.option("--code", "code_id", help="Code id (with --codebook) whose associates to list.")
@click.option(
    "--measure",
    type=click.Choice(["jaccard", "conditional", "lift"]),
    default="jaccard",
    show_default=True,
    help="Sort order (every measure is in the table).",
)
@click.option("--top", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--min-df", type=click.IntRange(min=1), default=2, show_default=True, help="Least units with the word.")
@outputs_option("Output (repeatable): .csv .xlsx .tsv .md (table), .png .svg .pdf (network of the top 15).")
def related_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    term: str | None,
    code_id: str | None,
    measure: str,
    top: int,
    min_df: int,
    outputs: tuple[Path, ...],
) -> None:
    """Word association (関連語検索): words most associated with --term or --code."""
    from kotoba_code.analysis.association import association_graph, related_words
    from kotoba_code.plot import plot_network

    if (term is None) == (code_id is None):
        raise click.UsageError("give one of --term or --code")
    if code_id is not None:
        _need_codebook(codebook, "codes")
        data = apply_codebook(codebook, tokens, unit=unit)
        table = related_words(data, code=code_id, measure=measure, top=top, min_df=min_df)
    else:
        data = tokens
        table = related_words(
            counting_tokens(tokens, synonyms),
            term,
            measure=measure,
            unit=unit,
            top=top,
            min_df=min_df,
            stop_words=stop_words,
        )

    def figure(path: Path) -> None:
        g = association_graph(table, data, unit=unit)
        target = table.attrs["target"]
        ax = plot_network(g, title=f"関連語検索：{target}（{table.attrs['n_target']:,}件、{measure}）")
        ax.figure.savefig(path, dpi=150)

    write_outputs(table.round(4), outputs, figure)
    info(quiet, f"{len(table)} words associated with {table.attrs['target']} ({table.attrs['n_target']:,} units)")


@click.command("search")
@corpus_options(stop_words=True, codebook="optional")
@click.option("--rule", help="Coding rule to search with, e.g. 'ハローワーク & 連携' (docs/rules.md).")
@click.option("--code", "code_id", help="Code id of --codebook to search for.")
@click.option("--by", help="Metadata column: order the answers by it (then by --sort) and count matches per group.")
@click.option("--sort", type=click.Choice(["hits", "id"]), default="hits", show_default=True)
@outputs_option("Output: .csv .xlsx .tsv .md .jsonl (default: the marked answers on stdout).")
def search_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    rule: str | None,
    code_id: str | None,
    by: str | None,
    sort: str,
    outputs: tuple[Path, ...],
) -> None:
    """Document search (文書検索): answers matching --rule or carrying --code, matches in 【】."""
    from kotoba_code.analysis.search import search
    from kotoba_code.errors import CorpusReadError, Errors

    if (rule is None) == (code_id is None):
        raise click.UsageError("give one of --rule or --code")
    if code_id is not None and codebook is None:
        raise click.UsageError("--code needs --codebook")
    table = search(tokens, rule, code=code_id, codebook=codebook, unit=unit, sort=sort)
    if by is not None:
        if by not in table.columns:
            meta = tokens.corpus.metadata.columns
            raise CorpusReadError(Errors.E112.format(column=by, columns=", ".join(map(str, meta))))
        table = table.iloc[np.argsort(table[by].astype(str).to_numpy(), kind="stable")].reset_index(drop=True)
    if outputs:
        write_outputs(table, outputs, None)
    else:
        for r in table.itertuples(index=False):
            where = f"{r.id}" + (f"#{r.unit}" if "unit" in table.columns else "")
            group = f" [{getattr(r, by)}]" if by else ""
            click.echo(f"{where}{group} ({r.hits}) {r.marked}")
    counts = (
        f"; per {by}: " + ", ".join(f"{k} {v}" for k, v in table[by].value_counts(sort=False).items()) if by else ""
    )
    info(quiet, f"{len(table):,} of {table.attrs['n_units']:,} units match{counts}")


def _terms_options(f: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option("--of", "of", type=click.Choice(["words", "codes"]), default="words", show_default=True),
        click.option(
            "--max-words",
            type=click.IntRange(min=3),
            default=60,
            show_default=True,
            help="Words in most units analysed.",
        ),
        click.option(
            "--min-df", type=click.IntRange(min=1), default=2, show_default=True, help="Least units with a word."
        ),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


@click.command("mds")
@corpus_options(stop_words=True, codebook="optional")
@_terms_options
@click.option(
    "--method",
    type=click.Choice(["nonmetric", "metric", "classical"]),
    default="nonmetric",
    show_default=True,
    help="Kruskal non-metric (KH Coder's default), metric SMACOF or classical.",
)
@click.option(
    "--clusters",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    help="Ward clusters for colouring (0: none).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@outputs_option("Output (repeatable): .csv .xlsx .tsv .md (coordinates), .png .svg .pdf (map).")
def mds_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    of: str,
    max_words: int,
    min_df: int,
    method: str,
    clusters: int,
    seed: int,
    outputs: tuple[Path, ...],
) -> None:
    """Multidimensional scaling (多次元尺度構成法) of words or codes, Jaccard distance."""
    from kotoba_code.analysis.mds import code_mds, word_mds
    from kotoba_code.plot import plot_mds

    _need_codebook(codebook, of)
    if of == "codes":
        res = code_mds(apply_codebook(codebook, tokens, unit=unit), method=method, seed=seed, clusters=clusters or None)
    else:
        res = word_mds(
            counting_tokens(tokens, synonyms),
            max_words=max_words,
            min_df=min_df,
            unit=unit,
            method=method,
            seed=seed,
            clusters=clusters or None,
            stop_words=stop_words,
        )
    write_outputs(res.to_frame(), outputs, lambda p: plot_mds(res, path=p))
    info(quiet, f"{len(res.coordinates)} {of}, {method} MDS, stress {res.stress:.4f}")


@click.command("cluster")
@corpus_options(stop_words=True, codebook="optional")
@_terms_options
@click.option(
    "--method", type=click.Choice(["ward", "average", "complete", "single"]), default="ward", show_default=True
)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1),
    default=None,
    help="Number of clusters  [default: √(terms), KH Coder's Auto].",
)
@outputs_option("Output (repeatable): .csv .xlsx .tsv .md (membership), .png .svg .pdf (dendrogram).")
def cluster_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    of: str,
    max_words: int,
    min_df: int,
    method: str,
    k: int | None,
    outputs: tuple[Path, ...],
) -> None:
    """Hierarchical cluster analysis (階層的クラスター分析) of words or codes, Jaccard distance."""
    from kotoba_code.analysis.clustering import code_clusters, word_clusters
    from kotoba_code.plot import plot_dendrogram

    _need_codebook(codebook, of)
    if of == "codes":
        res = code_clusters(apply_codebook(codebook, tokens, unit=unit), method=method, k=k)
    else:
        res = word_clusters(
            counting_tokens(tokens, synonyms),
            max_words=max_words,
            min_df=min_df,
            unit=unit,
            method=method,
            k=k,
            stop_words=stop_words,
        )
    write_outputs(res.membership, outputs, lambda p: plot_dendrogram(res, path=p))
    info(quiet, f"{len(res.membership)} {of} in {res.k} clusters ({method})")


@click.command("topics")
@corpus_options(stop_words=True, codebook="optional")
@click.option("--k", "k", type=int, help="Number of topics (needed unless --find-k).")
@click.option("--method", type=click.Choice(["lda", "nmf"]), default="lda", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Random state: the same seed, the same topics.")
@click.option("--min-df", type=click.IntRange(min=1), default=2, show_default=True, help="Least documents with a word.")
@click.option("--top", "n_top", type=click.IntRange(min=2), default=10, show_default=True, help="Words per topic.")
@click.option("--by", help="Metadata column: add each group's mean topic share (share:<group>).")
@click.option("--documents", type=click.Path(dir_okay=False, path_type=Path), help="Write document × topic shares.")
@click.option(
    "--find-k",
    "find_k_spec",
    metavar="FROM:TO",
    help="Instead, fit K = FROM … TO and report perplexity and coherence per K (e.g. 2:20).",
)
@outputs_option("Output (repeatable): .csv .xlsx .tsv .md (topics, or the --find-k table); .png .svg with --find-k.")
def topics_cmd(
    corpus: Any,
    tokens: Any,
    codebook: Any,
    unit: str,
    quiet: bool,
    stop_words: Path | None,
    synonyms: Path | None,
    k: int | None,
    method: str,
    seed: int,
    min_df: int,
    n_top: int,
    by: str | None,
    documents: Path | None,
    find_k_spec: str | None,
    outputs: tuple[Path, ...],
) -> None:
    """Topic model (トピックモデル): LDA or NMF topics with their top words, or --find-k."""
    from kotoba_code.analysis.topics import find_k, parse_k_range, topic_model

    if find_k_spec is not None:
        table = find_k(
            counting_tokens(tokens, synonyms),
            parse_k_range(find_k_spec),
            method=method,
            seed=seed,
            min_df=min_df,
            n_top=n_top,
            stop_words=stop_words,
        )
        from kotoba_code.plot import plot_find_k

        write_outputs(table.round(4), outputs, lambda p: plot_find_k(table, path=p))
        best = table.loc[table["coherence"].idxmax(), "k"]
        info(quiet, f"K = {table['k'].min()} … {table['k'].max()} fitted; most coherent: K = {best}")
        return
    if k is None:
        raise click.UsageError("give --k (or --find-k FROM:TO)")
    model = topic_model(
        counting_tokens(tokens, synonyms),
        k,
        method=method,
        seed=seed,
        min_df=min_df,
        n_top=n_top,
        by=by,
        stop_words=stop_words,
    )
    write_outputs(model.topics.round(4), outputs, None)
    if documents is not None:
        write_table(model.documents.round(4), documents)
    perp = f", perplexity {model.perplexity:.1f}" if method == "lda" else ""
    info(quiet, f"{k} topics ({method}, seed {seed}){perp}")


COMMANDS = [ca_cmd, related_cmd, search_cmd, mds_cmd, cluster_cmd, topics_cmd]
