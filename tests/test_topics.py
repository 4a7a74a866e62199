"""Topic models: coherence by hand, recovering planted topics, seeded reproducibility, groups, find-k, the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from kotoba_code import Corpus, tokenize
from kotoba_code.analysis.topics import find_k, parse_k_range, topic_model, umass_coherence
from kotoba_code.errors import AnalysisError

TRANSPORT = ["面接に行く交通費がない", "交通費の支給と面接", "面接会場までの交通費", "バス代と交通費で面接"]
TRAINING = ["職業訓練のコースを案内", "訓練コースの受講", "訓練の受講を勧める", "コースの案内と訓練"]


@pytest.fixture(scope="module")
def planted():
    texts = (TRANSPORT + TRAINING) * 4
    groups = (["自治体"] * 4 + ["ハローワーク"] * 4) * 4
    corpus = Corpus.from_texts([*texts, "特になし"], metadata=pd.DataFrame({"group": [*groups, "自治体"]}))
    return tokenize(corpus, cache=False)


def test_umass_coherence_by_hand():
    # docs: {0,1}, {0,1}, {0,2}, {1}: D(0)=3, D(1)=3, D(2)=1, D(0,1)=2, D(0,2)=1, D(1,2)=0
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 1, 0]]))
    # top words [0, 1, 2]: pairs (1|0): log(3/3), (2|0): log(2/3), (2|1): log(1/3)
    expected = np.mean([np.log(3 / 3), np.log(2 / 3), np.log(1 / 3)])
    assert umass_coherence(X, [0, 1, 2]) == pytest.approx(expected)
    assert umass_coherence(X, [0, 1]) > umass_coherence(X, [1, 2])


@pytest.mark.parametrize("method", ["lda", "nmf"])
def test_planted_topics_are_recovered(planted, method):
    tm = topic_model(planted, 2, method=method, min_df=2, n_top=3, max_iter=30)
    tops = [set(w.split("、")) for w in tm.topics["top_words"]]
    assert {"交通費", "面接"} <= tops[0] or {"交通費", "面接"} <= tops[1]
    assert any({"訓練", "コース"} <= t for t in tops)
    docs = tm.documents
    assert docs["topic"].iloc[-1] == 0 and docs["words"].iloc[-1] == 0  # 特になし has no words
    shares = docs[[f"topic{t}" for t in (1, 2)]].to_numpy()
    assert shares.sum(axis=1) == pytest.approx(np.ones(len(docs)))
    # every transport answer has the same main topic, and the training answers the other one
    main = docs["topic"].to_numpy()[:-1].reshape(4, 8)
    assert (main[:, :4] == main[0, 0]).all() and (main[:, 4:] == main[0, 4]).all() and main[0, 0] != main[0, 4]
    assert tm.topics["documents"].sum() == 32
    assert tm.words.sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    assert np.isnan(tm.perplexity) == (method == "nmf")


def test_seeded_runs_reproduce_and_groups(planted):
    a = topic_model(planted, 3, seed=7, min_df=1, by="group")
    b = topic_model(planted, 3, seed=7, min_df=1, by="group")
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.documents, b.documents)
    g = a.by_group("group")
    assert list(g.columns) == ["ハローワーク", "自治体"] and g.shape == (3, 2)
    assert g.sum().to_numpy() == pytest.approx([1.0, 1.0])  # shares per group sum to 1 over topics
    assert a.topics["share:自治体"].to_numpy() == pytest.approx(g["自治体"].to_numpy())


def test_find_k_and_bad_k(planted):
    t = find_k(planted, [2, 3, 4], min_df=1, n_top=3)
    assert t["k"].tolist() == [2, 3, 4] and t["perplexity"].gt(0).all() and t["coherence"].le(0).all()
    assert list(parse_k_range("2:20")) == list(range(2, 21))
    for bad in ("5", "1:4", "6:3", "a:b"):
        with pytest.raises(AnalysisError, match="E507"):
            parse_k_range(bad)
    with pytest.raises(AnalysisError, match="E506"):
        topic_model(planted, 1)
    with pytest.raises(AnalysisError, match="E506"):
        topic_model(planted, 500)


def test_topics_command(tmp_path):
    from kotoba_code.cli.app import cli

    src = tmp_path / "a.csv"
    texts = (TRANSPORT + TRAINING) * 3
    pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "group": ["A", "B"] * 12, "answer": texts}).to_csv(
        src, index=False
    )
    args = ["topics", str(src), "--text-col", "answer", "--id-col", "id", "--no-cache", "-q"]
    out, docs = tmp_path / "t.csv", tmp_path / "d.xlsx"
    r = CliRunner().invoke(
        cli, [*args, "--k", "2", "--min-df", "1", "--by", "group", "-o", str(out), "--documents", str(docs)]
    )
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out, encoding="utf-8-sig")
    assert t.columns.tolist() == ["topic", "share", "documents", "coherence", "top_words", "share:A", "share:B"]
    d = pd.read_excel(docs)
    assert d["id"].tolist()[:2] == ["r0", "r1"] and {"topic1", "topic2", "topic"} <= set(d.columns)
    r = CliRunner().invoke(cli, [*args, "--k", "2", "--min-df", "1", "--by", "group", "-o", str(tmp_path / "t2.csv")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "t2.csv").read_bytes() == out.read_bytes()  # seeded: identical output
    fk, png = tmp_path / "k.csv", tmp_path / "k.png"
    r = CliRunner().invoke(cli, [*args, "--find-k", "2:4", "--min-df", "1", "-o", str(fk), "-o", str(png)])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(fk, encoding="utf-8-sig")["k"].tolist() == [2, 3, 4] and png.stat().st_size > 10_000
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and "--k" in r.output
    r = CliRunner().invoke(cli, [*args, "--find-k", "9"])
    assert r.exit_code == 1 and "E507" in r.output
