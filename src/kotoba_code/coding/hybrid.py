"""Rules and a learned model together: a per-code decision from both.

For every code, a small logistic regression (the *combiner*) turns the rule's
hit (0/1) and the learned model's calibrated probability ``p`` into one
probability, with the features ``hit``, ``logit(p)`` and ``hit × logit(p)``.
It is fitted on the model's **cross-validated** probabilities, so it learns
how far to trust the model on answers the model did not see. How far to trust
the rules is the harder part: rules are usually tuned on some of the very
labels used here, and fit those answers better than they will fit new ones.
Answers flagged ``rules_tuned`` weigh ``tuned_weight`` (default 1/3) in the
combiner, so the answers the rules were *not* tuned on decide more.

The combiner's output is a calibrated probability (``CodingResult.scores``);
a code is given when it reaches the code's threshold. Evidence stays
explainable: the rule's hits as before, and where the model adds a code the
rules did not give, or removes one they gave, the words or character n-grams
that weighed most (``term`` ``model+: …`` / ``model-: …``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

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


# The combiner's prior: the rules decide (a hit means about 0.9, no hit about
# 0.05) and the model is not heard. With few labelled answers the fit stays
# near this; with many, the data move it.
RULE_PRIOR = np.array(
    [float(logit(np.array([0.9]))[0] - logit(np.array([0.05]))[0]), 0.0, 0.0, float(logit(np.array([0.05]))[0])]
)


PENALIZE_INTERCEPT = 1.0


def fit_combiner(X: np.ndarray, y: np.ndarray, weight: np.ndarray, C: float) -> np.ndarray:  # noqa: N803
    """Weighted logistic regression of ``y`` on ``X`` (plus intercept) with an
    L2 penalty ``|w - RULE_PRIOR|^2 / (2C)`` pulling towards the rules alone.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0, 2.0], [0.0, -2.0, 0.0]] * 20)
    >>> w = fit_combiner(X, np.array([1, 0] * 20), np.ones(40), 1.0)
    >>> bool(w[0] > 0 and w[3] < 0)
    True
    """
    from scipy.optimize import minimize

    Xb = np.column_stack([X, np.ones(len(X))])
    lam = 1.0 / (2.0 * C)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = Xb @ w
        # log(1 + e^z) - y z, computed stably
        nll = np.logaddexp(0.0, z) - y * z
        g = (sigmoid(z) - y) * weight
        d = w - RULE_PRIOR
        d[3] *= PENALIZE_INTERCEPT
        return float(weight @ nll + lam * d @ d), Xb.T @ g + 2 * lam * d

    return minimize(loss, RULE_PRIOR.copy(), jac=True, method="L-BFGS-B").x


class HybridCoder(BaseEstimator):
    """A codebook's rules and a :class:`LearnedCoder` deciding together.

    Parameters
    ----------
    codebook : Codebook
    learned : LearnedCoder, optional
        The model (default: ``LearnedCoder(codebook, random_state=random_state)``).
    tuned_weight : float, default=1/3
        Weight in the combiner of answers the rules were tuned on.
    combiner_C : float, default=1.0
        Regularization of the per-code combiner.
    random_state : int, default=0

    Attributes
    ----------
    combiner_ : ndarray, codes × 4
        Weights of hit, logit(p), hit × logit(p) and the intercept.
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
        tuned_weight: float = 1 / 3,
        combiner_C: float = 1.0,  # noqa: N803 - scikit-learn's name
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
        weight = np.ones(len(y))
        if rules_tuned is not None:
            weight[np.asarray(rules_tuned, dtype=bool)] = self.tuned_weight
        k = len(self.codebook.ids)
        self.combiner_ = np.zeros((k, 4))
        self.oof_proba_ = np.zeros(y.shape, dtype=float)
        for j in range(k):
            if not learned.active_[j]:
                # Nothing learned for this code: the rule decides alone.
                self.combiner_[j] = RULE_PRIOR
            else:
                X = _combiner_features(hits[:, j], learned.oof_proba_[:, j])
                self.combiner_[j] = fit_combiner(X, y[:, j].astype(float), weight, self.combiner_C)
            self.oof_proba_[:, j] = self._combine(hits[:, j : j + 1], learned.oof_proba_[:, j : j + 1], [j])[:, 0]
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

    def _combine(self, hits: np.ndarray, p: np.ndarray, codes: Sequence[int] | None = None) -> np.ndarray:
        codes = list(range(hits.shape[1])) if codes is None else list(codes)
        out = np.zeros(hits.shape, dtype=float)
        for col, j in enumerate(codes):
            w = self.combiner_[j]
            out[:, col] = sigmoid(_combiner_features(hits[:, col], p[:, col]) @ w[:3] + w[3])
        return out

    def predict_proba(self, tokens: Tokens) -> np.ndarray:
        """Combined probability of every code, answers × codes."""
        _, hits = self.rule_hits(tokens)
        return self._combine(hits, self.learned_.predict_proba(tokens))

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
        proba = self._combine(hits, p_model)
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
    hybrid.thresholds_ = arrays["hybrid_thresholds"]
    hybrid.codebook_hash_ = saved["hash"]
    return hybrid


def load_coder(path: str | Path, *, codebook: Codebook | None = None) -> LearnedCoder | HybridCoder:
    """Alias of :func:`load_model`: the coder stored in a model file."""
    return load_model(path, codebook=codebook)
