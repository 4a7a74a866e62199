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


# Characters of every kind normalisation treats differently: plain text, width
# forms replaced one for one, expansions (㈱, ㍻), combining and half-width
# voiced marks, dropped invisibles, line breaks.
_MIXED = "連携あア.Aa1 ＨＷ１（）ｱｶﾟ\u3000①㈱㍻か\u3099ﾞ\u200b\ufeff\r\n\U000e0100é"


@pytest.mark.parametrize("seed", range(3))
def test_the_one_for_one_shortcut_equals_segment_by_segment_normalisation(seed):
    # Most answers with width forms take a shortcut (a translation table, no
    # offset map); it must give the same text and offsets as the general path.
    import random

    from kotoba_code.tokenize.normalize import _normalize_segments

    rng = random.Random(seed)
    shortcut = 0
    for _ in range(3000):
        text = "".join(rng.choice(_MIXED[: rng.randint(4, len(_MIXED))]) for _ in range(rng.randint(0, 12)))
        fast, full = normalize_text(text), _normalize_segments(text)
        assert fast.text == full.text, repr(text)
        starts = np.array([i for i in range(len(fast.text)) for _ in range(len(fast.text) - i)], dtype=np.int64)
        ends = np.array([j for i in range(len(fast.text)) for j in range(i + 1, len(fast.text) + 1)], dtype=np.int64)
        a, b = fast.map_spans(starts, ends)
        c, d = full.map_spans(starts, ends)
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist(), repr(text)
        shortcut += fast.is_identity and fast.text != text
    assert shortcut > 100  # the shortcut was taken, not only the general path


def test_width_forms_alone_need_no_offset_map():
    n = normalize_text("ＨＷ（ﾊﾛｰﾜｰｸ）と連携")
    assert n.text == "HW(ハローワーク)と連携" and n.is_identity
    n = normalize_text("ＨＷとｶﾞｲﾄﾞ")  # ｶﾞ is two characters for one: mapped
    assert n.text == "HWとガイド" and not n.is_identity
