"""Language of output meant for people, and the number formats of Japanese reports.

Tables, charts, the synthesis and networks drawn for a report use Japanese
headings by default; ``set_language("en")`` (or ``--lang en`` on the command
line) switches them to English. Machine-readable outputs (CSV columns of the
``code`` table and the synthesis, GraphML attributes) never change with it.

Numbers follow what a Japanese 報告書 prints: p-values rounded, with
significance marks (``*`` p < .05, ``**`` p < .01), percentages with one
decimal.
"""

from __future__ import annotations

import math

from kotoba_code.errors import AnalysisError, Errors

LANGUAGES = ("ja", "en")
_setting = {"lang": "ja"}

# Headings, axis titles and phrases, by key. Values may hold {placeholders}.
TEXTS: dict[str, dict[str, str]] = {
    "synthesis_title": {"ja": "グループ間で共通するテーマ", "en": "Themes shared across groups"},
    "shared": {"ja": "共通", "en": "shared by all groups"},
    "shared_some": {"ja": "共通（{k} 群以上）", "en": "shared by at least {k} groups"},
    "not_shared": {"ja": "共通ではない", "en": "not shared"},
    "share_of_units": {"ja": "言及率", "en": "Share of units"},
    "linked_themes": {"ja": "関連するテーマ", "en": "Linked themes"},
    "keywords": {"ja": "特徴語", "en": "Keywords"},
    "quotes": {"ja": "代表的な回答", "en": "Representative answers"},
    "rule_all": {
        "ja": "共通の基準: すべてのグループ（{n} 群）で、各グループの{unit}の {pct} 以上が"
        "言及しているテーマを「共通」とする。",
        "en": "Sharing rule: a theme is shared when every group ({n}) mentions it in at least {pct} of its {unit}s.",
    },
    "rule_k": {
        "ja": "共通の基準: {n} 群のうち {k} 群以上で、各グループの{unit}の {pct} 以上が"
        "言及しているテーマを「共通」とする。",
        "en": "Sharing rule: a theme is shared when at least {k} of the {n} groups mention it in at least {pct} "
        "of their {unit}s.",
    },
    "method_note": {
        "ja": "言及率はグループ内の{unit}のうちそのテーマがコーディングされた割合。"
        "特徴語はテーマのある{unit}とない{unit}を比べた対数尤度比（G²）の上位語（機能語・ストップワードを除く）。代表的な回答は、そのテーマの根拠"
        "（一致した語の種類数）が最も多く、他のテーマの方がよく当てはまる回答を除いたもの。",
        "en": "Share: the proportion of the group's {unit}s coded with the theme. Keywords: the words with the largest "
        "log-likelihood (G²) between {unit}s with and without the theme, function words and stop words left out. "
        "Representative answers: those with the most evidence for the theme (distinct terms matched), leaving out "
        "answers that fit another theme better.",
    },
    "n_units": {"ja": "N", "en": "N"},
    "axis_percent": {"ja": "該当する回答の割合（%）", "en": "% of units"},
    "residual": {"ja": "調整済み残差", "en": "Adjusted residual"},
    "freq_title": {
        "ja": "グループ別のテーマの出現率\n（円の大きさ: 割合、色: 調整済み残差）",
        "en": "Themes by group\n(size: share, colour: adjusted residual)",
    },
    "network_title": {
        "ja": "共起ネットワーク（{measure}、ノード {nodes}、エッジ {edges}）",
        "en": "Co-occurrence network ({measure}, {nodes} nodes, {edges} edges)",
    },
    "network_title_groups": {
        "ja": "語とグループの共起ネットワーク（{measure}、ノード {nodes}、エッジ {edges}）",
        "en": "Words × groups network ({measure}, {nodes} nodes, {edges} edges)",
    },
    "network_html_title": {"ja": "共起ネットワーク", "en": "Co-occurrence network"},
    "measure:jaccard": {"ja": "Jaccard係数", "en": "Jaccard"},
    "measure:dice": {"ja": "Dice係数", "en": "Dice"},
    "measure:simpson": {"ja": "Simpson係数", "en": "Simpson"},
    "measure:cosine": {"ja": "コサイン係数", "en": "cosine"},
    "measure:pmi": {"ja": "PMI", "en": "PMI"},
    "measure:npmi": {"ja": "NPMI", "en": "NPMI"},
    "measure:loglik": {"ja": "対数尤度比", "en": "log-likelihood"},
    "legend_group": {"ja": "グループ", "en": "group"},
    "legend_target": {"ja": "検索した語・コード", "en": "term searched for"},
    "legend_shared_word": {"ja": "複数のグループと結びつく語", "en": "word linked to several groups"},
    "legend_word": {"ja": "一つのグループと結びつく語", "en": "word linked to one group"},
    "legend_community": {"ja": "サブグラフ {k}", "en": "community {k}"},
    "legend_community_other": {"ja": "その他のサブグラフ", "en": "other communities"},
    "legend_edge": {"ja": "線の太さ: {measure} {w:.2f}", "en": "edge width: {measure} {w:.2f}"},
    "legend_size": {"ja": "円の大きさ: 出現数", "en": "node size: frequency"},
    "demo_title": {
        "ja": "{path}: 回答 {n:,} 件、トークン {tokens:,} 個（{sec:.2f} 秒）",
        "en": "{path}: {n:,} answers, {tokens:,} tokens ({sec:.2f} s)",
    },
    "demo_groups": {"ja": "グループ別の回答数", "en": "Answers per group"},
    "demo_themes": {
        "ja": "グループ別のテーマ（コードブック {name}: コードのある回答数、グループ内の割合、カイ2乗検定）",
        "en": "Themes by group (codebook {name}: units with the code, % of the group, chi-square)",
    },
    "demo_words": {
        "ja": "グループ別の上位 {top} 語（語と、その語を含む回答数。ユーザー辞書 {user}、同義語 synonyms.txt、"
        "既定のストップワードを適用）",
        "en": "Top {top} words per group (word, answers containing it; user words {user}, synonyms synonyms.txt, "
        "default stop words)",
    },
    "demo_transcripts": {
        "ja": "ヒアリング記録: {files} ファイル、発言 {turns:,} 件、トークン {tokens:,} 個",
        "en": "Transcripts: {files} files, {turns:,} speaker turns, {tokens:,} tokens",
    },
    "unit:document": {"ja": "回答", "en": "answer"},
    "unit:paragraph": {"ja": "段落", "en": "paragraph"},
    "unit:sentence": {"ja": "文", "en": "sentence"},
    "unit:other": {"ja": "単位", "en": "unit"},
}


