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
    renyo_v = cform.str.startswith("連用形").to_numpy()
    # Lemma tests are made once per vocabulary entry, then read per token by
    # word id: no string comparison per token.
    epistemic_v = lemma.isin(_EPISTEMIC_BEFORE).to_numpy()
    obligation_v = lemma.isin(_OBLIGATION_AFTER_TO).to_numpy()
    ha_mo_v = lemma.isin(["は", "も"]).to_numpy()
    te_ha_mo_v = lemma.isin(["て", "は", "も"]).to_numpy()
    ba_ka_v = lemma.isin(["ば", "か"]).to_numpy()
    te_v = (lemma == "て").to_numpy()
    to_v = (lemma == "と").to_numpy()
    da_v = (lemma == "だ").to_numpy()

    w = tokens.word
    n = len(w)
    if n == 0:
        return np.zeros(0, dtype=bool)
    doc_start = np.zeros(n, dtype=bool)
    doc_start[tokens.doc_ptr[:-1][np.diff(tokens.doc_ptr) > 0]] = True
    doc_end = np.zeros(n, dtype=bool)
    doc_end[tokens.doc_ptr[1:][np.diff(tokens.doc_ptr) > 0] - 1] = True

    def shifted(values: np.ndarray, k: int) -> np.ndarray:
        """values[i + k] within the same document, else False."""
        out = np.zeros(n, dtype=bool)
        if k > 0 and n > k:
            out[:-k] = values[k:]
            # Do not look past the end of a document.
            ends = np.flatnonzero(doc_end)
            for j in range(k):
                out[ends[ends >= j] - j] = False
        elif k < 0 and n > -k:
            out[-k:] = values[:k]
            starts = np.flatnonzero(doc_start)
            for j in range(-k):
                out[starts[starts + j < n] + j] = False
        return out

    def next_is(vocab_test: np.ndarray, k: int = 1) -> np.ndarray:
        return shifted(vocab_test[w], k)

    nxt1_particle = next_is(particle)
    is_neg = is_neg_v[w] & ~next_is(epistemic_v, -1)
    conditional = (
        is_neg
        & nxt1_particle
        & (next_is(ba_ka_v) | (next_is(te_v) & next_is(ha_mo_v, 2)) | (next_is(to_v) & next_is(obligation_v, 2)))
    )
    # しなければならない: the conditional negator closes a clause, so the
    # final ない negates only なら, not the verb before the obligation.
    starts_clause = is_boundary_v[w] | doc_start
    starts_clause[1:] |= conditional[:-1]
    # ノウハウがなく対応できない: なく ends its own clause.
    continuative = is_neg & renyo_v[w] & ~(nxt1_particle & next_is(te_ha_mo_v))
    starts_clause[1:] |= continuative[:-1] & ~doc_start[1:]
    # Sudachi reads ので after ない as の + だ(で): 情報がないので答えようがない
    # is two clauses. のではない / のでもない stay one (不足しているのではない).
    de_after_no = da_v[w] & renyo_v[w] & next_is(juntai_v, -1) & ~(nxt1_particle & next_is(ha_mo_v))
    starts_clause |= de_after_no
    is_neg &= ~conditional

    clause = np.cumsum(starts_clause)
    neg_count = np.cumsum(is_neg)
    # Negators after token i in its clause: (count at the clause's last token) - (count at i).
    last_of_clause = np.r_[np.flatnonzero(np.diff(clause)), n - 1]
    clause_total = neg_count[last_of_clause][clause - clause[0]]
    after = clause_total - neg_count
    return (after % 2 == 1) & ~is_neg & ~is_boundary_v[w]
