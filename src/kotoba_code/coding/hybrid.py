"""Rules and a learned model together: a per-code decision from both.

One logistic regression, the *combiner*, turns a rule's hit (0/1) and the
learned model's calibrated probability ``p`` into one probability, with the
features ``hit``, ``logit(p)`` and ``hit × logit(p)``. Its weights are shared
by all codes, plus a per-code shift of the intercept and of the hit's weight,
shrunk towards zero: every code teaches the combiner how rules and model
relate, while a code whose rule is much better or worse than the others can
still be trusted more or less. A separate combiner per code (4 weights from a
few dozen positives) fitted worse on answers it had not seen.

The combiner is fitted on the model's **cross-validated** probabilities, so it
learns how far to trust the model on answers the model did not see. How far to
trust the rules is the harder part: rules are usually tuned on some of the
very labels used here, and fit those answers better than they will fit new
ones. Answers flagged ``rules_tuned`` weigh ``tuned_weight`` in the combiner,
so the answers the rules were *not* tuned on decide more. With ``"auto"``,
``tuned_weight`` and the regularization ``combiner_C`` are chosen by
cross-validation on those answers (see :data:`COMBINER_GRID`).

The combiner's output is a probability (``CodingResult.scores``); a code is
given when it reaches the code's threshold. Evidence stays explainable: the
rule's hits as before, and where the model adds a code the rules did not give,
or removes one they gave, the words or character n-grams that weighed most
(``term`` ``model+: …`` / ``model-: …``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from kotoba_code.coding.base import codebook_hash
from kotoba_code.coding.learned import (
    LearnedCoder,
    check_tokens,
    evidence_frame,
    learned_from_file,
    logit,
    model_evidence_rows,
    samples_to_training,
    sigmoid,
)
from kotoba_code.coding.persistence import check_codebook, read_model_file, save_model
from kotoba_code.coding.rule_coder import apply_codebook
from kotoba_code.errors import Errors, KotobaError

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.coding.result import CodingResult
    from kotoba_code.evaluate import LabelledSample
    from kotoba_code.tokenize.tokens import Tokens


def _combiner_features(hit: np.ndarray, p: np.ndarray) -> np.ndarray:
    z = logit(p)
    return np.column_stack([hit, z, hit * z])


# A code the model could not learn (too few positives) is decided by its rule
# alone: a hit means about 0.9, no hit about 0.05.
RULE_PRIOR = np.array(
    [float(logit(np.array([0.9]))[0] - logit(np.array([0.05]))[0]), 0.0, 0.0, float(logit(np.array([0.05]))[0])]
)

# Candidates for ``tuned_weight="auto"`` and ``combiner_C="auto"``, and the
# values used when too few answers are left to choose by cross-validation.
COMBINER_GRID = {"tuned_weight": (0.0, 0.1, 1 / 3, 1.0), "combiner_C": (0.1, 1.0)}
COMBINER_DEFAULT = {"tuned_weight": 0.1, "combiner_C": 0.1}
# Fewest answers not tuned on (or all answers, without flags) to choose by cross-validation.
MIN_SELECTION_ANSWERS = 100


def _pooled_design(hits: np.ndarray, p: np.ndarray, active: np.ndarray) -> sp.csr_matrix:
    """Rows (answer, code) of the active codes, answer by answer: the shared
    features, then one-hot code columns (per-code intercept shift) and one-hot
    × hit (per-code hit shift). Sparse: five of the 3 + 2 × codes columns of a
    row can be non-zero."""
    cols = np.flatnonzero(active)
    n, k = len(hits), len(cols)
    h = hits[:, cols].astype(float)
    z = logit(p[:, cols])
    code = np.tile(np.arange(k), n)
    data = np.stack([h.ravel(), z.ravel(), (h * z).ravel(), np.ones(n * k), h.ravel()], axis=1).ravel()
    indices = np.stack([np.zeros(n * k), np.ones(n * k), np.full(n * k, 2), 3 + code, 3 + k + code], axis=1).ravel()
    indptr = np.arange(0, 5 * n * k + 1, 5)
    return sp.csr_matrix((data, indices.astype(np.int64), indptr), shape=(n * k, 3 + 2 * k))


def _fit_pooled(X: sp.csr_matrix, target: np.ndarray, w_row: np.ndarray, C: float) -> np.ndarray:  # noqa: N803
    """The weights (design columns, then the shared intercept) of a weighted
    logistic regression whose L2 penalty ``|w - prior|^2 / (2C)`` pulls them
    towards the rules alone (RULE_PRIOR, no per-code shift), not towards zero:
    with a few dozen labelled answers the combiner stays near the rules
    instead of giving no code at all."""
    prior = np.zeros(X.shape[1] + 1)
    prior[:3] = RULE_PRIOR[:3]
    prior[-1] = RULE_PRIOR[3]
    keep = w_row > 0  # answers weighing nothing cost time and change nothing
    X, target, w_row = X[keep], target[keep], w_row[keep]
    XT = X.T.tocsr()  # noqa: N806
    lam = 1.0 / (2.0 * C)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ w[:-1] + w[-1]
        nll = np.logaddexp(0.0, z) - target * z  # log(1 + e^z) - y z, stably
        g = (sigmoid(z) - target) * w_row
        d = w - prior
        return float(w_row @ nll + lam * d @ d), np.r_[XT @ g, g.sum()] + 2 * lam * d

    return minimize(loss, prior.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 2000}).x


def _unpack(w: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Codes × 4 weights (hit, logit(p), hit × logit(p), intercept) from the pooled weights."""
    W = np.tile(RULE_PRIOR, (len(active), 1))  # noqa: N806
    cols = np.flatnonzero(active)
    n = len(cols)
    for i, j in enumerate(cols):
        W[j] = [w[0] + w[3 + n + i], w[1], w[2], w[-1] + w[3 + i]]
    return W


