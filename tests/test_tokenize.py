"""Tokenization with the real SudachiPy dictionary: forms, offsets, chunks, user words, cache."""

import subprocess
import sys

import numpy as np
import pytest

from kotoba_code import Corpus, SudachiTokenizer, tokenize
from kotoba_code.errors import KotobaWarning, TokenizerError
from kotoba_code.tokenize import TokenCache, cache_key, split_chunks
from kotoba_code.tokenize.sudachi import MAX_CHUNK_BYTES


def _tok(texts, **kw):
    return tokenize(Corpus.from_texts(texts), cache=False, tokenizer=SudachiTokenizer(**kw))


def assert_offsets_faithful(tokens):
    """Every token's surface is exactly the original text between its offsets,
    and tokens (white space included) tile each document without gaps."""
    for i, text in enumerate(tokens.corpus.texts):
        toks = tokens.doc(i)
        for t in toks:
            assert text[t.start : t.end] == t.surface
            assert t.end > t.start
        starts = [t.start for t in toks]
        assert starts == sorted(starts)


def test_token_fields():
    toks = _tok(["ノウハウが不足していない"])
    t = toks.doc(0)
    assert [x.surface for x in t] == ["ノウハウ", "が", "不足", "し", "て", "い", "ない"]
    assert t[3].lemma == "する" and t[3].norm == "為る"
    assert t[2].pos.startswith("名詞-普通名詞")
    assert t[2].reading == "フソク"
    assert t[6].pos == "助動詞" and t[6].cform == "終止形-一般"


def test_width_forms_fold_in_lemma_and_keep_original_surface():
    text = "ＨＷとﾊﾛｰﾜｰｸで①番の相談"
    toks = _tok([text])
    assert_offsets_faithful(toks)
    by_surface = {t.surface: t for t in toks.doc(0)}
    assert by_surface["ﾊﾛｰﾜｰｸ"].lemma == "ハローワーク"
    assert by_surface["ＨＷ"].lemma == "HW"
    assert text[by_surface["ﾊﾛｰﾜｰｸ"].start : by_surface["ﾊﾛｰﾜｰｸ"].end] == "ﾊﾛｰﾜｰｸ"


def test_invisible_characters_are_removed_but_offsets_point_to_original():
    text = "\ufeff温度差\u200bを感じる\x00。"
    toks = _tok([text])
    assert_offsets_faithful(toks)
    lemmas = [t.lemma for t in toks.doc(0)]
    assert "\u200b" not in "".join(lemmas) and "\ufeff" not in "".join(lemmas)
    assert toks.doc(0)[0].start == 1  # after the BOM


def test_split_modes_differ():
    a = _tok(["選挙管理委員会"], split_mode="A")
    c = _tok(["選挙管理委員会"], split_mode="C")
    assert [t.surface for t in a.doc(0)] == ["選挙", "管理", "委員", "会"]
    assert [t.surface for t in c.doc(0)] == ["選挙管理委員会"]


def test_bad_split_mode():
    with pytest.raises(TokenizerError, match="split mode"):
        _tok(["x"], split_mode="D")


def test_user_words_stay_whole_in_every_mode(tmp_path):
    words = tmp_path / "userwords.txt"
    words.write_text("# compounds of the study\n自立相談支援機関\n就労準備支援事業\n一体的実施\n", encoding="utf-8")
    text = "自立相談支援機関と就労準備支援事業、ＨＷとの一体的実施。"
    for mode in "ABC":
        toks = _tok([text], split_mode=mode, user_words=words)
        surfaces = [t.surface for t in toks.doc(0)]
        assert "自立相談支援機関" in surfaces
        assert "就労準備支援事業" in surfaces
        assert "一体的実施" in surfaces
        assert_offsets_faithful(toks)
    # Without them Sudachi splits the compound.
    assert "自立相談支援機関" not in [t.surface for t in _tok([text]).doc(0)]


def test_user_words_match_width_variants():
    toks = _tok(["ＨＷ連携会議を開催"], user_words=["HW連携会議"])
    first = toks.doc(0)[0]
    assert first.surface == "ＨＷ連携会議" and first.lemma == "HW連携会議"
    assert toks.vocab.loc[toks.word[0], "user"]


def test_empty_and_blank_documents_keep_their_place():
    toks = _tok(["温度差がある", "", "   ", "情報共有"])
    assert len(toks.corpus) == 4
    assert toks.doc(1) == []
    assert [t.lemma for t in toks.doc(3)] == ["情報共有"]
    assert toks.to_frame()["id"].unique().tolist() == ["1", "4"]


def test_split_chunks_respects_byte_limit_and_covers_text():
    text = ("連携に温度差がある。" * 3000) + ("あ" * 20000)
    chunks = split_chunks(text)
    assert "".join(c for _, c in chunks) == text
    assert all(len(c.encode("utf-8")) <= MAX_CHUNK_BYTES for _, c in chunks)
    assert [off for off, _ in chunks] == list(np.cumsum([0] + [len(c) for _, c in chunks[:-1]]))


