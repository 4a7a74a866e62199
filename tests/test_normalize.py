import numpy as np
import pytest

from kotoba_code.tokenize.normalize import clean_text, normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ﾊﾛｰﾜｰｸ", "ハローワーク"),
        ("ＨＷ１２３", "HW123"),
        ("①②", "12"),
        ("㈱", "(株)"),
        ("か\u3099", "が"),
        ("\ufeff温度差\u200b", "温度差"),
        ("葛\U000e0100飾区", "葛飾区"),
        ("行1\r\n行2", "行1\n行2"),
        ("\u3000全角スペース", " 全角スペース"),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text).text == expected


def test_every_normalized_char_maps_into_its_source():
    original = "ＨＷ①ﾊﾛｰﾜｰｸ\u200bと㈱か\u3099連携\r\n"
    n = normalize_text(original)
    for i, ch in enumerate(n.text):
        s, e = n.to_original(i, i + 1)
        import unicodedata

        source = original[s:e]
        assert ch in unicodedata.normalize("NFKC", source), (i, ch, source)


def test_span_mapping_of_a_word_after_width_forms():
    original = "ＨＷとﾊﾛｰﾜｰｸの温度差"
    n = normalize_text(original)
    k = n.text.index("温度差")
    s, e = n.to_original(k, k + 3)
    assert original[s:e] == "温度差"
    s, e = n.to_original(n.text.index("ハローワーク"), n.text.index("ハローワーク") + 6)
    assert original[s:e] == "ﾊﾛｰﾜｰｸ"


def test_expansion_maps_as_a_whole():
    n = normalize_text("㈱ABC")
    # "(株)" comes from one character; any part of it maps to that character.
    assert n.to_original(1, 2) == (0, 1)
    assert n.to_original(3, 6) == (1, 4)


def test_identity_texts_keep_no_map():
    n = normalize_text("普通の文章です。")
    assert n.is_identity
    s, e = n.map_spans(np.array([0, 2]), np.array([2, 4]))
    assert s.tolist() == [0, 2] and e.tolist() == [2, 4]


def test_clean_text_only_drops_invisible_characters():
    n = clean_text("ＨＷ\u200bと\ufeff連携")
    assert n.text == "ＨＷと連携"
    assert n.to_original(3, 5) == (5, 7)
