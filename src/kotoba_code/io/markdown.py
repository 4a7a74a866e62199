"""Markdown for people: tables and the synthesis, with respondents' text escaped."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from kotoba_code.i18n import check_language, format_p, format_percent, t, unit_name


def escape_markdown(value: object, *, block: bool = True) -> str:
    r"""``value`` as inline Markdown text that renders as the characters typed.

    Respondents' answers, group names and code labels are untrusted: on a
    renderer that allows HTML (GitHub, most wikis, VS Code) a raw ``<script>``
    or ``<img onerror=…>`` would be live, and ``|``, ``*``, ``[…](…)`` or a
    leading ``#`` would change the layout. So ``&``, ``<`` and ``>`` become
    entities, the punctuation that opens inline markup is backslash-escaped,
    and line breaks become spaces. With ``block`` (the value may start a line,
    as in a list item) a leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is
    escaped too, so a value never opens a heading or a list of its own.

    Examples
    --------
    >>> print(escape_markdown("<script>alert(1)</script> & *強調*"))
    &lt;script&gt;alert(1)&lt;/script&gt; &amp; \*強調\*
    >>> print(escape_markdown("# 見出し\n| 表 | [link](javascript:x)"))
    \# 見出し \| 表 \| \[link\](javascript:x)
    >>> print(escape_markdown("1. 番号"), escape_markdown("-2", block=False), escape_markdown("2026-12"))
    1\. 番号 -2 2026-12
    >>> print(escape_markdown("- 項目"), escape_markdown("engagement_gap"), escape_markdown("_強調_"))
    \- 項目 engagement_gap \_強調\_
    """
    text = " ".join(str(value).split())
    text = html.escape(text, quote=False)
    text = _MD_INLINE.sub(r"\\\g<0>", text)
    return _MD_LEADING.sub(r"\g<0>\\", text, count=1) if block else text


def markdown_code(value: object) -> str:
    """``value`` as an inline code span, fenced with more backticks than it contains.

    Examples
    --------
    >>> print(markdown_code("gap"), markdown_code("a`b"), markdown_code("<b>"))
    `gap` ``a`b`` `<b>`
    """
    text = " ".join(str(value).split())
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# What opens inline markup: backslash, code, emphasis, links and images,
# table cells, strikethrough. An underscore inside a word (engagement_gap)
# opens nothing and stays as it is.
_MD_INLINE = re.compile(r"[\\`*\[\]|~]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# What opens a block at the start of a line: heading, list, setext underline.
_MD_LEADING = re.compile(r"^(?:\d+(?=[.)])|(?=[#+\-=]))")


