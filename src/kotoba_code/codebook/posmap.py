"""KH Coder part-of-speech and ChaSen conjugation names mapped onto Sudachi tags.

KH Coder rules name parts of speech in its own scheme (built on ChaSen/IPADic),
e.g. ``ない-->形容詞B``. kotoba_code tokenizes with Sudachi, so each name is
defined as a predicate over Sudachi's tags and the word's form. The table is
documented in ``docs/rules.md``. A Sudachi tag may also be written directly
(``-->名詞-普通名詞``): it matches that tag and its sub-tags.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from kotoba_code.errors import CodebookError, Errors
from kotoba_code.tokenize.tokens import ALL_POS

_HIRAGANA = re.compile(r"[\u3041-\u309f\u30fc]+")
_ONE_KANJI = re.compile(r"[\u4e00-\u9fff\u3005]")

# name -> (Sudachi tag prefixes, form condition). Form conditions: "B" the word
# is hiragana only, "C" one kanji, "notBC" neither, None no condition.
KHCODER_POS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "名詞": (("名詞-普通名詞-一般",), "notBC"),
    "名詞B": (("名詞-普通名詞",), "B"),
    "名詞C": (("名詞-普通名詞",), "C"),
    "サ変名詞": (("名詞-普通名詞-サ変可能", "名詞-普通名詞-サ変形状詞可能"), "notBC"),
    "形容動詞": (("形状詞-一般", "名詞-普通名詞-形状詞可能"), None),
    "固有名詞": (("名詞-固有名詞-一般",), None),
    "組織名": (("名詞-固有名詞-一般",), None),
    "人名": (("名詞-固有名詞-人名",), None),
    "地名": (("名詞-固有名詞-地名",), None),
    "副詞可能": (("名詞-普通名詞-副詞可能",), None),
    "ナイ形容": (("形状詞-タリ",), None),
    "数詞": (("名詞-数詞",), None),
    "動詞": (("動詞",), "notB"),
    "動詞B": (("動詞",), "B"),
    "形容詞": (("形容詞",), "notB"),
    "形容詞B": (("形容詞",), "B"),
    "形容詞（非自立）": (("形容詞",), None),
    "副詞": (("副詞",), "notB"),
    "副詞B": (("副詞",), "B"),
    "感動詞": (("感動詞",), None),
    "連体詞": (("連体詞",), None),
    "接続詞": (("接続詞",), None),
    "代名詞": (("代名詞",), None),
    "否定助動詞": (("助動詞",), "NEG"),
    "助動詞": (("助動詞",), None),
    "助詞": (("助詞",), None),
    "接頭詞": (("接頭辞",), None),
    "名詞接尾": (("接尾辞-名詞的",), None),
    "未知語": (("名詞-普通名詞-一般",), "OOV"),
    "タグ": ((), "USER"),
}

# ChaSen conjugation forms -> Sudachi 活用形 prefixes.
CHASEN_CONJ: dict[str, tuple[str, ...]] = {
    "基本形": ("終止形-一般", "連体形-一般"),
    "連用形": ("連用形-一般",),
    "連用タ接続": ("連用形-促音便", "連用形-撥音便", "連用形-イ音便", "連用形-ウ音便"),
    "連用テ接続": ("連用形-一般", "連用形-促音便", "連用形-撥音便", "連用形-イ音便"),
    "連用ゴザイ接続": ("連用形-ウ音便",),
    "未然形": ("未然形-一般",),
    "未然ウ接続": ("意志推量形",),
    "未然ヌ接続": ("未然形-一般",),
    "未然レル接続": ("未然形-一般", "未然形-サ"),
    "仮定形": ("仮定形-一般",),
    "仮定縮約１": ("仮定形-融合",),
    "命令ｅ": ("命令形",),
    "命令ｒｏ": ("命令形",),
    "命令ｙｏ": ("命令形",),
    "命令ｉ": ("命令形",),
    "体言接続": ("連体形-一般",),
    "体言接続特殊": ("連体形-撥音便", "連体形-省略"),
    "ガル接続": ("語幹-一般",),
    "文語基本形": ("終止形-文語", "連体形-文語"),
}


def pos_mask(vocab: pd.DataFrame, name: str, *, where: str = "", code: str = "", line: int = 0) -> np.ndarray:
    """Vocabulary rows whose part of speech is ``name`` (KH Coder or Sudachi)."""
    tags = vocab["pos"].astype(str)
    lemma = vocab["lemma"].astype(str)
    if name in KHCODER_POS:
        prefixes, cond = KHCODER_POS[name]
        mask = _prefix(tags, prefixes) if prefixes else np.ones(len(tags), dtype=bool)
        if cond is None:
            return mask
        hira = lemma.str.fullmatch(_HIRAGANA.pattern).to_numpy()
        one_kanji = (lemma.str.len() == 1).to_numpy() & lemma.str.fullmatch(_ONE_KANJI.pattern).to_numpy()
        if cond == "B":
            return mask & hira
        if cond == "C":
            return mask & one_kanji
        if cond == "notB":
            return mask & ~hira
        if cond == "notBC":
            return mask & ~hira & ~one_kanji
        if cond == "NEG":
            return mask & lemma.isin(["ない", "ぬ", "ず", "ん"]).to_numpy()
        if cond == "USER":
            return vocab["user"].to_numpy(dtype=bool)
        if cond == "OOV":
            # Unknown words are keyed by their surface; their reading is the surface.
            return mask & (vocab["reading"].astype(str) == lemma).to_numpy() & ~hira
    if name.split("-")[0] in ALL_POS:
        return _prefix(tags, (name,))
    known = ", ".join(KHCODER_POS)
    raise CodebookError(Errors.E311.format(where=where, line=line, code=code, pos=name, known=known))


def conj_mask(vocab: pd.DataFrame, name: str) -> np.ndarray:
    """Vocabulary rows in conjugation form ``name`` (ChaSen name or Sudachi form)."""
    forms = vocab["cform"].astype(str)
    prefixes = CHASEN_CONJ.get(name, (name,))
    return _prefix(forms, prefixes)


def _prefix(values: pd.Series, prefixes: tuple[str, ...]) -> np.ndarray:
    mask = np.zeros(len(values), dtype=bool)
    for p in prefixes:
        mask |= ((values == p) | values.str.startswith(p + "-")).to_numpy()
    return mask


# KH Coder (ChaSen) separates independent (自立) from dependent (非自立) uses
# of verbs and adjectives; Sudachi tags both "非自立可能" and leaves the
# decision to context. These names are therefore refined per token.
CONTEXT_POS = frozenset({"動詞", "動詞B", "形容詞", "形容詞B", "形容詞（非自立）", "否定助動詞"})
_DEPENDENT_AFTER = ("助動詞", "形容詞", "形状詞", "動詞", "接尾辞")


def independent_mask(tokens: Any) -> np.ndarray:
    """Per token: False for a 非自立可能 verb or adjective used dependently —
    after a verb, adjective, auxiliary or suffix (食べ-ない→ない is an
    auxiliary use, 面白く-ない, し-て-いる) or after the particle て/で —
    and True otherwise (問題-が-ない, こと-が-ある, に-なる)."""
    if "independent" in tokens.derived:
        return tokens.derived["independent"]
    pos = tokens.vocab["pos"].astype(str)
    lemma = tokens.vocab["lemma"].astype(str)
    flexible_v = pos.str.endswith("非自立可能").to_numpy() & pos.str.startswith(("動詞", "形容詞")).to_numpy()
    governs_v = (
        pos.str.startswith(_DEPENDENT_AFTER).to_numpy()
        | (pos.str.startswith("助詞-接続助詞") & lemma.isin(["て", "で"])).to_numpy()
    )
    # A focus particle in between does not change the use: で-は-ない and
    # 悪く-は-ない are auxiliary uses (ChaSen: 助動詞), 事-は-ない is not.
    focus_v = (
        pos.str.startswith(("助詞-係助詞", "助詞-副助詞")) & lemma.isin(["は", "も", "さえ", "こそ", "しか"])
    ).to_numpy()
    governs_over_focus_v = governs_v | (lemma == "で").to_numpy()
    w = tokens.word
    n = len(w)
    doc_start = np.zeros(n, dtype=bool)
    doc_start[tokens.doc_ptr[:-1][np.diff(tokens.doc_ptr) > 0]] = True
    prev_governs = np.zeros(n, dtype=bool)
    if n > 1:
        prev_governs[1:] = governs_v[w[:-1]] & ~doc_start[1:]
    if n > 2:
        over = np.zeros(n, dtype=bool)
        over[2:] = focus_v[w[1:-1]] & governs_over_focus_v[w[:-2]] & ~doc_start[2:] & ~doc_start[1:-1]
        prev_governs |= over
    out = ~(flexible_v[w] & prev_governs)
    tokens.derived["independent"] = out
    return out


def refine(tokens: Any, name: str, by_pos: np.ndarray, by_lemma: np.ndarray) -> np.ndarray:
    """Token mask for a context-dependent KH Coder POS ``name``.

    ``by_pos`` is the vocabulary-level match of the word with that POS,
    ``by_lemma`` the match of the word with any POS (both per token).
    """
    indep = independent_mask(tokens)
    tags = tokens.vocab["pos"].astype(str)
    is_adj = tags.str.startswith("形容詞").to_numpy()[tokens.word]
    if name in ("動詞", "動詞B", "形容詞", "形容詞B"):
        return by_pos & indep
    if name == "形容詞（非自立）":
        return by_lemma & is_adj & ~indep
    # 否定助動詞: Sudachi's auxiliary ない/ぬ/ん, and the adjective ない used
    # dependently (面白く-ない, で-ない), which ChaSen tags as an auxiliary.
    lemma = tokens.vocab["lemma"].astype(str).to_numpy()[tokens.word]
    return by_pos | (by_lemma & is_adj & ~indep & (lemma == "ない"))
