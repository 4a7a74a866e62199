"""What the rule coder needs to know about words and variables of a corpus.

A rule word is matched as the tokens it splits into under the tokenizer
that made the corpus's tokens (so 自立相談支援機関 is one token only when
the user words say so), and ``<>name-->value`` reads a variable of the corpus
at the coded unit level. Both depend on the corpus, not on the codebook, so
they live here and not in :mod:`kotoba_code.codebook`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from kotoba_code.codebook.model import Codebook
from kotoba_code.codebook.rules import Variable
from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, KotobaWarning, Warnings
from kotoba_code.tokenize import SudachiTokenizer
from kotoba_code.tokenize.tokens import Tokens

if TYPE_CHECKING:
    from kotoba_code.coding.engine import UnitIndex


def split_word(word: str, tokens: Tokens) -> list[str]:
    """Lemmas of the tokens ``word`` splits into under the tokenizer that made ``tokens``.

    Examples
    --------
    >>> from kotoba_code import tokenize
    >>> tokens = tokenize(Corpus.from_texts(["連携"]), cache=False)
    >>> split_word("自立相談支援機関", tokens)
    ['自立', '相談', '支援', '機関']
    """
    return split_words([word], tokens)[word]


# How rule words split under each tokenizer setting (split mode, user words).
# It depends on nothing else, so it is kept for the process: a corpus coded
# in chunks (one token store each) tokenizes the rule words once, not once per
# chunk (that cost about 0.2 s a chunk for the shipped codebook).
_SPLITS: dict[tuple[str, tuple[str, ...]], dict[str, list[str]]] = {}
_SPLIT_SETTINGS_KEPT = 8


def split_words(words: Iterable[str], tokens: Tokens) -> dict[str, list[str]]:
    """:func:`split_word` for many words, tokenized in one call. The answers
    depend only on the tokenizer settings of ``tokens``, and are kept for the
    process, so a re-loaded, edited codebook or the next chunk of a corpus
    reuses them."""
    key = tokens.derived.get("split_key")
    if key is None:
        # Made once per token store: the rules ask for thousands of words.
        st = tokens.settings
        key = tokens.derived["split_key"] = (st.get("split_mode", "C"), tuple(w for w, _ in st.get("user_words", [])))
    mode, user_words = key
    if key not in _SPLITS and len(_SPLITS) >= _SPLIT_SETTINGS_KEPT:
        _SPLITS.pop(next(iter(_SPLITS)))
    memo = _SPLITS.setdefault(key, {})
    words = list(dict.fromkeys(words))
    missing = [w for w in words if w not in memo]
    if missing:
        splitter = SudachiTokenizer(split_mode=mode, user_words=list(user_words))
        toks = splitter.tokenize(Corpus.from_texts(missing))
        for i, w in enumerate(missing):
            memo[w] = [t.lemma for t in toks.doc(i) if not t.pos.startswith("空白")]
    return {w: memo[w] for w in words}


def variable_values(codebook: Codebook, index: UnitIndex, node: Variable, code: str) -> np.ndarray:
    """Truth of ``<>name-->value`` per unit. A variable the corpus lacks is
    false everywhere, with a warning unless the codebook lists it in
    ``optional_variables``: a shipped codebook may use metadata (the survey
    question, say) that many corpora do not have."""
    try:
        values = index.tokens.corpus.unit_variable(node.name, index.level, code=code)
    except CorpusReadError as exc:
        if node.name in codebook.optional_variables:
            return np.zeros(index.n, dtype=bool)
        warnings.warn(
            Warnings.W301.format(where=codebook.source, code=code, msg=f"{exc} The condition is false."),
            KotobaWarning,
            stacklevel=2,
        )
        return np.zeros(index.n, dtype=bool)
    if node.value is None:
        return np.asarray([bool(str(v).strip()) for v in values])
    return np.asarray([str(v) == node.value for v in values])
