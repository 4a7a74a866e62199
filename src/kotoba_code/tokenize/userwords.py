"""User word lists: compound terms kept whole, and stop words.

Both come either as a Python list or as a plain UTF-8 text file with one word
per line, so a research team can keep them next to its codebook.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kotoba_code.errors import Errors, TokenizerError

# Frequent words of survey answers and interviews that say little about an
# answer's theme (docs/tokenization.md, "Stop words", lists them by kind).
# Matched on the dictionary form (lemma). Kept to grammar-like words: a word
# that can carry a theme (不足, 少ない, 連携) is never here. Pass your own list
# with stop_words=/--stop-words, or [] / --no-stop-words to keep every word.
DEFAULT_STOP_WORDS = frozenset(
    # Light verbs, formal nouns and particle-like words.
    "する ある いる なる おる れる られる せる させる こと もの よう ため ところ 等 など その他 方 的 その この "
    "ほう とき 時 わけ はず 際 上 中 点 他 ほか 場合 毎 側 前 後 "
    # Verbs of saying and thinking, and auxiliary-like and polite verbs.
    "思う 考える 行う いう 言う できる しまう くる いく もらう くれる よる 行く 来る くださる 下さる いただく 頂く "
    "おく みる 致す いたす 申す "
    # Pronouns and demonstratives.
    "これ それ あれ どれ ここ そこ あそこ どこ こちら そちら あちら どちら こっち そっち 私 我々 うち "
    "何 なに どう どの どんな いつ "
    # Counters and units of time: counted by any answer, themselves no theme.
    "回 年 月 日 件 名 人 度 個 つ 割 "
    # Adverbs, fillers and evaluative words that go with any theme.
    "特に とくに とても 非常 かなり 少し 大変 もう まだ また よく あまり ほとんど そう まあ ええ はい あの えー うーん "
    "多い よい いい "
    # The adjective ない and 「特になし」: negation is handled by coding rules, not as a keyword.
    "ない なし 無し".split()
)


def read_word_list(
    source: str | Path | Iterable[str] | None,
    *,
    with_pos: bool = False,
    default_pos: str = "",
) -> dict[str, str]:
    """Read a word list from a file path (str or Path) or an iterable of words.

    Words are NFKC-normalised (so ＨＷ and HW are one entry). In a file, blank
    lines and lines starting with ``#`` are skipped; with ``with_pos`` an
    optional tab-separated second field gives the part of speech.

    Returns a dict ``word -> pos`` (``default_pos`` where none is given).

    Examples
    --------
    >>> read_word_list(["自立相談支援機関", "ＨＷ"])
    {'自立相談支援機関': '', 'HW': ''}
    """
    if source is None:
        return {}
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenizerError(Errors.E203.format(path=path, line=0, reason=exc)) from exc
        items: list[tuple[int, str]] = list(enumerate(lines, start=1))
        origin: Any = path
    else:
        items = list(enumerate(source, start=1))
        origin = "<words>"
    out: dict[str, str] = {}
    for line_no, raw in items:
        if not isinstance(raw, str):
            raise TokenizerError(Errors.E203.format(path=origin, line=line_no, reason=f"not a string: {raw!r}"))
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, pos = line.partition("\t")
        word = unicodedata.normalize("NFKC", word.strip())
        if not word:
            continue
        if pos and not with_pos:
            raise TokenizerError(Errors.E203.format(path=origin, line=line_no, reason="expected one word per line"))
        out[word] = pos.strip() or default_pos
    return out


def read_synonyms(source: str | Path | Iterable[str] | dict[str, str] | None) -> dict[str, str]:
    """Read a synonym list (表記ゆれの統一): each line ``preferred,variant,variant …``.

    The first word of a line is the form counted; the others are folded into
    it in word counts, co-occurrence networks and keyness. Words are
    NFKC-normalised, so ＨＷ and HW are one entry; blank lines and lines
    starting with ``#`` are skipped. A mapping ``variant -> preferred`` is
    taken as it is.

    Returns a dict ``variant -> preferred`` (the preferred form maps to itself).

    Examples
    --------
    >>> read_synonyms(["ハローワーク,HW,ハロワ,ＨＷ"])
    {'ハローワーク': 'ハローワーク', 'HW': 'ハローワーク', 'ハロワ': 'ハローワーク'}
    """
    if source is None:
        return {}
    if isinstance(source, dict):
        return {unicodedata.normalize("NFKC", k): unicodedata.normalize("NFKC", v) for k, v in source.items()}
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenizerError(Errors.E513.format(path=path, line=0, reason=exc)) from exc
        origin: Any = path
    else:
        lines = list(source)
        origin = "<synonyms>"
    out: dict[str, str] = {}
    for line_no, raw in enumerate(lines, start=1):
        if not isinstance(raw, str):
            raise TokenizerError(Errors.E513.format(path=origin, line=line_no, reason=f"not a string: {raw!r}"))
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = [unicodedata.normalize("NFKC", w.strip()) for w in line.replace("\t", ",").split(",")]
        words = [w for w in words if w]
        if len(words) < 2:
            raise TokenizerError(Errors.E513.format(path=origin, line=line_no, reason="fewer than two words"))
        preferred = words[0]
        for w in words:
            if out.get(w, preferred) != preferred:
                raise TokenizerError(
                    Errors.E513.format(path=origin, line=line_no, reason=f"{w!r} is already a variant of {out[w]!r}")
                )
            out[w] = preferred
    return out
