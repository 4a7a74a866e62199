"""``kotoba-code demo``: the main job on the shipped sample corpus."""

from __future__ import annotations

import time
from pathlib import Path

import click
import pandas as pd

from kotoba_code.analysis.frequency import word_frequency
from kotoba_code.cli._common import quiet_option
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import CorpusReadError, Errors
from kotoba_code.i18n import t
from kotoba_code.io.markdown import people_table
from kotoba_code.io.readers import read_corpus
from kotoba_code.io.writers import to_markdown
from kotoba_code.tokenize import SudachiTokenizer, tokenize


def run_demo(corpus_dir: Path, *, top: int = 15, quiet: bool = False) -> None:
    """Tokenize ``corpus_dir/answers.csv`` and print word frequencies by
    respondent group, then the transcripts' speakers and turns."""
    answers = corpus_dir / "answers.csv"
    if not answers.exists():
        raise CorpusReadError(
            Errors.E110.format(path=answers) + " Run the demo from the project root, or pass --corpus-dir."
        )
    user_words = corpus_dir / "userwords.txt"
    tok = SudachiTokenizer(user_words=user_words if user_words.exists() else ())
    t0 = time.perf_counter()
    corpus = read_corpus(answers, text_col="answer", id_col="id")
    tokens = tokenize(corpus, tokenizer=tok, progress=not quiet)
    elapsed = time.perf_counter() - t0
    click.echo("# " + t("demo_title", path=answers, n=len(corpus), tokens=len(tokens), sec=elapsed) + "\n")
    groups = corpus.metadata["group"].value_counts().sort_index()
    click.echo("## " + t("demo_groups") + "\n")
    click.echo(to_markdown(people_table(groups.rename_axis("group").reset_index(name="answers"))))

    from kotoba_code.codebook import Codebook

    codebook = Codebook.load("welfare_employment")
    themes = apply_codebook(codebook, corpus, progress=not quiet).frequencies(by="group")
    cols = ["code", "label"] + [c for c in themes.columns if c.startswith(("count:", "percent:"))] + ["chi2", "p"]
    themes = people_table(themes[cols])
    click.echo("\n## " + t("demo_themes", name=codebook.name) + "\n")
    click.echo(to_markdown(themes))

    synonyms = corpus_dir / "synonyms.txt"
    freq = word_frequency(tokens, by="group", synonyms=synonyms if synonyms.exists() else None)
    wide = []
    for g, sub in freq.groupby("group", sort=True):
        n = int(groups[g])
        # Sorted by what the column shows: answers containing the word.
        col = sub.sort_values(["docs", "count", "word"], ascending=[False, False, True], kind="stable").head(top)
        col = col.reset_index(drop=True)
        wide.append(pd.DataFrame({f"{g} (n={n})": col["word"] + " " + col["docs"].astype(str)}))
    click.echo("\n## " + t("demo_words", top=top, user=user_words.name) + "\n")
    click.echo(to_markdown(pd.concat(wide, axis=1).fillna("")))

    transcripts = corpus_dir / "transcripts"
    if transcripts.is_dir():
        tc = read_corpus(transcripts)
        ttoks = tokenize(tc, tokenizer=tok, progress=not quiet)
        turns = tc.units("paragraph")
        click.echo("\n## " + t("demo_transcripts", files=len(tc), turns=len(turns), tokens=len(ttoks)) + "\n")
        top_words = word_frequency(ttoks, top=top)[["word", "count", "docs"]]
        click.echo(to_markdown(people_table(top_words)))


@click.command("demo")
@click.option(
    "--corpus-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Sample corpus directory (default: ./corpus).",
)
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True)
@quiet_option
def demo_cmd(corpus_dir: Path | None, top: int, quiet: bool) -> None:
    """Run the main job on the shipped sample corpus and print the tables."""
    run_demo(corpus_dir or Path("corpus"), top=top, quiet=quiet)


COMMANDS = [demo_cmd]