@pytest.mark.slow
def test_150k_character_transcript_tokenized_whole_with_correct_offsets():
    turn = "聞き手：ハローワークとの連携についてお聞かせください。\nA：ＨＷとは月１回ケース会議をしていますが、温度差は感じます。\n"
    text = turn * (150_000 // len(turn) + 1)
    assert len(text) >= 150_000 and len(text.encode()) > 49_149 * 3
    toks = _tok([text])
    assert_offsets_faithful(toks)
    covered = sum(t.end - t.start for t in toks.doc(0))
    assert covered == len(text)  # no character lost at chunk boundaries
    assert sum(t.lemma == "温度差" or t.surface == "温度" for t in toks.doc(0)) == text.count("温度差")


def test_cache_hit_on_second_run(tmp_path, monkeypatch):
    corpus = Corpus.from_texts(["温度差がある", "ノウハウ不足"])
    first = tokenize(corpus, cache=tmp_path)
    calls = []
    original = SudachiTokenizer.tokenize
    monkeypatch.setattr(SudachiTokenizer, "tokenize", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    second = tokenize(corpus, cache=tmp_path)
    assert calls == []  # served from the cache: the tokenizer did not run
    assert second.to_frame().equals(first.to_frame())
    # Other settings or other texts are a miss.
    tokenize(corpus, cache=tmp_path, tokenizer=SudachiTokenizer(split_mode="A"))
    tokenize(Corpus.from_texts(["温度差がない", "ノウハウ不足"]), cache=tmp_path)
    assert len(calls) == 2


def test_cache_key_separates_text_boundaries():
    s = SudachiTokenizer().settings()
    assert cache_key(["ab", "c"], s) != cache_key(["a", "bc"], s)


def test_corrupt_cache_entry_is_retokenized(tmp_path):
    corpus = Corpus.from_texts(["課題がある"])
    tokenize(corpus, cache=tmp_path)
    key = cache_key(corpus.texts, SudachiTokenizer().settings())
    (tmp_path / key / "tokens.parquet").write_bytes(b"garbage")
    with pytest.warns(KotobaWarning, match="W202"):
        assert TokenCache(tmp_path).load(key, corpus) is None
    assert [t.lemma for t in tokenize(corpus, cache=tmp_path).doc(0)][0] == "課題"


def test_sudachi_backend_does_not_import_spacy():
    code = (
        "import sys, kotoba_code as kc;"
        "kc.tokenize(kc.Corpus.from_texts(['温度差']), cache=False);"
        "kc.word_frequency(kc.tokenize(kc.Corpus.from_texts(['温度差']), cache=False));"
        "assert 'spacy' not in sys.modules, 'spacy imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_to_frame_columns_and_units():
    toks = _tok(["連携が不十分。温度差もある。\n・人手不足"])
    df = toks.to_frame(unit="sentence")
    assert list(df.columns[:8]) == ["id", "unit", "start", "end", "surface", "lemma", "norm", "pos"]
    assert df["unit"].tolist()[0] == 1 and df["unit"].max() == 3
    assert toks.to_frame(unit="paragraph")["unit"].max() == 2
    assert set(toks.to_frame(unit="document")["unit"]) == {1}


@pytest.mark.slow
def test_ginza_backend_same_offsets_and_dependencies():
    from kotoba_code.tokenize.ginza import GinzaTokenizer

    corpus = Corpus.from_texts(["ＨＷとの温度差を感じる。", "", "ノウハウが不足している"])
    g = tokenize(corpus, tokenizer=GinzaTokenizer(), cache=False)
    s = tokenize(corpus, cache=False)
    assert_offsets_faithful(g)
    gl = [t.lemma for t in g.doc(0)]
    assert "温度" in gl and "感じる" in gl
    assert g.doc(1) == []
    assert set(g.extra) == {"head", "dep", "upos"}
    deps = dict(zip([t.surface for t in g.doc(0)], g.extra["dep"][: len(g.doc(0))], strict=True))
    assert deps["感じる"] == "ROOT"
    # Same Sudachi lemmas as the fast backend, apart from white space.
    assert [t.lemma for t in s.doc(2)] == [t.lemma for t in g.doc(2)]


def test_tokenizing_from_several_threads_at_once():
    # Dask's threaded scheduler tokenizes partitions concurrently.
    from concurrent.futures import ThreadPoolExecutor

    corpora = [Corpus.from_texts(["ノウハウが不足している。" * 200] * 100) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda c: tokenize(c, cache=False), corpora))
    assert all(len(r) == len(results[0]) for r in results)


def test_words_sudachi_joins_itself_keep_their_own_forms():
    # Sudachi gives every katakana run it joins (サポステ, ワンフロア) one
    # shared word id; each must keep its own forms whichever comes first.
    for texts in (
        ["福祉事務所とワンフロアです", "サポステに紹介した"],
        ["サポステに紹介した", "福祉事務所とワンフロアです"],
    ):
        toks = tokenize(Corpus.from_texts(texts), cache=False)
        lemmas = {t.lemma for i in range(2) for t in toks.doc(i)}
        assert {"サポステ", "ワンフロア"} <= lemmas
