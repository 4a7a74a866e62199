"""Figures are reproducible: the same data saved in two separate processes gives byte-identical .svg and .png."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Builds a frequency chart and a code network from a small coded corpus and
# saves each as .svg and .png into the directory given as argv[1].
SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import pandas as pd

    from kotoba_code import Corpus
    from kotoba_code.analysis.network import code_network
    from kotoba_code.io.networks import write_network
    from kotoba_code.codebook import Codebook
    from kotoba_code.coding import apply_codebook
    from kotoba_code.plot import plot_frequencies

    out = Path(sys.argv[1])
    cb = Codebook.from_dict({"codes": [
        {"id": "gap", "label": "温度差", "rule": "温度差"},
        {"id": "know", "label": "ノウハウ不足", "rule": "ノウハウ"},
        {"id": "link", "label": "連携", "rule": "連携"},
    ]})
    corpus = Corpus.from_texts(
        ["温度差がある", "ノウハウ不足と温度差", "連携が難しい", "連携とノウハウ", "温度差と連携"],
        metadata=pd.DataFrame({"group": ["自治体", "自治体", "HW", "HW", "HW"]}),
    )
    result = apply_codebook(cb, corpus, cache=False)
    for suffix in (".svg", ".png"):
        plot_frequencies(result.frequencies(by="group"), path=out / f"freq{suffix}")
        write_network(code_network(result), out / f"net{suffix}", title="コード共起")
    """
)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    dirs = [tmp_path_factory.mktemp(f"run{i}") for i in range(2)]
    for d in dirs:
        subprocess.run([sys.executable, "-c", SCRIPT, str(d)], check=True, capture_output=True)
    return dirs


@pytest.mark.parametrize("name", ["freq.svg", "net.svg", "freq.png", "net.png"])
def test_same_figure_same_bytes_across_processes(two_runs, name):
    a, b = (d / name for d in two_runs)
    assert a.stat().st_size > 1000
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("name", ["freq.svg", "net.svg"])
def test_svg_has_no_date(two_runs, name):
    svg = (two_runs[0] / name).read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "<svg" in svg
    assert 'clip-path="url(#' in svg or "<path" in svg
