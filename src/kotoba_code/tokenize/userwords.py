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

# Frequent words that say little about an answer's theme. Matched on the
# dictionary form. Kept short on purpose: a researcher should see most words.
DEFAULT_STOP_WORDS = frozenset(
    # Light verbs, formal nouns and particles-like words.
    "する ある いる なる おる れる られる せる させる こと もの よう ため ところ 等 など その他 方 的 その この "
    # Verbs of saying and thinking, and auxiliary-like verbs.
    "思う 考える 行う いう 言う できる しまう くる いく もらう くれる "
    # The adjective ない: negation is handled by coding rules, not as a keyword.
    "ない".split()
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
