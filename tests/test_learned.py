"""Learned and hybrid coding, safe model files, the review queue and suggest-rules.

Real SudachiPy and real training throughout; small subsets keep it quick,
except the gate test, which trains on tune + dev and scores test2.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kotoba_code import Corpus, SudachiTokenizer, tokenize
from kotoba_code.codebook import Codebook
from kotoba_code.coding import HybridCoder, LearnedCoder, apply_codebook, load_model
from kotoba_code.coding.learned import samples_to_training
from kotoba_code.errors import KotobaError, KotobaWarning
from kotoba_code.evaluate import evaluate
from kotoba_code.io.labels import read_labels

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "corpus" / "labelled"


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return Codebook.load("welfare_employment")


@pytest.fixture(scope="module")
def small(cb):
    """400 answers of tune.csv, 150 of dev.csv, tokenized; a hybrid and a text-only model trained on them."""
    tune = read_labels(LABELLED / "tune.csv", codebook=cb)
    dev = read_labels(LABELLED / "dev.csv", codebook=cb)
    tune.texts = tune.texts.iloc[:400]
    dev.texts = dev.texts.iloc[:150]
    tokens, y, ids = samples_to_training([tune, dev], cb)
    hybrid = HybridCoder(cb, LearnedCoder(cb, vectors=False)).fit(tokens, y)
    text_only = LearnedCoder(vectors=False).fit(tokens, pd.DataFrame(y, columns=ids))
    return tokens, y, hybrid, text_only


def _tokens(cb, texts):
    return tokenize(Corpus.from_texts(texts), tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=False)


def test_learned_coder_is_seeded_and_calibrated_from_cross_validation(small):
    tokens, y, hybrid, text_only = small
    again = LearnedCoder(vectors=False).fit(tokens, pd.DataFrame(y, columns=text_only.code_ids_))
    np.testing.assert_array_equal(again.predict_proba(tokens), text_only.predict_proba(tokens))
    oof = text_only.oof_proba_
    assert oof.shape == y.shape and (oof >= 0).all() and (oof <= 1).all()
    # Calibrated on held-out folds: the mean probability tracks the base rate
    # and held-out answers score worse than the training fit.
    assert abs(oof.mean() - y.mean()) < 0.03
    fit_acc = (text_only.predict(tokens) == y).mean()
    oof_acc = ((oof >= 0.5) == y).mean()
    assert fit_acc > oof_acc > 0.9
    assert text_only.get_params()["C"] == 10.0


def test_hybrid_scores_and_explains_what_the_model_changed(small, cb):
    tokens, y, hybrid, _ = small
    res = hybrid.code(tokens)
    assert list(res.scores.columns) == cb.ids and res.scores.shape == res.matrix.shape
    np.testing.assert_array_equal(res.matrix.to_numpy(), res.scores.to_numpy() >= 0.5)
    rules = apply_codebook(cb, tokens).matrix[cb.ids].to_numpy()
    changed = res.matrix.to_numpy() != rules
    assert changed.any()
    ev = res.evidence
    model_rows = ev[ev["term"].str.startswith("model")]
    i, j = np.argwhere(changed)[0]
    doc_id, code = res.matrix.index[i], cb.ids[j]
    mine = model_rows[(model_rows["id"] == doc_id) & (model_rows["code"] == code)]
    assert len(mine) >= 1
    assert mine["term"].str.startswith("model+" if res.matrix.iat[i, j] else "model-").all()
    # Rule evidence is kept only for codes that were given.
    rule_rows = ev[~ev["term"].str.startswith("model")]
    given = {
        (r, c)
        for r, c in zip(
            res.matrix.index[np.nonzero(res.matrix.to_numpy())[0]],
            np.array(cb.ids)[np.nonzero(res.matrix.to_numpy())[1]],
            strict=True,
        )
    }
    assert all((r, c) in given for r, c in zip(rule_rows["id"], rule_rows["code"], strict=True))


def test_text_only_model_codes_with_label_ids(small):
    tokens, y, _, text_only = small
    res = text_only.code(tokens)
    assert list(res.matrix.columns) == text_only.code_ids_
    frame = res.to_frame()
    assert frame.columns[0] == "id" and set(frame.columns[1:]) >= set(text_only.code_ids_)
    with pytest.raises(KotobaError, match="E606"):
        text_only.code(tokens, unit="sentence")


def test_saved_model_codes_identically_in_a_fresh_process(small, cb, tmp_path):
    tokens, _, hybrid, _ = small
    path = tmp_path / "model.kcm"
    hybrid.save(path)
    texts = tokens.corpus.texts[:60]
    here = hybrid.code(_tokens(cb, texts)).scores.to_numpy()
    script = (
        "import sys, json, numpy as np\n"
        "from kotoba_code import Corpus, SudachiTokenizer, tokenize\n"
        "from kotoba_code.codebook import Codebook\n"
        "from kotoba_code.coding import load_model\n"
        "cb = Codebook.load('welfare_employment')\n"
        "texts = json.load(open(sys.argv[2], encoding='utf-8'))\n"
        "toks = tokenize(Corpus.from_texts(texts), tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=False)\n"
        "np.save(sys.argv[3], load_model(sys.argv[1], codebook=cb).code(toks).scores.to_numpy())\n"
    )
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path / "texts.json"), str(tmp_path / "out.npy")],
        check=True,
        env=env,
    )
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), here)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # runs on unpickling: the attack a model file must not allow
        return (Path.write_text, (self.marker, "pwned"))


def test_crafted_model_files_are_refused_without_running_code(tmp_path, cb):
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.kcm"
    evil.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(KotobaError, match="E601"):
        load_model(evil, codebook=cb)
    assert not marker.exists()
    # An npz holding a pickled object array is refused too.
    obj = tmp_path / "obj.kcm"
    with obj.open("wb") as fh:
        np.savez(fh, meta=np.array([_Payload(marker)], dtype=object), coef=np.zeros(2))
    with pytest.raises(KotobaError, match="E601"):
        load_model(obj, codebook=cb)
    assert not marker.exists()
    # Well-formed numbers but no model header.
    junk = tmp_path / "junk.kcm"
    with junk.open("wb") as fh:
        np.savez(fh, coef=np.zeros(3))
    with pytest.raises(KotobaError, match="E601"):
        load_model(junk)


def _rewrite_meta(src: Path, dst: Path, **changes) -> None:
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    meta.update(changes)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with dst.open("wb") as fh:
        np.savez(fh, **arrays)


def test_stamps_mismatch_is_a_clear_error(small, cb, tmp_path):
    tokens, _, hybrid, _ = small
    path = tmp_path / "m.kcm"
    hybrid.save(path)
    _rewrite_meta(path, tmp_path / "old.kcm", library_version="0.0.1")
    with pytest.raises(KotobaError, match=r"E602.*0\.0\.1"):
        load_model(tmp_path / "old.kcm", codebook=cb)
    from dataclasses import replace

    edited = replace(cb, codes=[replace(cb.codes[0], rule="ノウハウ"), *cb.codes[1:]])
    with pytest.raises(KotobaError, match="E603"):
        load_model(path, codebook=edited)
    with pytest.raises(KotobaError, match="E605"):
        load_model(path)
    other = tokenize(Corpus.from_texts(["温度差がある"]), cache=False)  # without the codebook's user words
    with pytest.raises(KotobaError, match="E604.*user_words"):
        load_model(path, codebook=cb).code(other)


def test_too_few_positives_warns_and_falls_back(cb):
    texts = ["人手が足りない", "連携している", "特になし", "会議を開いた"] * 3
    toks = _tokens(cb, texts)
    y = np.zeros((len(texts), 2), dtype=int)
    y[::4, 0] = 1
    y[0, 1] = 1
    with pytest.warns(KotobaWarning, match="W601.*'rare'"):
        m = LearnedCoder(vectors=False, cv=2).fit(toks, y, code_ids=["staff", "rare"])
    p = m.predict_proba(toks)
    assert np.allclose(p[:, 1], p[0, 1]) and p[0, 1] < 0.5


def test_review_queue_round_trip(small, cb, tmp_path):
    from openpyxl import load_workbook

    from kotoba_code.coding.review import review_queue
    from kotoba_code.io.review import write_review

    tokens, _, hybrid, _ = small
    res = hybrid.code(tokens)
    q = review_queue(res)
    assert sorted(q["id"]) == sorted(tokens.corpus.ids.tolist())
    assert q["rank"].tolist() == list(range(1, len(q) + 1)) and q["risk"].is_monotonic_decreasing
    assert {"id", "rank", "proposed_codes", "uncertain_codes", "reason", "text", "reviewed_codes"} <= set(q.columns)
    assert q["reason"].iloc[0] and ("ルール" in q["reason"].iloc[0])
    out = tmp_path / "review.xlsx"
    write_review(res, q, out)
    ws = load_workbook(out, rich_text=True).active
    header = [c.value for c in ws[1]]
    text_col = header.index("text")
    rich = [row[text_col].value for row in ws.iter_rows(min_row=2) if not isinstance(row[text_col].value, str)]
    assert rich, "rule hits are highlighted as rich text"
    # Fill in three rows and read the file back as labels.
    df = pd.read_excel(out, dtype=str).fillna("")
    df.loc[0, "reviewed_codes"] = "="
    df.loc[1, "reviewed_codes"] = "-"
    df.loc[2, "reviewed_codes"] = "covid_impact;case_meetings"
    filled = tmp_path / "filled.csv"
    df.to_csv(filled, index=False)
    with pytest.warns(KotobaWarning, match="W602"):
        s = read_labels(filled, codebook=cb)
    got = dict(zip(s.labels["id"], s.labels["codes"], strict=True))
    assert len(got) == 3
    assert got[df.loc[0, "id"]] == set(filter(None, df.loc[0, "proposed_codes"].split(";")))
    assert got[df.loc[1, "id"]] == set()
    assert got[df.loc[2, "id"]] == {"covid_impact", "case_meetings"}


def test_suggest_terms_finds_the_codes_words(cb):
    from kotoba_code.coding.suggest import suggest_terms

    tune = read_labels(LABELLED / "tune.csv", codebook=cb)
    table, missed = suggest_terms(tune, "covid_impact", codebook=cb, top=10)
    assert any("コロナ" in t for t in table["term"].head(3))
    top = table.iloc[0]
    assert top["precision"] > 0.8 and top["positives"] > 10
    hits = apply_codebook(cb, _tokens(cb, missed["text"].tolist())).matrix["covid_impact"] if len(missed) else []
    assert not any(hits)


def test_hybrid_beats_rules_on_the_second_test_split(cb):
    """Gate: trained on tune + dev only (rules tuned on tune), scored on test2."""
    tune = read_labels(LABELLED / "tune.csv", codebook=cb)
    dev = read_labels(LABELLED / "dev.csv", codebook=cb)
    test2 = read_labels(LABELLED / "test2.csv", codebook=cb)
    hybrid = HybridCoder(cb).fit_samples([tune, dev], rules_tuned_on=[tune])
    rules = evaluate(cb, test2)
    both = evaluate(cb, test2, coder=hybrid)
    # The combiner's settings were chosen by cross-validation on dev, never on test2.
    grid = hybrid.combiner_scores_
    assert len(grid) == 8 and max(grid, key=grid.get) == tuple(hybrid.combiner_params_.values())
    # Measured at commit: rules 0.899 / 0.759, rules + model 0.937 / 0.841
    # (macro-F1 / exact-set), the issue's +0.03 / +0.08 with one answer in 220
    # to spare. The gate allows one answer less, so that another platform's
    # last-digit float differences cannot turn CI red.
    assert both.macro["f1"] >= rules.macro["f1"] + 0.03
    assert both.exact >= rules.exact + 0.08 - 1 / len(test2.texts)
    # Review queue: most answers coded wrongly sit in its first 30 %.
    from kotoba_code.coding.review import review_queue

    q = review_queue(both.result)
    gold = test2.matrix("coder1", cb.ids).astype(int)
    pred = both.result.to_frame().set_index("id")[cb.ids].loc[gold.index]
    wrong = set(gold.index[(gold.to_numpy() != pred.to_numpy()).any(axis=1)])
    first = set(q["id"].head(round(0.3 * len(q))))
    # Measured: 25 of 35 (0.71); the goal is 0.70 (again one answer allowed).
    assert (len(wrong & first) + 1) / len(wrong) >= 0.7


def test_cli_train_code_test_review_suggest(tmp_path):
    from click.testing import CliRunner

    from kotoba_code.cli.app import cli

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    sample = tmp_path / "sample.csv"
    pd.read_csv(LABELLED / "tune.csv", dtype=str, keep_default_na=False).head(300).to_csv(sample, index=False)
    held = tmp_path / "held.csv"
    pd.read_csv(LABELLED / "dev.csv", dtype=str, keep_default_na=False).head(40).to_csv(held, index=False)
    model = tmp_path / "m.kcm"
    r = run("train", sample, "--codebook", "welfare_employment", "-o", model, "--no-vectors", "-q")
    assert r.exit_code == 0, r.output
    out, scores = tmp_path / "coded.csv", tmp_path / "scores.csv"
    r = run(
        "code",
        held,
        "--id-col",
        "id",
        "--codebook",
        "welfare_employment",
        "--model",
        model,
        "-o",
        out,
        "--scores",
        scores,
        "-q",
        "--no-cache",
    )
    assert r.exit_code == 0, r.output
    coded = pd.read_csv(out)
    cb = Codebook.load("welfare_employment")
    assert list(coded.columns[-len(cb.ids) :]) == cb.ids and len(coded) == 40
    assert set(coded[cb.ids].to_numpy().ravel()) <= {0, 1}
    sc = pd.read_csv(scores)
    assert list(sc.columns) == ["id", *cb.ids] and sc[cb.ids].to_numpy().max() <= 1
    r = run("test", held, "--codebook", "welfare_employment", "--model", model)
    assert r.exit_code == 0 and "exact-set" in r.output
    r = run(
        "review",
        held,
        "--id-col",
        "id",
        "--codebook",
        "welfare_employment",
        "--model",
        model,
        "-o",
        tmp_path / "q.csv",
        "-q",
        "--no-cache",
    )
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(tmp_path / "q.csv")) == 40
    # Text-only model: codes come from the labels; code with --model alone.
    text_model = tmp_path / "t.kcm"
    assert run("train", sample, "-o", text_model, "--no-vectors", "-q").exit_code == 0
    r = run("code", held, "--id-col", "id", "--model", text_model, "-o", tmp_path / "t.csv", "-q", "--no-cache")
    assert r.exit_code == 0, r.output
    assert "covid_impact" in pd.read_csv(tmp_path / "t.csv").columns
    r = run("suggest-rules", sample, "--code", "covid_impact", "--codebook", "welfare_employment")
    assert r.exit_code == 0 and "コロナ" in r.output and "ルールが見逃した正例" in r.output
    # A file that is not a model: one line, no traceback.
    bad = tmp_path / "bad.kcm"
    bad.write_bytes(b"not a model")
    r = CliRunner().invoke(cli, ["code", str(held), "--model", str(bad), "--codebook", "welfare_employment"])
    assert r.exit_code == 1 and "[E601]" in r.output and "Traceback" not in r.output


def test_public_names():
    import kotoba_code

    assert kotoba_code.HybridCoder is HybridCoder and kotoba_code.LearnedCoder is LearnedCoder
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert callable(kotoba_code.load_model)


def test_combiner_stays_with_the_rules_when_labels_are_few():
    """Penalized towards the rules, not towards zero: 10 labelled answers and a
    model no better than chance leave every rule decision as it was (a penalty
    towards zero drops some of the rules' hits here)."""
    from kotoba_code.coding.hybrid import _combine, fit_combiner

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (10, 3))
    y[0] = 1
    hits = y.copy()
    p = rng.uniform(0.05, 0.95, (10, 3))
    W = fit_combiner(hits, p, y, np.ones(10), 0.1)
    np.testing.assert_array_equal(_combine(W, hits, p) >= 0.5, hits.astype(bool))