def to_markdown(df: pd.DataFrame) -> str:
    r"""A GitHub-style Markdown table; text cells are escaped with :func:`escape_markdown`.

    Examples
    --------
    >>> print(to_markdown(pd.DataFrame({"word": ["a|b", "<b>"], "n": [1, -2]})), end="")
    | word | n |
    | --- | --- |
    | a\|b | 1 |
    | &lt;b&gt; | -2 |
    """

    def cell(v: object) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, (int, float, np.number)):
            return str(v)
        return escape_markdown(v, block=False)

    cols = [cell(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(" --- " for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


# Column headings of tables for people, by language; machine-readable files
# (CSV, Parquet, JSONL) keep the column names as they are.
_HEADINGS = {
    "ja": {
        "word": "語",
        "pos": "品詞",
        "count": "出現数",
        "docs": "文書数",
        "rank": "順位",
        "code": "コード",
        "label": "コード名",
        "percent": "割合(%)",
        "group": "グループ",
        "term": "語",
        "target": "該当数",
        "reference": "他群の該当数",
        "n_target": "N",
        "n_reference": "他群のN",
        "share_target": "割合",
        "share_reference": "他群の割合",
        "score": "スコア",
        "p": "p値",
        "effect": "効果量(log2)",
        "chi2": "χ²",
        "dof": "自由度",
        "keyword": "キーワード",
        "topic": "トピック",
        "share": "割合",
        "units": "文書数",
        "cooccur": "共起文書数",
        "p_word": "P(語)",
        "p_word_given_target": "P(語|検索語)",
        "p_target_given_word": "P(検索語|語)",
        "jaccard": "Jaccard",
        "lift": "リフト",
        "hits": "一致数",
        "matched": "一致した語",
        "text": "本文",
        "marked": "該当箇所",
        "documents": "文書数",
        "coherence": "コヒーレンス",
        "top_words": "上位語",
        "left": "左文脈",
        "right": "右文脈",
        "id": "ID",
    },
    "en": {},
}
_PREFIXED = {
    "ja": {
        "n:": "{g} N",
        "count:": "{g} 件数",
        "percent:": "{g} 割合(%)",
        "resid:": "{g} 調整済み残差",
        "share:": "{g} 割合",
    },
    "en": {
        "n:": "{g} N",
        "count:": "{g} count",
        "percent:": "{g} %",
        "resid:": "{g} adj. residual",
        "share:": "{g} share",
    },
}


def people_table(df: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """A table as a report prints it: headings in Japanese (or English),
    p-values rounded with significance marks, shares and percentages with one
    decimal, code labels instead of code ids where both are present.

    Examples
    --------
    >>> t = pd.DataFrame({"code": ["gap"], "label": ["温度差"], "n:A": [10], "percent:A": [12.345],
    ...                   "chi2": [16.98765], "p": [4.057512136664182e-06]})
    >>> people_table(t, lang="ja").to_dict(orient="records")
    [{'コード名': '温度差', 'A N': 10, 'A 割合(%)': '12.3', 'χ²': '16.99', 'p値': '<.001**'}]
    """
    lang = check_language(lang)
    out = df.copy()
    if "code" in out.columns and "label" in out.columns:
        out = out.drop(columns="code")
    for col in out.columns:
        name = str(col)
        values = out[col]
        if not pd.api.types.is_numeric_dtype(values):
            continue
        if name == "p":
            out[col] = [format_p(float(v)) for v in values]
        elif name == "percent" or name.startswith("percent:"):
            out[col] = [f"{float(v):.1f}" if v == v else "" for v in values]
        elif name.startswith("share") or name in ("share_target", "share_reference"):
            out[col] = [format_percent(float(v)) for v in values]
        elif name in ("chi2", "score", "effect") or name.startswith("resid:"):
            out[col] = [f"{float(v):.2f}" if v == v else "" for v in values]
    names = {}
    for col in out.columns:
        name = str(col)
        prefix = next((p for p in _PREFIXED[lang] if name.startswith(p)), None)
        if prefix is not None:
            names[col] = _PREFIXED[lang][prefix].format(g=name[len(prefix) :])
        else:
            names[col] = _HEADINGS[lang].get(name, name)
    return out.rename(columns=names)


def synthesis_markdown(table: pd.DataFrame, *, title: str | None = None, lang: str | None = None) -> str:
    r"""The synthesis as a Markdown report in Japanese (or English): one section per theme.

    The report states the sharing rule (``table.attrs["rule"]`` from
    :func:`~kotoba_code.analysis.synthesis.synthesize`) and the N of each
    group, gives shares with one decimal, and quotes each answer with its
    group and respondent id so that it can be cited. Headings are plain
    Markdown lists and paragraphs, which pandoc turns into a ``.docx`` as they are.

    Labels, group names, keywords and quoted answers are respondents' and
    colleagues' text: they are escaped (:func:`escape_markdown`), so raw HTML
    such as ``<script>`` shows as text on renderers that allow HTML, and a
    ``#``, ``|`` or ``*`` in an answer cannot change the layout.

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["gap"], "label": ["温度差"], "shared": [1], "share:A": [0.5],
    ...                   "linked": [""], "keywords": ["温度差"], "examples": ["A [7]: <script>x()</script>"]})
    >>> print(synthesis_markdown(t, lang="ja"))
    # グループ間で共通するテーマ
    <BLANKLINE>
    ## 温度差（`gap`）: 共通
    <BLANKLINE>
    - 言及率: A 50.0%
    - 特徴語: 温度差
    - 代表的な回答:
      - 「&lt;script&gt;x()&lt;/script&gt;」（A、ID 7）
    <BLANKLINE>
    """
    lang = check_language(lang)
    esc, code = escape_markdown, markdown_code
    share_cols = [c for c in table.columns if c.startswith("share:")]
    # Examples are "group [id]: text" joined by " / "; split only where a
    # group's quote starts, so an answer that itself contains " / " stays whole.
    groups = "|".join(re.escape(c[6:]) for c in sorted(share_cols, key=len, reverse=True))
    splitter = re.compile(rf" / (?=(?:{groups}) \[)") if groups else re.compile(" / ")
    quote = re.compile(r"^(?P<group>.*?) \[(?P<id>[^\]]*)\]: (?P<text>.*)$", re.S)
    attrs = table.attrs
    lines = [f"# {esc(title if title is not None else t('synthesis_title', lang))}", ""]
    sizes = attrs.get("group_sizes") or {}
    if sizes:
        n_text = (
            "、".join(f"{esc(g)} N={n:,}" for g, n in sizes.items())
            if lang == "ja"
            else ", ".join(f"{esc(g)} N={n:,}" for g, n in sizes.items())
        )
        lines += [n_text, ""]
    if attrs.get("rule"):
        lines += [esc(attrs["rule"]), ""]
        unit = unit_name(attrs.get("unit", "document"), lang)
        lines += [esc(t("method_note", lang, unit=unit)), ""]
    labels = dict(zip(table["theme"], table["label"], strict=True))
    sep = "、" if lang == "ja" else ", "
    colon = ": "
    for r in table.to_dict(orient="records"):
        shares = sep.join(f"{esc(c[6:])} {format_percent(r[c])}" for c in share_cols)
        mark = t("shared" if r["shared"] else "not_shared", lang)
        head = f"{esc(r['label'])}（{code(r['theme'])}）" if lang == "ja" else f"{esc(r['label'])} ({code(r['theme'])})"
        lines += [f"## {head}{colon}{mark}", "", f"- {t('share_of_units', lang)}{colon}{shares}"]
        if r["linked"]:
            linked = sep.join(esc(labels.get(x, x)) for x in r["linked"].split(";"))
            lines.append(f"- {t('linked_themes', lang)}{colon}{linked}")
        if r["keywords"]:
            lines.append(f"- {t('keywords', lang)}{colon}{'、'.join(esc(k) for k in r['keywords'].split(';'))}")
        if r["examples"]:
            lines.append(f"- {t('quotes', lang)}{colon}".rstrip())
            for ex in splitter.split(r["examples"]):
                mt = quote.match(ex)
                if mt is None:
                    lines.append(f"  - {esc(ex)}")
                else:
                    text, group, rid = (esc(mt[k], block=False) for k in ("text", "group", "id"))
                    cited = f"「{text}」（{group}、ID {rid}）" if lang == "ja" else f'"{text}" ({group}, ID {rid})'
                    lines.append(f"  - {cited}")
        lines.append("")
    return "\n".join(lines)
