"""kotoba-code test and diff, the HTML report and the pytest helpers."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli
from kotoba_code.testing import assert_codebook, assert_codes

OLD = """
codes:
  - id: gap
    label: 温度差
    rule: 温度差
  - id: know
    label: ノウハウ不足
    rule: ノウハウ & 不足
"""
NEW = OLD.replace("rule: ノウハウ & 不足", "rule: ノウハウ & 不足 | neg(ノウハウ) | neg(専門知識)")
SAMPLE = pd.DataFrame(
    {
        "id": ["1", "2", "3", "4", "5", "6"],
        "text": [
            "温度差がある",
            "温度差はない",
            "ノウハウがない",
            "専門知識が足りない",
            "<script>alert(1)</script>温度差",
            "特になし",
        ],
        "codes": ["gap", "", "know", "know", "", ""],
    }
)


@pytest.fixture
def files(tmp_path):
    old, new, sample = tmp_path / "old.yaml", tmp_path / "new.yaml", tmp_path / "sample.csv"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    SAMPLE.to_csv(sample, index=False)
    return old, new, sample


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_table_output_and_exit_code_flips_with_threshold(files):
    old, _, sample = files
    r = run("test", "--codebook", old, sample)
    assert r.exit_code == 0, r.output
    assert "know" in r.output and "disagreements" in r.output
    # know: support 2, rules find neither -> F1 0; gap: one false positive (the <script> text) -> F1 2/3
    r = run("test", "--codebook", old, sample, "--min-f1", "0.6", "--code", "gap")
    assert r.exit_code == 0
    r = run("test", "--codebook", old, sample, "--min-f1", "0.7", "--code", "gap")
    assert r.exit_code == 1 and "gap: F1 0.667 < 0.7" in r.output
    r = run("test", "--codebook", old, sample, "--min-kappa", "0.1")
    assert r.exit_code == 1 and "know: kappa" in r.output


def test_json_format(files):
    old, _, sample = files
    r = run("test", "--codebook", old, sample, "--format", "json")
    data = json.loads(r.output)
    assert set(data) >= {"codes", "macro", "micro", "n", "disagreements"}
    assert set(data["codes"]["gap"]) >= {"support", "precision", "recall", "f1", "kappa", "alpha"}
    assert data["n"] == 6 and data["codes"]["gap"]["support"] == 1
    kinds = {(d["id"], d["code"], d["kind"]) for d in data["disagreements"]}
    assert ("5", "gap", "fp") in kinds and ("3", "know", "fn") in kinds
    assert all(set(d) == {"id", "code", "kind", "text", "evidence"} for d in data["disagreements"])


def test_html_report_escapes_text_and_marks_spans(files, tmp_path):
    old, _, sample = files
    out = tmp_path / "report.html"
    r = run("test", "--codebook", old, sample, "--report", out, "--format", "markdown")
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>温度差</mark>" in html


def test_diff_shows_changed_units_and_metric_moves(files):
    old, new, sample = files
    r = run("diff", "--codebook", old, "--codebook", new, sample)
    assert r.exit_code == 0, r.output
    assert "2 documents changed codes" in r.output
    assert "| 3 | know | + |" in r.output and "| 4 | know | + |" in r.output
    assert "f1_delta" in r.output


def test_pytest_helpers(files):
    old, new, sample = files
    assert_codebook(new, sample, per_code={"know": 1.0})
    with pytest.raises(AssertionError, match=r"know \(ノウハウ不足\): F1 0.000 < 0.5(.|\n)*\[fn\] know id=3"):
        assert_codebook(old, sample, min_f1=0.5)
    assert_codes(new, "ノウハウがない", has=["know"], lacks=["gap"])
    with pytest.raises(AssertionError, match="expected not"):
        assert_codes(new, "温度差がある", lacks=["gap"])