def set_language(lang: str) -> None:
    """Set the language of output for people for this process (``"ja"`` or ``"en"``).

    Examples
    --------
    >>> set_language("en"); get_language()
    'en'
    >>> set_language("ja"); get_language()
    'ja'
    """
    _setting["lang"] = check_language(lang)


def get_language() -> str:
    """The language set with :func:`set_language` (default ``"ja"``)."""
    return _setting["lang"]


def check_language(lang: str | None) -> str:
    """``lang``, or the library setting when None; raises E511 for an unknown language.

    Examples
    --------
    >>> check_language(None) in LANGUAGES, check_language("en")
    (True, 'en')
    """
    if lang is None:
        return _setting["lang"]
    if lang not in LANGUAGES:
        raise AnalysisError(Errors.E511.format(lang=lang, known=", ".join(LANGUAGES)))
    return lang


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` in ``lang`` (default: the library setting), formatted with ``values``.

    Examples
    --------
    >>> t("keywords", "ja"), t("keywords", "en")
    ('特徴語', 'Keywords')
    """
    text = TEXTS[key][check_language(lang)]
    return text.format(**values) if values else text


def unit_name(unit: str, lang: str | None = None) -> str:
    """What one unit is called in a sentence (回答, 段落, 文 …).

    Examples
    --------
    >>> unit_name("document", "ja"), unit_name("h2", "en")
    ('回答', 'unit')
    """
    key = f"unit:{unit}" if f"unit:{unit}" in TEXTS else "unit:other"
    return t(key, lang)


def significance_mark(p: float) -> str:
    """``**`` for p < .01, ``*`` for p < .05, else an empty string.

    Examples
    --------
    >>> significance_mark(0.004), significance_mark(0.03), significance_mark(0.2)
    ('**', '*', '')
    """
    if p is None or not math.isfinite(p):
        return ""
    return "**" if p < 0.01 else "*" if p < 0.05 else ""


def format_p(p: float) -> str:
    """A p-value as a Japanese report prints it: three decimals, ``<.001`` below, with its mark.

    Examples
    --------
    >>> format_p(4.057512136664182e-06), format_p(0.0312), format_p(0.41), format_p(0.0099)
    ('<.001**', '.031*', '.410', '.0099**')
    """
    if p is None or not math.isfinite(p):
        return ""
    text = "<.001" if p < 0.001 else f"{p:.3f}"
    if p >= 0.001 and significance_mark(float(text)) != significance_mark(p):
        # Rounding would cross .01 or .05 (.0099 → .010): one more decimal,
        # so that the number agrees with its mark.
        text = f"{p:.4f}"
    return text.lstrip("0") + significance_mark(p)


def format_percent(share: float) -> str:
    """A share (0–1) as a percentage with one decimal.

    Examples
    --------
    >>> format_percent(0.12345), format_percent(1.0)
    ('12.3%', '100.0%')
    """
    if share is None or not math.isfinite(share):
        return ""
    return f"{100 * share:.1f}%"