def test_combiner_choice_is_cross_validated_on_answers_the_rules_were_not_tuned_on():
    from kotoba_code.coding.hybrid import COMBINER_DEFAULT, COMBINER_GRID, select_combiner

    rng = np.random.default_rng(2)
    n, k = 400, 4
    y = (rng.random((n, k)) < 0.3).astype(np.int64)
    tuned = np.arange(n) < 250
    # Rules perfect on the answers they were tuned on, often wrong elsewhere;
    # the model informative everywhere.
    hits = np.where(tuned[:, None] | (rng.random((n, k)) < 0.6), y, 1 - y)
    p = np.clip(np.where(y == 1, 0.8, 0.2) + rng.normal(0, 0.15, (n, k)), 0.01, 0.99)
    chosen, scores = select_combiner(hits, p, y, tuned, np.ones(k, dtype=bool))
    assert set(scores) == {(w, c) for w in COMBINER_GRID["tuned_weight"] for c in COMBINER_GRID["combiner_C"]}
    assert (chosen["tuned_weight"], chosen["combiner_C"]) == max(scores, key=scores.get)
    # Trusting the tuned answers fully is what the held-out answers punish.
    assert chosen["tuned_weight"] < 1.0
    # Too few answers to choose on: the defaults, no scores.
    few = np.arange(n) < n - 50
    assert select_combiner(hits, p, y, few, np.ones(k, dtype=bool)) == (COMBINER_DEFAULT, {})
    # No code learned (too few positives each): the rules decide, nothing to choose.
    assert select_combiner(hits, p, y, tuned, np.zeros(k, dtype=bool)) == (COMBINER_DEFAULT, {})


