"""Analysis (E53x) and output (E9xx) errors come from the catalogue, and no
plain ValueError/TypeError is raised anywhere else in the package."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code import Corpus, tokenize, word_frequency
from kotoba_code.analysis.cooccurrence import word_cooccurrence
from kotoba_code.analysis.keyness import word_keyness
from kotoba_code.analysis.kwic import kwic
from kotoba_code.analysis.network import annotate
from kotoba_code.cli.app import cli
from kotoba_code.errors import AnalysisError, KotobaError, OutputError
from kotoba_code.io.networks import write_network
from kotoba_code.io.writers import write_table

SRC = Path(__file__).resolve().parents[1] / "src" / "kotoba_code"


@pytest.fixture(scope="module")
def tokens():
    corpus = Corpus(
        ["1", "2", "3", "4"],
        ["ノウハウが不足している", "連携に温度差がある", "ノウハウ不足と人手不足", "特になし"],
        metadata=pd.DataFrame({"group": ["A", "A", "B", "B"]}),
    )
    return tokenize(corpus, cache=False)


def test_unknown_analysis_options_are_catalogue_errors(tokens):
    cases = [
        (
            lambda: word_keyness(tokens, "group", measure="t"),
            "[E531] Unknown keyness measure 't'. Use one of: ll, chi2.",
        ),
        (
            lambda: word_cooccurrence(tokens, min_df=1).similarity("overlap"),
            "[E532] Unknown co-occurrence measure 'overlap'. Use one of: jaccard, dice, simpson, cosine, pmi, npmi, loglik.",
        ),
        (lambda: word_frequency(tokens, key="surface"), "[E533] Unknown word key 'surface'. Use one of: lemma, norm."),
        (
            lambda: kwic(tokens, "不足", match="pos"),
            "[E534] Unknown KWIC match 'pos'. Use one of: lemma, surface, norm.",
        ),
        (
            lambda: kwic(tokens, "不足", sort="random"),
            "[E535] Unknown KWIC sort order 'random'. Use one of: position, left, right, keyword.",
        ),
        (
            lambda: annotate(nx.Graph([("a", "b", {"weight": 1.0})]), communities="leiden"),
            "[E536] Unknown community detection 'leiden'. Use one of: louvain, greedy, none.",
        ),
    ]
    for call, message in cases:
        with pytest.raises(AnalysisError) as exc:
            call()
        assert str(exc.value) == message
        # Callers that caught ValueError before still do.
        assert isinstance(exc.value, ValueError) and isinstance(exc.value, KotobaError)


def test_word_frequency_dask_key_is_checked_like_word_frequency():
    dd = pytest.importorskip("dask.dataframe")
    from kotoba_code.dask import word_frequency_dask

    ddf = dd.from_pandas(pd.DataFrame({"text": ["ノウハウ不足"]}), npartitions=1)
    with pytest.raises(AnalysisError, match=r"^\[E533\] Unknown word key 'surface'\."):
        word_frequency_dask(ddf, key="surface")


def test_unsupported_output_suffix_is_e901(tmp_path):
    with pytest.raises(OutputError) as exc:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.pdf")
    assert str(exc.value) == (
        f"[E901] {tmp_path / 'out.pdf'}: unsupported output format '.pdf' for a table. "
        "Use one of: .csv, .tsv, .parquet, .jsonl, .xlsx, .md."
    )
    with pytest.raises(OutputError) as exc:
        write_network(nx.Graph([("a", "b")]), tmp_path / "g.dot")
    assert str(exc.value) == (
        f"[E901] {tmp_path / 'g.dot'}: unsupported output format '.dot' for a network. "
        "Use one of: .graphml, .gexf, .json, .png, .svg, .html."
    )
    assert not (tmp_path / "out.pdf").exists() and not (tmp_path / "g.dot").exists()


def test_cli_prints_output_error_as_one_line(tmp_path):
    answers = tmp_path / "answers.csv"
    pd.DataFrame({"id": ["1", "2"], "answer": ["ノウハウが不足している", "人手不足"]}).to_csv(answers, index=False)
    out = tmp_path / "kwic.pdf"
    r = CliRunner().invoke(cli, ["kwic", str(answers), "--text-col", "answer", "--term", "不足", "-q", "-o", str(out)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: [E901] {out}: unsupported output format '.pdf'")
    assert "Traceback" not in r.output and not out.exists()


# Plain ValueErrors/TypeErrors still raised in modules this change could not
# touch; their owners convert them to catalogue errors, then drop them here.
_NOT_YET_CATALOGUED = {}


def test_no_plain_value_or_type_errors_outside_the_catalogue():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in ("ValueError", "TypeError"):
                    if (rel, exc.id) not in _NOT_YET_CATALOGUED:
                        found.append(f"{rel}:{node.lineno}: raise {exc.id}")
    assert found == [], "raise a catalogue error from kotoba_code.errors instead:\n" + "\n".join(found)
