"""MDS and hierarchical clustering: hand-computed distances, known geometry, seeded reproducibility, figures, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from conftest import ROOT
from kotoba_code.analysis.clustering import (
    auto_clusters,
    cluster_terms,
    code_clusters,
    jaccard_distances,
    word_clusters,
)
from kotoba_code.analysis.cooccurrence import Cooccurrence
from kotoba_code.analysis.mds import code_mds, kruskal_stress, mds, word_mds
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import AnalysisError

ARGS = [str(ROOT / "corpus" / "answers.csv"), "--text-col", "answer", "--id-col", "id"]


def _cooc() -> Cooccurrence:
    # units × terms: a in {1,2}, b in {1,2,3}, c in {4}, d in {4,5}
    X = sp.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]]),
    )
    return Cooccurrence.from_matrix(X, pd.DataFrame({"term": list("abcd")}))


def test_jaccard_distances_by_hand():
    D = jaccard_distances(_cooc())
    # a,b: 2 shared of 3 → 1 - 2/3; c,d: 1 of 2 → 1/2; across: never together → 1
    assert D.loc["a", "b"] == pytest.approx(1 / 3)
    assert D.loc["c", "d"] == pytest.approx(1 / 2)
    assert D.loc["a", "c"] == 1.0 and D.loc["b", "d"] == 1.0
    assert np.allclose(D.to_numpy(), D.to_numpy().T) and (np.diag(D) == 0).all()


@pytest.mark.parametrize("method", ["average", "complete", "single", "ward"])
def test_clusters_by_hand(method):
    r = cluster_terms(jaccard_distances(_cooc()), method=method, k=2)
    assert r.membership[["label", "cluster"]].values.tolist() == [["a", 1], ["b", 1], ["c", 2], ["d", 2]]
    heights = sorted(r.linkage[:, 2])
    assert heights[0] == pytest.approx(1 / 3) and heights[1] == pytest.approx(1 / 2)
    if method in ("average", "complete", "single"):
        assert heights[2] == pytest.approx(1.0)  # every cross distance is 1
    else:
        # Ward (R's ward.D2), by the Lance-Williams update
        # d(k, i∪j)² = ((n_i + n_k) d(i,k)² + (n_j + n_k) d(j,k)² - n_k d(i,j)²) / (n_i + n_j + n_k):
        # a,b merge at 1/3, then d(ab, c)² = (2·1 + 2·1 - 1·(1/3)²) / 3 (and the same for d);
        # c,d merge at 1/2, then d(ab, cd)² = (3·d(ab,c)² + 3·d(ab,d)² - 2·(1/2)²) / 4.
        da, dc = 1 / 3, 1 / 2
        abc = (2 * 1 + 2 * 1 - da**2) / 3
        abd = abc
        cd2 = dc**2
        final = ((2 + 1) * abc + (2 + 1) * abd - 2 * cd2) / 4
        assert heights[2] == pytest.approx(np.sqrt(final))
    assert 1 / 2 < r.cut_height < heights[2]


def test_auto_number_of_clusters_and_too_few_terms():
    assert [auto_clusters(n) for n in (1, 4, 60, 75)] == [1, 2, 8, 9]
    r = cluster_terms(jaccard_distances(_cooc()))
    assert r.k == 2
    with pytest.raises(AnalysisError, match="E503"):
        cluster_terms(jaccard_distances(_cooc()).iloc[:2, :2])


def test_classical_mds_recovers_a_known_configuration():
    pts = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0], [1.5, 2.0]])
    D = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    d = pd.DataFrame(D, index=list("pqrst"), columns=list("pqrst"))
    r = mds(d, method="classical", clusters=None)
    Y = r.coordinates.to_numpy()
    assert np.sqrt(((Y[:, None] - Y[None]) ** 2).sum(-1)) == pytest.approx(D, abs=1e-9)
    assert r.stress == pytest.approx(0.0, abs=1e-9)
    assert kruskal_stress(D, pts) == pytest.approx(0.0)
    # a squashed layout has stress: all points on a line
    flat = pts.copy()
    flat[:, 1] = 0
    assert kruskal_stress(D, flat) > 0.3


def test_nonmetric_mds_is_seeded_and_reproducible(sample):
    _, tokens = sample
    a = word_mds(tokens, max_words=40, seed=3)
    b = word_mds(tokens, max_words=40, seed=3)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert 0 < a.stress < 0.5 and a.method == "nonmetric"
    assert set(a.clusters) == set(range(1, 8))
    assert a.frequency.is_monotonic_decreasing  # the words in most units, in that order
    # words that always go together sit closer than words that rarely do
    d = a.distances
    near, far = d.stack().loc[lambda s: s > 0].idxmin(), d.stack().idxmax()
    xy = a.coordinates
    assert np.linalg.norm(xy.loc[near[0]] - xy.loc[near[1]]) < np.linalg.norm(xy.loc[far[0]] - xy.loc[far[1]])
    c = word_mds(tokens, max_words=40, method="classical", clusters=None)
    assert (c.clusters == 0).all() and c.stress > 0


def test_codes_cluster_and_mds(sample):
    cb, tokens = sample
    res = apply_codebook(cb, tokens)
    cl = code_clusters(res, k=5)
    assert len(cl.membership) == int((res.counts > 0).sum()) and cl.k == 5
    assert set(cl.membership["label"]) <= {c.label for c in cb.codes}
    assert code_mds(res, clusters=4).coordinates.shape == (len(cl.membership), 2)
    wc = word_clusters(tokens, max_words=30, method="average")
    assert len(wc.membership) == 30 and wc.k == auto_clusters(30)
    assert wc.membership["order"].tolist() == list(range(1, 31))


def test_figures_have_japanese_labels_without_overlaps(sample):
    import matplotlib.pyplot as plt

    from kotoba_code.plot import label_overlaps, plot_dendrogram, plot_mds

    _, tokens = sample
    ax = plot_mds(word_mds(tokens))
    assert label_overlaps(ax) == [] and "stress" in ax.get_title()
    plt.close("all")
    r = word_clusters(tokens)
    ax = plot_dendrogram(r)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.split("（")[0] for t in ticks] == r.membership["label"].tolist()
    assert ticks[0].endswith(f"（{r.membership['frequency'].iloc[0]}）")
    plt.close("all")


def test_mds_and_cluster_commands(tmp_path, sample):
    from kotoba_code.cli.app import cli

    csv, png = tmp_path / "m.csv", tmp_path / "m.png"
    r = CliRunner().invoke(cli, ["mds", *ARGS, "--max-words", "30", "--seed", "1", "-o", str(csv), "-o", str(png)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(csv, encoding="utf-8-sig")
    assert t.columns.tolist() == ["label", "frequency", "cluster", "dim1", "dim2"] and len(t) == 30
    assert "stress" in r.output and png.read_bytes()[:4] == b"\x89PNG"
    r2 = CliRunner().invoke(
        cli, ["mds", *ARGS, "--max-words", "30", "--seed", "1", "-q", "-o", str(tmp_path / "m2.csv")]
    )
    assert r2.exit_code == 0
    assert (tmp_path / "m2.csv").read_bytes() == csv.read_bytes()
    out, svg = tmp_path / "c.xlsx", tmp_path / "d.svg"
    r = CliRunner().invoke(
        cli,
        [
            "cluster",
            *ARGS,
            "--of",
            "codes",
            "--codebook",
            "welfare_employment",
            "--k",
            "4",
            "--method",
            "average",
            "-q",
            "-o",
            str(out),
            "-o",
            str(svg),
        ],
    )
    assert r.exit_code == 0, r.output
    m = pd.read_excel(out)
    assert set(m["cluster"]) == {1, 2, 3, 4} and svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    r = CliRunner().invoke(cli, ["cluster", *ARGS, "--of", "codes", "-q"])
    assert r.exit_code == 2 and "--codebook" in r.output