def fit_combiner(
    hits: np.ndarray,
    p: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    C: float,  # noqa: N803 - scikit-learn's name
    active: np.ndarray | None = None,
) -> np.ndarray:
    """The pooled combiner's weights for every code, codes × 4 (hit, logit(p),
    hit × logit(p), intercept), fitted on answers × codes arrays.

    ``weight`` is per answer; codes not ``active`` get :data:`RULE_PRIOR`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, (200, 2))
    >>> hits = np.where(rng.random((200, 2)) < 0.9, y, 1 - y)  # rules right 9 times in 10
    >>> p = np.clip(np.where(y == 1, 0.7, 0.3) + rng.normal(0, 0.1, (200, 2)), 0.01, 0.99)
    >>> W = fit_combiner(hits, p, y, np.ones(200), 1.0)
    >>> W.shape, bool((W[:, 0] > 0).all() and (W[:, 1] > 0).all())
    ((2, 4), True)
    """
    active = np.ones(hits.shape[1], dtype=bool) if active is None else np.asarray(active, dtype=bool)
    if not active.any():
        return _unpack(np.zeros(0), active)
    X = _pooled_design(hits, p, active)  # noqa: N806
    k = int(active.sum())
    w = _fit_pooled(X, y[:, active].reshape(-1).astype(float), np.repeat(weight, k).astype(float), C)
    return _unpack(w, active)


def _combine(W: np.ndarray, hits: np.ndarray, p: np.ndarray) -> np.ndarray:
    out = np.zeros(hits.shape, dtype=float)
    for j in range(hits.shape[1]):
        out[:, j] = sigmoid(_combiner_features(hits[:, j], p[:, j]) @ W[j, :3] + W[j, 3])
    return out


def _set_score(y: np.ndarray, decided: np.ndarray) -> float:
    """Macro-F1 plus exact-set accuracy: what the combiner is chosen for."""
    tp = (y & decided).sum(0)
    wrong = (y != decided).sum(0)
    f1 = np.where(tp + wrong > 0, 2 * tp / np.maximum(2 * tp + wrong, 1), 1.0)
    return float(f1.mean() + (y == decided).all(axis=1).mean())


