"""Negation scope on the Sudachi token stream (no parser needed).

A content word is *negated* when a negator closes its clause:
「不足していない」「温度差はない」「特に問題はありません」「情報共有ができていない」.
The scope runs back from the negator to the previous clause boundary
(sentence end, line break, comma, bullet, or a clause-linking particle such as
が/けど/ので, also ので read as の + だ). Negators: the auxiliaries ない/ぬ/ず (ません → ぬ), the
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
# ない after these is not a negation: かもしれない (maybe), に違いない (surely).
_EPISTEMIC_BEFORE = frozenset({"知れる", "しれる", "違い"})
# …ないといけない / …ないとならない: obligation, not negation.
_OBLIGATION_AFTER_TO = frozenset({"いける", "なる", "だめ", "駄目", "まずい"})


def negation_mask(tokens: Tokens) -> np.ndarray:
    """Boolean per token: True where the token lies in a negated clause.

    A token is negated when an odd number of negators follow it in its
    clause, so double negations cancel (温度差がないとは言えない, 感じなくも
    ない). Not negators: ない in かもしれない and に違いない; a negator opening
    a condition or obligation (しなければ, しなくては, しないといけない), or a
    question (ないか); such a negator also ends the clause. A negator in its
    continuative form followed by more predicate (ノウハウがなく対応できない)
    ends its clause, so the second negation is separate. Negators themselves
    are not marked. Computed once per token store and shared by every code.

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
    cform = v["cform"].astype(str)
    is_neg_v = lemma.isin(NEGATOR_LEMMAS).to_numpy() & pos.str.startswith(("助動詞", "形容詞", "名詞")).to_numpy()
    is_boundary_v = (
        pos.str.startswith(("補助記号-句点", "補助記号-読点", "補助記号-括弧", "空白"))
        | (pos.str.startswith("補助記号") & lemma.isin(["・", "-", "※", "●", "○", "■", "□", "◆", "◇"]))
        | (pos.str.startswith("助詞-接続助詞") & lemma.isin(_BOUNDARY_PARTICLES))
    ).to_numpy()
    particle = pos.str.startswith("助詞").to_numpy()
    juntai_v = pos.str.startswith("助詞-準体助詞").to_numpy()
    lem = lemma.to_numpy(dtype=object)
    renyo_v = cform.str.startswith("連用形").to_numpy()

    w = tokens.word
    n = len(w)
    if n == 0:
        return np.zeros(0, dtype=bool)
    doc_start = np.zeros(n, dtype=bool)
    doc_start[tokens.doc_ptr[:-1][np.diff(tokens.doc_ptr) > 0]] = True
    doc_end = np.zeros(n, dtype=bool)
    doc_end[tokens.doc_ptr[1:][np.diff(tokens.doc_ptr) > 0] - 1] = True

    def shifted(values: np.ndarray, k: int, fill: object) -> np.ndarray:
        """values[i + k] within the same document, else ``fill``."""
        out = np.full(n, fill, dtype=values.dtype)
        if k > 0 and n > k:
            out[:-k] = values[k:]
            # Do not look past the end of a document.
            cut = np.zeros(n, dtype=bool)
            for j in range(k):
                cut |= np.roll(doc_end, -j) if j else doc_end
            out[cut] = fill
        elif k < 0 and n > -k:
            out[-k:] = values[:k]
            cut = np.zeros(n, dtype=bool)
            for j in range(-k):
                cut |= np.roll(doc_start, j) if j else doc_start
            out[cut] = fill
        return out

    tok_lemma = lem[w]
    tok_particle = particle[w]
    nxt1 = shifted(tok_lemma, 1, "")
    nxt2 = shifted(tok_lemma, 2, "")
    nxt1_particle = shifted(tok_particle, 1, False)
    prev1 = shifted(tok_lemma, -1, "")

    is_neg = is_neg_v[w] & ~np.isin(prev1, list(_EPISTEMIC_BEFORE))
    conditional = (
        is_neg
        & nxt1_particle
        & (
            (nxt1 == "ば")
            | (nxt1 == "か")
            | ((nxt1 == "て") & np.isin(nxt2, ["は", "も"]))
            | ((nxt1 == "と") & np.isin(nxt2, list(_OBLIGATION_AFTER_TO)))
        )
    )
    # しなければならない: the conditional negator closes a clause, so the
    # final ない negates only なら, not the verb before the obligation.
    starts_clause = is_boundary_v[w] | doc_start
    starts_clause[1:] |= conditional[:-1]
    # ノウハウがなく対応できない: なく ends its own clause.
    continuative = is_neg & renyo_v[w] & ~(nxt1_particle & np.isin(nxt1, ["て", "は", "も"]))
    starts_clause[1:] |= continuative[:-1] & ~doc_start[1:]
    # Sudachi reads ので after ない as の + だ(で): 情報がないので答えようがない
    # is two clauses. のではない / のでもない stay one (不足しているのではない).
    de_after_no = (
        (tok_lemma == "だ")
        & renyo_v[w]
        & shifted(juntai_v[w], -1, False)
        & ~(nxt1_particle & np.isin(nxt1, ["は", "も"]))
    )
    starts_clause |= de_after_no
    is_neg &= ~conditional

    clause = np.cumsum(starts_clause)
    neg_count = np.cumsum(is_neg)
    # Negators after token i in its clause: (count at the clause's last token) - (count at i).
    last_of_clause = np.r_[np.flatnonzero(np.diff(clause)), n - 1]
    clause_total = neg_count[last_of_clause][clause - clause[0]]
    after = clause_total - neg_count
    return (after % 2 == 1) & ~is_neg & ~is_boundary_v[w]
