"""Correspondence analysis: KH Coder's own fixture, hand-computed tables, the word and code tables, the CLI."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from conftest import ROOT, SHARED
from kotoba_code.analysis.correspondence import (
    chi2_against_totals,
    code_group_table,
    correspondence,
    word_correspondence,
    word_group_table,
)
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import AnalysisError, KotobaWarning

FIXTURE = SHARED / "khcoder-corresp"


def _kokoro_table() -> pd.DataFrame:
    d = pd.read_csv(FIXTURE / "data.csv", encoding="utf-8-sig")
    return d.set_index("name").drop(columns=["h1", "id", "length_c", "length_w"])


@pytest.mark.skipif(not FIXTURE.exists(), reason="KH Coder's fixture /work/shared/khcoder-corresp is absent")
@pytest.mark.parametrize(("scaling", "file"), [("principal", "kh_bi.csv"), ("symbi", "kh_symbi.csv")])
def test_reproduces_khcoder_coordinates_and_eigenvalues(scaling, file):
    table = _kokoro_table()
    ca = correspondence(table, scaling=scaling)
    kh = pd.read_csv(FIXTURE / file, encoding="utf-8-sig", index_col=0)
    ours = pd.concat([ca.columns, ca.rows]).loc[kh.index, ["dim1", "dim2"]].to_numpy()
    theirs = kh[["X1", "X2"]].to_numpy()
    # SVD signs are arbitrary: one flip per dimension.
    sign = np.sign((ours * theirs).sum(axis=0))
    assert np.abs(ours * sign - theirs).max() < 1e-6
    assert list(kh.loc[kh["type"] == "row"].index) == list(ca.rows.index)
    assert kh.loc[kh["type"] == "col", "frequency"].tolist() == table.sum().loc[kh.index[kh["type"] == "col"]].tolist()
    np.testing.assert_allclose(ca.eigenvalues.to_numpy(), [0.237851, 0.156403], atol=1e-6)
    np.testing.assert_allclose(ca.explained.to_numpy() * 100, [60.33, 39.67], atol=0.005)


def test_hand_computed_two_by_three():
    # Rows x = (10, 5, 0), y = (0, 5, 10): χ² = 20, n = 30, so one dimension with inertia 2/3.
    # Row profiles are (2/3, 1/3, 0) and (0, 1/3, 2/3); squared χ² distance to the centroid
    # (1/3, 1/3, 1/3) is (1/3)²·3 + 0 + (1/3)²·3 = 2/3, so principal row coordinates are ±√(2/3).
    t = pd.DataFrame({"a": [10, 0], "b": [5, 5], "c": [0, 10]}, index=["x", "y"])
    p = correspondence(t, scaling="principal")
    s = correspondence(t, scaling="standard")
    sb = correspondence(t, scaling="symbi")
    assert p.eigenvalues.tolist() == pytest.approx([2 / 3])
    assert p.rows["dim1"].abs().tolist() == pytest.approx([np.sqrt(2 / 3)] * 2)
    assert p.columns["dim1"].abs().tolist() == pytest.approx([1.0, 0.0, 1.0], abs=1e-12)
    # standard = principal / σ, symbi = standard × √σ
    sigma = np.sqrt(2 / 3)
    assert s.columns["dim1"].abs().tolist() == pytest.approx([1 / sigma, 0.0, 1 / sigma], abs=1e-12)
    assert sb.rows["dim1"].to_numpy() == pytest.approx(s.rows["dim1"].to_numpy() * np.sqrt(sigma))
    assert p.row_masses.tolist() == [0.5, 0.5]
    assert p.column_contributions["dim1"].tolist() == pytest.approx([0.5, 0.0, 0.5], abs=1e-12)
    # x and y lie on opposite sides, a with x and c with y
    assert np.sign(p.rows.loc["x", "dim1"]) == np.sign(p.columns.loc["a", "dim1"]) != np.sign(p.rows.loc["y", "dim1"])


def test_inertia_is_chi_square_over_n_and_contributions_sum_to_one():
    rng = np.random.default_rng(0)
    t = pd.DataFrame(rng.integers(0, 30, size=(5, 8)), index=list("ABCDE"), columns=list("abcdefgh"))
    ca = correspondence(t, n_components=None, scaling="principal")
    chi2 = stats.chi2_contingency(t.to_numpy(), correction=False)[0]
    assert len(ca.eigenvalues) == 4
    assert ca.total_inertia == pytest.approx(chi2 / t.to_numpy().sum())
    assert ca.explained.sum() == pytest.approx(1.0)
    assert ca.row_contributions.sum().to_numpy() == pytest.approx(np.ones(4))
    assert ca.column_contributions.sum().to_numpy() == pytest.approx(np.ones(4))
    # principal inertia of dimension k = Σ mass × coordinate²
    inertia = (ca.rows**2).mul(ca.row_masses, axis=0).sum().to_numpy()
    assert inertia == pytest.approx(ca.eigenvalues.to_numpy())
    frame = ca.to_frame(row_type="group", column_type="word")
    assert frame["type"].tolist() == ["group"] * 5 + ["word"] * 8
    assert frame.columns.tolist()[:4] == ["type", "label", "frequency", "mass"]


def test_empty_rows_are_dropped_with_a_warning_and_bad_tables_refused():
    t = pd.DataFrame({"a": [3, 0, 1], "b": [1, 0, 4], "c": [0, 0, 0]}, index=["x", "empty", "y"])
    with pytest.warns(KotobaWarning, match=r"W501.*empty"):
        ca = correspondence(t)
    assert list(ca.rows.index) == ["x", "y"] and list(ca.columns.index) == ["a", "b"]
    with pytest.raises(AnalysisError, match="E502.*'b'"):
        correspondence(pd.DataFrame({"a": [1, 2], "b": [1, -1]}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KotobaWarning)
        with pytest.raises(AnalysisError, match="E501"):
            correspondence(pd.DataFrame({"a": [1, 2], "b": [0, 0]}))


def test_chi2_filter_statistic_matches_r_chisq_test():
    counts = np.array([[12.0, 3.0], [30.0, 1.0], [5.0, 9.0]])
    totals = np.array([200.0, 300.0, 150.0])
    ours = chi2_against_totals(counts, totals)
    for j in range(2):
        table = np.column_stack([counts[:, j], totals - counts[:, j]])
        assert ours[j] == pytest.approx(stats.chi2_contingency(table, correction=False)[0])
    # two groups: Yates' correction, as R's chisq.test on a 2 × 2 table
    two = chi2_against_totals(counts[:2], totals[:2])
    for j in range(2):
        table = np.column_stack([counts[:2, j], totals[:2] - counts[:2, j]])
        assert two[j] == pytest.approx(stats.chi2_contingency(table, correction=True)[0])


def test_word_table_keeps_the_words_that_differ_most(sample):
    cb, tokens = sample
    full = word_group_table(tokens, "question", top=None, min_count=3)
    top = word_group_table(tokens, "question", top=60, min_count=3)
    assert top.shape == (5, 60) and list(top.index) == ["challenge", "other", "practice", "training", "transport"]
    assert top.index.name == "question"
    lengths = np.diff(tokens.doc_ptr)
    q = tokens.corpus.metadata["question"].to_numpy()
    totals = np.array([lengths[q == g].sum() for g in full.index], dtype=float)
    chi = pd.Series(chi2_against_totals(full.to_numpy(dtype=float), totals), index=full.columns)
    assert chi.loc[top.columns].min() >= chi.drop(top.columns).max()
    assert full.sum().min() >= 3
    # 交通費 is a transport word: its column is mostly in that group
    assert top.loc["transport", "交通費"] > top["交通費"].drop("transport").sum()
    ca = word_correspondence(tokens, "question")
    assert ca.rows.shape == (5, 2) and len(ca.eigenvalues) == 4


def test_code_table_counts_coded_units(sample):
    cb, tokens = sample
    res = apply_codebook(cb, tokens)
    t = code_group_table(res, "group")
    frame = res.to_frame()
    code = next(c for c in res.matrix.columns)
    label = cb[code].label
    for g in t.index:
        assert t.loc[g, label] == int(frame.loc[frame["group"] == g, code].sum())
    assert len(code_group_table(res, "group", top=5).columns) == 5


def test_ca_command_writes_coordinates_and_a_map(tmp_path, sample):
    from kotoba_code.cli.app import cli

    csv, png, xlsx = tmp_path / "ca.csv", tmp_path / "ca.png", tmp_path / "ca.xlsx"
    args = ["ca", str(ROOT / "corpus" / "answers.csv"), "--text-col", "answer", "--id-col", "id"]
    r = CliRunner().invoke(
        cli, [*args, "--by", "question", "--top", "40", "-o", str(csv), "-o", str(png), "-o", str(xlsx)]
    )
    assert r.exit_code == 0, r.output
    out = pd.read_csv(csv, encoding="utf-8-sig")
    assert out["type"].value_counts().to_dict() == {"word": 40, "group": 5}
    assert {"dim1", "dim2", "mass", "frequency", "ctr1"} <= set(out.columns)
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert pd.read_excel(xlsx).shape == out.shape
    assert "eigenvalues 1:" in r.output
    r = CliRunner().invoke(
        cli, [*args, "--by", "group", "--of", "codes", "--codebook", "welfare_employment", "-q", "-o", str(csv)]
    )
    assert r.exit_code == 0, r.output
    codes = pd.read_csv(csv, encoding="utf-8-sig")
    assert (codes["type"] == "code").sum() == len(sample[0].codes)  # every code of the codebook occurs
    assert (codes["type"] == "group").sum() == 2
    r = CliRunner().invoke(cli, [*args, "--by", "nope", "-q"])
    assert r.exit_code == 1 and "E112" in r.output
    r = CliRunner().invoke(cli, [*args, "--by", "group", "--of", "codes", "-q"])
    assert r.exit_code == 2 and "--codebook" in r.output


def test_ca_map_labels_do_not_overlap(sample):
    import matplotlib.pyplot as plt

    from kotoba_code.plot import label_overlaps, plot_correspondence

    _, tokens = sample
    for by in ("question", "group"):
        ax = plot_correspondence(word_correspondence(tokens, by), row_kind=by)
        assert label_overlaps(ax) == []
        assert ax.get_xlabel().startswith("成分1（")
        plt.close("all")
