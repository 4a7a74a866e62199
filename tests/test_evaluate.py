"""Agreement metrics against hand-computed values and the reference libraries."""

import ast
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

import kotoba_code.evaluate as evaluate_pkg
from kotoba_code import AnalysisError, CorpusReadError
from kotoba_code.codebook import Codebook
from kotoba_code.evaluate import cohen_kappa, diff_codebooks, evaluate, krippendorff_alpha, prf
from kotoba_code.io.labels import read_labels, read_samples_or_corpus


def test_kappa_hand_computed():
    # p_o = 3/4; p_e = 0.5*0.25 + 0.5*0.75 = 0.5; kappa = 0.25 / 0.5
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    # Complete disagreement with balanced marginals: p_o = 0, p_e = 0.5 -> -1
    assert cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == pytest.approx(-1.0)


def test_alpha_hand_computed():
    # Coincidences: o11 = 2, o00 = 4, o01 = o10 = 1; n = 8, n1 = 3, n0 = 5
    # alpha = 1 - (n - 1) * (o01 + o10) / (2 * n1 * n0) = 1 - 7 * 2 / 30
    assert krippendorff_alpha([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(1 - 14 / 30)
    # A missing rating drops that item only.
    assert krippendorff_alpha([1, 1, 0, 0, 1], [1, 0, 0, 0, np.nan]) == pytest.approx(1 - 14 / 30)


def test_prf_hand_computed():
    # tp = 1, fp = 1, fn = 1
    assert prf([1, 1, 0, 0], [1, 0, 1, 0]) == (0.5, 0.5, 0.5)
    assert prf([1, 1, 1, 0], [1, 1, 0, 0]) == pytest.approx((1.0, 2 / 3, 0.8))


def test_degenerate_cases():
    # A code nobody gives: nothing to find, nothing found.
    assert prf([0, 0, 0], [0, 0, 0]) == (1.0, 1.0, 1.0)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) == 1.0
    assert krippendorff_alpha([0, 0, 0], [0, 0, 0]) == 1.0
    # Perfect agreement with both values present.
    assert cohen_kappa([1, 0, 1], [1, 0, 1]) == 1.0
    assert krippendorff_alpha([1, 0, 1], [1, 0, 1]) == 1.0
    # The rules fire where the reference has nothing.
    p, r, f = prf([0, 0, 0], [0, 1, 0])
    assert (p, f) == (0.0, 0.0)
    assert cohen_kappa([], []) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_match_reference_libraries(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, 60)
    b = np.where(rng.random(60) < 0.8, a, 1 - a)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert krippendorff_alpha(a, b) == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal")
    )
    p, r, f, _ = precision_recall_fscore_support(a, b, average="binary")
    assert prf(a, b) == pytest.approx((p, r, f))
    # Symmetric in the coders, invariant to the order of the answers.
    perm = rng.permutation(60)
    assert cohen_kappa(b, a) == pytest.approx(cohen_kappa(a, b))
    assert krippendorff_alpha(b[perm], a[perm]) == pytest.approx(krippendorff_alpha(a, b))


CB = Codebook.from_dict(
    {
        "codes": [
            {"id": "gap", "label": "温度差", "rule": "温度差 | 温度+差"},
            {"id": "know", "label": "ノウハウ不足", "rule": "ノウハウ & 不足 | neg(ノウハウ)"},
            {"id": "never", "label": "未使用", "rule": "存在しない語"},
        ]
    }
)
SAMPLE = pd.DataFrame(
    {
        "id": ["1", "2", "3", "4", "5", "1", "2", "3", "4", "5"],
        "text": ["温度差がある", "温度差はない", "ノウハウがない", "専門知識が足りない", "特になし"] * 2,
        "codes": ["gap", "", "know", "know", "", "gap", "", "know", "", ""],
        "coder": ["A"] * 5 + ["B"] * 5,
    }
)


