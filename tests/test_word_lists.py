"""Clean word lists (issue #15): stop words, synonyms, speaker labels, the sample corpus's own word lists."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code import read_corpus, tokenize
from kotoba_code.analysis.frequency import counting_tokens, word_frequency
from kotoba_code.analysis.keyness import word_keyness
from kotoba_code.cli.app import cli
from kotoba_code.errors import TokenizerError
from kotoba_code.tokenize.userwords import DEFAULT_STOP_WORDS, read_synonyms

pytestmark = pytest.mark.slow

NOISE = {"よる", "多い", "行く", "来る", "回", "年", "それ", "くださる", "ほう"}
SPEAKERS = {"聞き手", "A", "B", "Q"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def answers(request):
    return request.config.rootpath / "corpus" / "answers.csv"


def test_default_stop_words_cover_the_words_the_issue_found():
    assert NOISE <= DEFAULT_STOP_WORDS
    # Words that carry a theme are never stop words.
    assert not {"不足", "少ない", "連携", "温度差", "予算", "ない" + "よう"} & DEFAULT_STOP_WORDS


def test_word_network_and_keyness_on_the_sample_corpus(answers, tmp_path):
    base = [answers, "--text-col", "answer", "--id-col", "id", "--no-cache"]
    r = run("network", *base, "-o", tmp_path / "w.graphml")
    assert r.exit_code == 0, r.output
    assert "Sample corpus: using its user words" in r.output  # said on stderr (mixed in by CliRunner)
    words = {d["label"] for _, d in nx.read_graphml(tmp_path / "w.graphml").nodes(data=True)}
    assert not words & DEFAULT_STOP_WORDS and not words & SPEAKERS
    assert {"自治体", "ハローワーク"} <= words
    assert not {"HW", "ハロワ", "自治", "体側"} & words
    r = run("keyness", *base, "--by", "group", "--top", "200", "-o", tmp_path / "k.csv")
    assert r.exit_code == 0, r.output
    k = pd.read_csv(tmp_path / "k.csv", encoding="utf-8-sig")
    terms = set(k["term"])
    assert not terms & DEFAULT_STOP_WORDS and not terms & {"HW", "ハロワ"}
    # 温度 alone is rare (温度感), 温度差 is one word.
    assert "ハローワーク" in terms and not {"自治", "体側"} & terms
    r = run("words", *base, "-q", "-o", tmp_path / "w.csv")
    counted = pd.read_csv(tmp_path / "w.csv", encoding="utf-8-sig").set_index("word")
    assert counted.loc["温度差", "count"] >= 50 and counted.loc["自治体", "count"] >= 300
    assert not {"自治", "体側", "HW", "ハロワ"} & set(counted.index)
    assert counted["count"].get("温度", 0) < 0.1 * counted.loc["温度差", "count"]


def test_synonyms_fold_variants_into_one_count(answers, request):
    root = request.config.rootpath
    corpus = read_corpus(answers, text_col="answer", id_col="id")
    tokens = tokenize(corpus, cache=False)
    plain = word_frequency(tokens, pos=["名詞"]).set_index("word")
    folded = word_frequency(tokens, pos=["名詞"], synonyms=root / "corpus" / "synonyms.txt")
    row = folded[folded["word"] == "ハローワーク"]
    assert len(row) == 1
    assert int(row["count"].iloc[0]) == int(plain.loc[["HW", "ハロワ", "ハローワーク"], "count"].sum()) + int(
        plain.loc[["公共職業安定所"], "count"].sum()
    )
    assert not {"HW", "ハロワ"} & set(folded["word"])
    # Keyness folds them too, and the tokens used for coding are untouched.
    kt = word_keyness(tokens, "group", synonyms=["ハローワーク,HW,ハロワ"])
    assert "HW" not in set(kt["term"]) and "ハローワーク" in set(kt["term"])
    assert "HW" in set(tokens.vocab["lemma"])


def test_no_stop_words_and_own_list(answers, tmp_path):
    base = [answers, "--text-col", "answer", "--id-col", "id", "--no-cache", "-q"]
    r = run("words", *base, "--no-stop-words", "-o", tmp_path / "all.csv")
    assert r.exit_code == 0, r.output
    every = set(pd.read_csv(tmp_path / "all.csv", encoding="utf-8-sig")["word"])
    assert {"する", "よる", "多い"} <= every
    own = tmp_path / "stop.txt"
    own.write_text("支援\n", encoding="utf-8")
    r = run("words", *base, "--stop-words", own, "-o", tmp_path / "own.csv")
    words = set(pd.read_csv(tmp_path / "own.csv", encoding="utf-8-sig")["word"])
    assert "支援" not in words and "よる" in words  # replaces the default list
    r = run("words", *base, "-o", tmp_path / "default.csv")
    default = set(pd.read_csv(tmp_path / "default.csv", encoding="utf-8-sig")["word"])
    assert not default & DEFAULT_STOP_WORDS and "支援" in default


def test_sample_words_can_be_turned_off(answers, tmp_path):
    base = [answers, "--text-col", "answer", "--id-col", "id", "--no-cache", "-q"]
    r = run("words", *base, "--no-sample-words", "-o", tmp_path / "raw.csv")
    assert r.exit_code == 0, r.output
    raw = set(pd.read_csv(tmp_path / "raw.csv", encoding="utf-8-sig")["word"])
    assert {"温度", "HW"} <= raw and "温度差" not in raw


def test_speaker_labels_are_never_words(request):
    corpus = read_corpus(request.config.rootpath / "corpus" / "transcripts")
    tokens = tokenize(corpus, cache=False)
    turns = corpus.units("paragraph")["speaker"].value_counts()
    before = word_frequency(tokens, stop_words=[], synonyms=None)
    # word_frequency counts on counting_tokens: compare with a count over every token.
    content = tokens.word[tokens.pos_mask(None)[tokens.word]]
    lemmas = pd.Series(tokens.vocab["lemma"].astype(str).to_numpy()[content]).value_counts()
    after = before.groupby("word")["count"].sum()
    assert after.get("聞き手", 0) == 0 and lemmas["聞き手"] >= turns["聞き手"]
    for label in ("A", "Q"):
        # No label is a word (also not inside longer labels such as ナビゲーターA).
        assert after.get(label, 0) <= lemmas.get(label, 0) - turns[label], label
    assert {"ハローワーク", "相談"} <= set(after.index)
    # Only the labels go: every token left is inside a speaker turn.
    view = counting_tokens(tokens)
    assert 0 < len(tokens) - len(view) < 0.08 * len(tokens)  # labels, their colons and line breaks
    assert (view.unit_index(corpus.units("paragraph")) >= 0).all()


def test_synonym_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "syn.txt"
    bad.write_text("# ok\nハローワーク,HW\nひとつだけ\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"E513.*syn.txt, line 3"):
        read_synonyms(bad)
    bad.write_text("ハローワーク,HW\n職安,HW\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"E513.*line 2.*'HW' is already a variant of 'ハローワーク'"):
        read_synonyms(bad)


def test_one_token_count_in_demo_tokenize_words_and_repr(request, tmp_path, monkeypatch):
    """Issue #15 found 64,072 / 64,531 / 64,649 tokens for one corpus; now every place says the same."""
    import re

    root = request.config.rootpath
    monkeypatch.chdir(root)
    demo = run("demo", "-q")
    n_demo = int(re.search(r"トークン ([\d,]+) 個", demo.output)[1].replace(",", ""))
    tok = run(
        "tokenize",
        "corpus/answers.csv",
        "--text-col",
        "answer",
        "--id-col",
        "id",
        "--no-cache",
        "-o",
        tmp_path / "t.csv",
    )
    n_tok = int(re.search(r"([\d,]+) tokens from", tok.output)[1].replace(",", ""))
    words = run(
        "words", "corpus/answers.csv", "--text-col", "answer", "--id-col", "id", "--no-cache", "-o", tmp_path / "w.csv"
    )
    n_words = int(re.search(r"counted in ([\d,]+) tokens", words.output)[1].replace(",", ""))
    from kotoba_code.tokenize import make_tokenizer
    from kotoba_code.tokenize.userwords import read_word_list

    corpus = read_corpus(root / "corpus" / "answers.csv", text_col="answer", id_col="id")
    tokens = tokenize(
        corpus,
        tokenizer=make_tokenizer("sudachi", user_words=list(read_word_list(root / "corpus" / "userwords.txt"))),
        cache=False,
    )
    n_repr = int(re.search(r"([\d,]+) tokens", repr(tokens))[1].replace(",", ""))
    assert n_demo == n_tok == n_words == n_repr == len(tokens)
    rows = len(pd.read_csv(tmp_path / "t.csv"))
    assert 0 < n_tok - rows < 0.01 * n_tok  # only white-space tokens are not written