def select_combiner(
    hits: np.ndarray,
    p: np.ndarray,
    y: np.ndarray,
    rules_tuned: np.ndarray,
    active: np.ndarray,
    *,
    random_state: int = 0,
) -> tuple[dict[str, float], dict[tuple[float, float], float]]:
    """Choose ``tuned_weight`` and ``combiner_C`` from :data:`COMBINER_GRID` by
    5-fold cross-validation over the answers the rules were not tuned on: each
    fold's combiner is fitted on all rule-tuned answers and the other folds,
    and scored (macro-F1 + exact-set accuracy) on its fold.

    Returns the chosen values and every candidate's score; with fewer than
    :data:`MIN_SELECTION_ANSWERS` answers to score on, or no code the model
    learned, :data:`COMBINER_DEFAULT`.
    """
    honest = np.flatnonzero(~rules_tuned)
    tuned = np.flatnonzero(rules_tuned)
    if len(honest) < MIN_SELECTION_ANSWERS or not active.any():
        return dict(COMBINER_DEFAULT), {}
    folds = list(KFold(5, shuffle=True, random_state=random_state).split(honest))
    scores: dict[tuple[float, float], float] = {}
    k = int(active.sum())
    X = _pooled_design(hits, p, active)  # noqa: N806 - built once, its rows picked per fold
    target = y[:, active].reshape(-1).astype(float)
    y = y.astype(bool)
    for tw in COMBINER_GRID["tuned_weight"]:
        for C in COMBINER_GRID["combiner_C"]:  # noqa: N806
            decided = np.zeros((len(honest), y.shape[1]), dtype=bool)
            for tr, te in folds:
                answers = np.r_[tuned, honest[tr]]
                rows = (answers[:, None] * k + np.arange(k)).ravel()
                w_row = np.repeat(np.where(rules_tuned[answers], tw, 1.0), k)
                W = _unpack(_fit_pooled(X[rows], target[rows], w_row, C), active)  # noqa: N806
                decided[te] = _combine(W, hits[honest[te]], p[honest[te]]) >= 0.5
            scores[(tw, C)] = _set_score(y[honest], decided)
    best = max(scores, key=lambda key: (round(scores[key], 9), -key[0], -key[1]))
    return {"tuned_weight": best[0], "combiner_C": best[1]}, scores