def test_review_workbook_stores_text_as_text_and_reads_excel_friendly_marks(small, cb, tmp_path):
    """An answer that looks like a formula stays text in review.xlsx, and a
    reviewer's ○ / × typed into the workbook itself read back as accept / none."""
    from openpyxl import load_workbook

    from kotoba_code.coding.review import review_queue
    from kotoba_code.io.review import write_review

    _, _, hybrid, _ = small
    texts = ['=HYPERLINK("http://example.invalid","人手不足")', "#N/A", "ケース会議を月1回開いている", "特になし"]
    res = hybrid.code(_tokens(cb, texts))
    out = tmp_path / "review.xlsx"
    write_review(res, review_queue(res), out)
    wb = load_workbook(out)
    ws = wb["review"]
    header = [c.value for c in ws[1]]
    cells = [row[header.index("text")] for row in ws.iter_rows(min_row=2)]
    assert {c.value for c in cells} == set(texts)
    assert all(c.data_type == "s" for c in cells)
    assert "記入方法" in wb.sheetnames
    review_col = header.index("reviewed_codes") + 1
    marks = {"○": "accept", "×": "none", "OK": "accept"}
    for r, mark in zip(range(2, 5), marks, strict=False):
        ws.cell(row=r, column=review_col, value=mark)
    wb.save(out)
    with pytest.warns(KotobaWarning, match="W602"):
        s = read_labels(out, codebook=cb)
    got = dict(zip(s.labels["id"], s.labels["codes"], strict=True))
    rows = list(ws.iter_rows(min_row=2, max_row=4, values_only=True))
    for row, kind in zip(rows, marks.values(), strict=True):
        proposed = set(filter(None, (row[header.index("proposed_codes")] or "").split(";")))
        assert got[row[0]] == (proposed if kind == "accept" else set())