def test_evaluate_against_reference_coder_and_between_coders():
    ev = evaluate(CB, SAMPLE)
    t = ev.codes.set_index("code")
    assert ev.n == 5 and ev.reference == "A" and ev.coders == ["A", "B"]
    assert t.loc["gap", ["support", "predicted", "precision", "recall", "f1"]].tolist() == [1, 1, 1.0, 1.0, 1.0]
    assert t.loc["know", ["support", "predicted", "precision", "recall"]].tolist() == [2, 1, 1.0, 0.5]
    assert t.loc["never", ["support", "predicted", "f1", "kappa"]].tolist() == [0, 0, 1.0, 1.0]
    # Humans: A and B differ on text 4 for "know" only.
    assert t.loc["know", "human_kappa"] == pytest.approx(cohen_kappa([0, 0, 1, 1, 0], [0, 0, 1, 0, 0]))
    assert t.loc["gap", "human_kappa"] == 1.0
    assert ev.macro["f1"] == pytest.approx(t["f1"].mean())
    # Micro: 15 decisions, tp = 2, fp = 0, fn = 1.
    assert ev.micro["recall"] == pytest.approx(2 / 3) and ev.micro["precision"] == 1.0
    d = ev.disagreements
    assert d[["id", "code", "kind"]].values.tolist() == [["4", "know", "fn"]]
    assert d.loc[0, "text"] == "専門知識が足りない"


def test_disagreement_evidence_and_partial_matches():
    sample = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["温度差を感じる", "ノウハウが不十分", "ノウハウ不足は感じていない"],
            "codes": ["", "know", ""],
        }
    )
    ev = evaluate(CB, sample)
    d = ev.disagreements.set_index(["id", "code"])
    assert d.loc[("a", "gap"), "kind"] == "fp" and "温度差" in d.loc[("a", "gap"), "evidence"]
    assert d.loc[("b", "know"), "kind"] == "fn"
    assert d.loc[("b", "know"), "evidence"] == "ノウハウ"
    # neg(ノウハウ) also fires on a denial of the shortage: a false positive,
    # and the evidence shows which term made it fire.
    assert d.loc[("c", "know"), "kind"] == "fp"
    assert "ノウハウ" in d.loc[("c", "know"), "evidence"]


def test_unknown_code_in_labels_names_the_row(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,text,codes\n1,温度差,gap\n2,特になし,gap;typo_code\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"labels.csv: row 3 \(id 2\): unknown code id\(s\) typo_code"):
        read_labels(path, codebook=CB)


def test_jsonl_labels_with_lists(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"id": 1, "text": "温度差がある", "codes": ["gap"]}\n{"id": 2, "text": "なし", "codes": []}\n',
        encoding="utf-8",
    )
    ev = evaluate(CB, read_labels(path, codebook=CB))
    assert ev.codes.set_index("code").loc["gap", "f1"] == 1.0
    assert ev.to_dict()["codes"]["gap"]["support"] == 1


def test_evaluate_reads_no_files_and_says_where_to(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,text,codes\n1,温度差がある,gap\n", encoding="utf-8")
    with pytest.raises(AnalysisError) as exc:
        evaluate(CB, path)
    assert str(exc.value) == (
        f"[E537] evaluate() takes a LabelledSample or a DataFrame, not the path {path}: "
        "read it first with kotoba_code.io.labels.read_labels()."
    )
    with pytest.raises(AnalysisError, match=r"^\[E537\] diff_codebooks\(\) takes a Corpus or a DataFrame"):
        diff_codebooks(CB, CB, str(path))
    # Read through the io layer, the same file evaluates.
    assert evaluate(CB, read_labels(path, codebook=CB)).codes.set_index("code").loc["gap", "recall"] == 1.0


def test_diff_names_the_file_of_a_table_without_the_text_column(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("id,answer\n1,温度差がある\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"\[E102\] .*answers.csv: no column 'text'"):
        diff_codebooks(CB, CB, read_samples_or_corpus(path), source=str(path))


def test_evaluate_package_imports_nothing_from_io():
    # evaluate sits below io in the layers: io/labels.py reads files for it.
    pkg = Path(evaluate_pkg.__file__).parent
    imported = []
    for path in pkg.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.append(node.module)
            elif isinstance(node, ast.Import):
                imported.extend(a.name for a in node.names)
    assert "kotoba_code.evaluate.samples" in imported
    assert not [m for m in imported if m.startswith(("kotoba_code.io", "kotoba_code.cli"))]