class HybridCoder(BaseEstimator):
    """A codebook's rules and a :class:`LearnedCoder` deciding together.

    Parameters
    ----------
    codebook : Codebook
    learned : LearnedCoder, optional
        The model (default: ``LearnedCoder(codebook, random_state=random_state)``).
    tuned_weight : float or "auto", default="auto"
        Weight in the combiner of answers the rules were tuned on.
    combiner_C : float or "auto", default="auto"
        Inverse regularization of the combiner (smaller: per-code shifts
        stay nearer the shared weights). With ``"auto"`` both are chosen by
        cross-validation (:func:`select_combiner`).
    random_state : int, default=0

    Attributes
    ----------
    combiner_ : ndarray, codes × 4
        Each code's weights of hit, logit(p), hit × logit(p) and the intercept.
    combiner_params_ : dict
        The ``tuned_weight`` and ``combiner_C`` used.
    combiner_scores_ : dict
        Cross-validated score (macro-F1 + exact-set accuracy) of every candidate
        pair when they were chosen automatically.
    thresholds_ : ndarray
        Per-code thresholds on the combined probability.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "staff", "label": "人手不足", "rule": "人手"}]})
    >>> texts = ["人手が足りない", "職員が不足", "人手は十分", "特になし"] * 5
    >>> toks = tokenize(Corpus.from_texts(texts), cache=False)
    >>> h = HybridCoder(cb, LearnedCoder(cb, vectors=False, cv=2)).fit(toks, np.array([[1], [1], [0], [0]] * 5))
    >>> h.code(toks).matrix["staff"].tolist()[:4]
    [True, True, False, False]
    """

    def __init__(
        self,
        codebook: Codebook,
        learned: LearnedCoder | None = None,
        *,
        tuned_weight: float | str = "auto",
        combiner_C: float | str = "auto",  # noqa: N803 - scikit-learn's name
        random_state: int = 0,
    ) -> None:
        self.codebook = codebook
        self.learned = learned
        self.tuned_weight = tuned_weight
        self.combiner_C = combiner_C
        self.random_state = random_state

    def rule_hits(self, tokens: Tokens) -> tuple[Any, np.ndarray]:
        """The rules' result at document level and its 0/1 matrix in code order."""
        res = apply_codebook(self.codebook, tokens, unit="document")
        return res, res.matrix[self.codebook.ids].to_numpy(dtype=np.int64)

    def fit(
        self, tokens: Tokens, y: np.ndarray | pd.DataFrame, *, rules_tuned: np.ndarray | None = None
    ) -> HybridCoder:
        """Fit the model, then the per-code combiner on its cross-validated probabilities.

        Parameters
        ----------
        tokens : Tokens
            Answers tokenized with the codebook's user words.
        y : array or DataFrame, answers × codes (the codebook's codes, in order)
        rules_tuned : bool array, optional
            True for answers the rules were tuned on.
        """
        if isinstance(y, pd.DataFrame):
            y = y[self.codebook.ids].to_numpy()
        y = np.asarray(y, dtype=np.int64)
        learned = (
            self.learned if self.learned is not None else LearnedCoder(self.codebook, random_state=self.random_state)
        )
        if learned.codebook is None:
            learned.set_params(codebook=self.codebook)
        learned.fit(tokens, y, code_ids=self.codebook.ids)
        self.learned_ = learned
        _, hits = self.rule_hits(tokens)
        tuned = np.zeros(len(y), dtype=bool) if rules_tuned is None else np.asarray(rules_tuned, dtype=bool)
        p = learned.oof_proba_
        chosen, self.combiner_scores_ = {}, {}
        # Dozens of fits of a few dozen weights: BLAS threads only wait on each
        # other there (18x slower on two busy cores than one thread).
        with threadpool_limits(limits=1, user_api="blas"):
            if "auto" in (self.tuned_weight, self.combiner_C):
                chosen, self.combiner_scores_ = select_combiner(
                    hits, p, y, tuned, learned.active_, random_state=self.random_state
                )
            params = {
                name: float(chosen[name] if value == "auto" else value)
                for name, value in (("tuned_weight", self.tuned_weight), ("combiner_C", self.combiner_C))
            }
            weight = np.where(tuned, params["tuned_weight"], 1.0)
            self.combiner_ = fit_combiner(hits, p, y, weight, params["combiner_C"], learned.active_)
        self.combiner_params_ = params
        k = len(self.codebook.ids)
        self.oof_proba_ = _combine(self.combiner_, hits, p)
        self.thresholds_ = np.full(k, 0.5)
        self.codebook_hash_ = codebook_hash(self.codebook)
        return self

    def fit_samples(
        self,
        samples: LabelledSample | Sequence[LabelledSample],
        *,
        rules_tuned_on: Sequence[LabelledSample] = (),
        cache: bool = False,
    ) -> HybridCoder:
        """Tokenize labelled samples and fit; answers of ``rules_tuned_on``
        samples (some of ``samples``) are flagged as rule-tuned."""
        tokens, y, _ = samples_to_training(samples, self.codebook, cache=cache)
        tuned_ids = {i for s in rules_tuned_on for i in s.texts["id"].tolist()}
        flags = np.isin(tokens.corpus.ids, list(tuned_ids)) if tuned_ids else None
        return self.fit(tokens, y, rules_tuned=flags)

    def predict_proba(self, tokens: Tokens) -> np.ndarray:
        """Combined probability of every code, answers × codes."""
        _, hits = self.rule_hits(tokens)
        return _combine(self.combiner_, hits, self.learned_.predict_proba(tokens))

    def predict(self, tokens: Tokens) -> np.ndarray:
        return (self.predict_proba(tokens) >= self.thresholds_).astype(np.int64)

    def code(self, tokens: Tokens, *, unit: str = "document") -> CodingResult:
        """Code every answer with rules + model.

        ``scores`` holds the combined probabilities, and ``rule_scores`` /
        ``model_scores`` (attributes of the result) what each side said."""
        if unit != "document":
            raise KotobaError(Errors.E606.format(unit=unit))
        if not hasattr(self, "combiner_"):
            raise KotobaError(Errors.E609.format(what="hybrid coder"))
        learned = self.learned_
        check_tokens(tokens, learned.tokenizer_settings_)
        res, hits = self.rule_hits(tokens)
        X = learned._design(learned.features_, tokens)
        p_model = learned.predict_proba(tokens, X)
        proba = _combine(self.combiner_, hits, p_model)
        decided = proba >= self.thresholds_
        ids = self.codebook.ids
        values = {c: decided[:, j] for j, c in enumerate(ids)}
        doc_index = pd.Index(res._unit_rows["id"].to_numpy(), name="id")
        scores = pd.DataFrame(proba, columns=ids, index=doc_index)
        rule_evidence = res._evidence_fn

        def evidence() -> pd.DataFrame:
            ev = rule_evidence()
            keep = np.ones(len(ev), dtype=bool)
            if len(ev):
                # Rule hits the model overruled are not evidence of a code given.
                col = {c: j for j, c in enumerate(ids)}
                rows = ev["unit"].to_numpy(dtype=np.int64)
                cols = np.array([col[c] for c in ev["code"].tolist()], dtype=np.int64)
                keep = decided[rows, cols]
            parts = [ev[keep][["unit", "code", "term", "start", "end"]]]
            extra: list[dict[str, Any]] = []
            changed = np.argwhere(decided != hits.astype(bool))
            for i, j in changed.tolist():
                sign = 1 if decided[i, j] else -1
                extra += model_evidence_rows(learned, X, tokens, i, j, sign)
            parts.append(evidence_frame(extra))
            out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[1]
            return out.sort_values(["unit", "start"], kind="stable").reset_index(drop=True)

        # The rules' result becomes the hybrid's: its unit table and metadata
        # are reused rather than built again for 100,000 answers.
        result = res
        result.matrix = pd.DataFrame(values, index=res.matrix.index)
        result.scores = scores
        result._evidence_fn = evidence
        result._evidence = None
        result.rule_scores = pd.DataFrame(hits, columns=ids, index=doc_index)
        result.model_scores = pd.DataFrame(p_model, columns=ids, index=doc_index)
        return result

    def save(self, path: str | Path) -> None:
        """Save to a model file (numpy arrays + JSON, no pickle)."""
        save_model(self, path)

    @classmethod
    def load(cls, path: str | Path, *, codebook: Codebook) -> HybridCoder:
        """Load a hybrid model saved by :meth:`save`; ``codebook`` must be the one it was trained with."""
        model = load_model(path, codebook=codebook)
        if not isinstance(model, HybridCoder):
            raise KotobaError(Errors.E605.format(path=path, name=codebook.name or codebook.source))
        return model


