"""Lint a codebook against a corpus: rule words that are not one token under
its tokenizer, or never occur in it (KH Coder users lose hours to rules that
silently match nothing)."""

from __future__ import annotations

import fnmatch
import re

import pandas as pd

from kotoba_code.codebook.model import Codebook, LintWarning
from kotoba_code.codebook.rules import Word
from kotoba_code.coding.words import split_words
from kotoba_code.tokenize.tokens import Tokens

# How each kind of warning is headed and explained, in the order reported.
LINT_KINDS = {
    "split": ("not one token", "matched as the phrase of their tokens; add them to user_words to keep them whole"),
    "unseen": ("never occur in the corpus", "they match nothing"),
}


def lint_codebook(codebook: Codebook, tokens: Tokens) -> list[LintWarning]:
    """Rule words that are not one token under the tokenizer of ``tokens``
    or never occur in its corpus, one :class:`LintWarning` per word and
    place (see :meth:`Codebook.lint <kotoba_code.codebook.Codebook.lint>`).

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> cb = Codebook.from_dict({"codes": [{"id": "a", "rule": "自立相談支援機関 | 職安"}]})
    >>> [w.kind for w in lint_codebook(cb, tokenize(Corpus.from_texts(["連携"]), cache=False))]
    ['split', 'unseen']
    """
    lemmas = set(tokens.vocab["lemma"].astype(str)) | set(tokens.vocab["norm"].astype(str))
    # (word, code, list, line) -> sort key (line and order of the place, line
    # of the word, order found): a list word is keyed by its list alone.
    places: dict[tuple[str, str, str, int], tuple[int, int, int, int]] = {}
    place_order: dict[tuple[str, str], int] = {}
    used_by: dict[str, dict[str, None]] = {}
    for c in codebook.codes:
        if c.ast is None:
            continue
        for w, name in codebook._rule_words(c):
            if name:
                used_by.setdefault(name, {})[c.id] = None
                line = codebook.synonym_lines.get(name, 0)
                key = (w.lemma, "", name, line)
                place, place_line, word_line = ("list", name), line, line
            else:
                key = (w.lemma, c.id, "", w.line)
                place, place_line, word_line = ("code", c.id), c.line, w.line
            if key not in places:
                order = place_order.setdefault(place, len(place_order))
                places[key] = (place_line, order, word_line, len(places))
    splits = split_words([word for word, *_ in places if word not in lemmas and not Word(word).is_glob], tokens)
    out: list[tuple[tuple[int, int, int, int], LintWarning]] = []
    for (word, code, name, line), order in places.items():
        pieces: list[str] = []
        if Word(word).is_glob:
            # As the engine matches globs: fnmatch's pattern cannot backtrack
            # without limit on a word like *a*a*a*…*b from someone else.
            rx = re.compile(fnmatch.translate(word))
            if any(rx.match(x) for x in lemmas):
                continue
            kind = "unseen"
        elif word in lemmas:
            continue
        else:
            pieces = splits[word]
            kind = "split" if len(pieces) > 1 else "unseen"
        warning = LintWarning(
            file=codebook.source,
            line=line,
            word=word,
            kind=kind,
            code=code,
            synonym_list=name,
            pieces=tuple(pieces) if kind == "split" else (),
            used_by=tuple(used_by.get(name, ())),
        )
        out.append((order, warning))
    return [w for _, w in sorted(out, key=lambda x: x[0])]


def lint_summary(codebook: Codebook, problems: list[LintWarning]) -> pd.DataFrame:
    """One row per code or synonym list with warnings: ``place`` (code id or
    ``$list``), ``line`` and a count per kind of :data:`LINT_KINDS`, in the
    order the places first appear.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> cb = Codebook.from_dict({"codes": [{"id": "a", "rule": "自立相談支援機関 | 職安"}]})
    >>> lint_summary(cb, lint_codebook(cb, tokenize(Corpus.from_texts(["連携"]), cache=False))).values.tolist()
    [['a', 0, 1, 1]]
    """
    rows: dict[tuple[str, int], dict[str, int]] = {}
    for w in problems:
        place = (f"${w.synonym_list}", w.line) if w.synonym_list else (w.code, codebook[w.code].line)
        counts = rows.setdefault(place, dict.fromkeys(LINT_KINDS, 0))
        counts[w.kind] += 1
    return pd.DataFrame(
        [{"place": where, "line": line, **counts} for (where, line), counts in rows.items()],
        columns=["place", "line", *LINT_KINDS],
    )
