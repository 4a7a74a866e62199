"""Negation scope on the Sudachi token stream (no parser needed).

A content word is *negated* when a negator closes its clause:
「不足していない」「温度差はない」「特に問題はありません」「情報共有ができていない」.
The scope runs back from the negator to the previous clause boundary
(sentence end, line break, comma, bullet, or a clause-linking particle such as
が/けど/ので). Negators: the auxiliaries ない/ぬ/ず (ません → ぬ), the
adjective ない/無い and the noun なし/無し. A negator that opens a condition or
obligation (しなければ/しないと/しなくては) does not negate, nor does one in
a question (ないか).

GiNZA's dependency parse would give finer scopes but runs about 500 times
slower here; coding must stay fast on 100,000 answers.
"""

from __future__ import annotations

import numpy as np

from kotoba_code.tokenize.tokens import Tokens

NEGATOR_LEMMAS = frozenset({"ない", "無い", "ぬ", "ず", "なし", "無し"})
# Clause-linking particles (接続助詞) that start a new clause; て is not one of
# them because it links inside a predicate (し-て-い-ない).
_BOUNDARY_PARTICLES = frozenset(
    {"が", "けど", "けれど", "けれども", "ものの", "のに", "し", "ので", "から", "ながら", "つつ"}
)
_CONDITIONAL_NEXT = frozenset({"ば", "と", "ては", "て", "か"})


def negation_mask(tokens: Tokens) -> np.ndarray:
    """Boolean per token: True where the token lies in a negated clause.

    Negators themselves are not marked. The mask is computed once per token
    store and shared by every code.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> t = tokenize(Corpus.from_texts(["温度差はないが、情報共有が不足している"]), cache=False)
    >>> [x.surface for x, neg in zip(t.doc(0), negation_mask(t)) if neg]
    ['温度', '差', 'は']
    """
    v = tokens.vocab
    lemma = v["lemma"].astype(str)
    pos = v["pos"].astype(str)
    is_neg_v = (
        lemma.isin(NEGATOR_LEMMAS).to_numpy()
        & (pos.str.startswith(("助動詞", "形容詞")) | pos.str.startswith("名詞")).to_numpy()
    )
    is_boundary_v = (
        pos.str.startswith(("補助記号-句点", "補助記号-読点", "補助記号-括弧", "空白"))
        | (pos.str.startswith("補助記号") & lemma.isin(["・", "-", "※", "●", "○", "■", "□", "◆", "◇"]))
        | (pos.str.startswith("助詞-接続助詞") & lemma.isin(_BOUNDARY_PARTICLES))
    ).to_numpy()
    cond_next_v = (lemma.isin(_CONDITIONAL_NEXT) & pos.str.startswith("助詞")).to_numpy()

    w = tokens.word
    n = len(w)
    is_neg = is_neg_v[w]
    is_boundary = is_boundary_v[w]
    # Document starts are boundaries too.
    starts = tokens.doc_ptr[:-1][np.diff(tokens.doc_ptr) > 0]
    is_boundary_or_start = is_boundary.copy()
    # A negator followed (in the same document) by a conditional particle is not a negation.
    nxt = np.zeros(n, dtype=bool)
    if n > 1:
        nxt[:-1] = cond_next_v[w[1:]]
        last = tokens.doc_ptr[1:][np.diff(tokens.doc_ptr) > 0] - 1
        nxt[last] = False
    # しなければならない: the conditional negator closes a clause, so the
    # final ない negates only なら, not the verb before the obligation.
    is_boundary_or_start |= is_neg & nxt
    is_neg &= ~nxt

    # Clause id: increments at every boundary and document start.
    marks = is_boundary_or_start.astype(np.int64)
    marks[starts] = 1
    clause = np.cumsum(marks)
    neg_pos = np.flatnonzero(is_neg)
    if len(neg_pos) == 0:
        return np.zeros(n, dtype=bool)
    # For each token, the next negator position; negated if it is in the same clause.
    idx = np.arange(n)
    k = np.searchsorted(neg_pos, idx, side="right")
    has_next = k < len(neg_pos)
    nxt_neg = neg_pos[np.minimum(k, len(neg_pos) - 1)]
    out = has_next & (clause[nxt_neg] == clause) & ~is_neg & ~is_boundary_or_start
    return out