def load_model(path: str | Path, *, codebook: Codebook | None = None) -> LearnedCoder | HybridCoder:
    """Load a model saved by :func:`save_model`.

    A hybrid model needs ``codebook`` (E605); a codebook other than the one
    the model was trained with is refused (E603).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = Path(d, "x.kcm").write_bytes(b"not a model")
    ...     load_model(Path(d, "x.kcm"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kotoba_code.errors.KotobaError: [E601] ...: not a kotoba-code model file (...); it was refused ...
    """
    path = Path(path)
    meta, arrays = read_model_file(path)
    saved = meta.get("codebook")
    check_codebook(path, meta, codebook)
    learned = learned_from_file(meta, arrays, codebook)
    if meta["kind"] != "hybrid":
        return learned
    assert codebook is not None
    hybrid = HybridCoder(codebook, learned, **meta["hybrid"])
    hybrid.learned_ = learned
    hybrid.combiner_ = arrays["combiner"]
    hybrid.combiner_params_ = dict(meta.get("hybrid_used") or {})
    hybrid.combiner_scores_ = {}
    hybrid.thresholds_ = arrays["hybrid_thresholds"]
    hybrid.codebook_hash_ = saved["hash"]
    return hybrid


def load_coder(path: str | Path, *, codebook: Codebook | None = None) -> LearnedCoder | HybridCoder:
    """Alias of :func:`load_model`: the coder stored in a model file."""
    return load_model(path, codebook=codebook)
