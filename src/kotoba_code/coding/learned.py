"""A coder learned from labelled answers: one logistic regression per code.

Features (see :mod:`kotoba_code.coding.features`): Sudachi normalized forms
with negation marks and word bigrams, character 1–3-grams, and the mean of
GiNZA's static word vectors when ``ja_ginza`` is installed. Each code gets an
L2-regularized logistic regression (liblinear, class-balanced). Its decision
values are calibrated into probabilities by Platt scaling fitted on
*cross-validated* decision values, never on the training fit, so a 0.9 means
about nine in ten such answers have the code.

The estimator follows scikit-learn's conventions: parameters in ``__init__``
(``get_params``/``set_params``), ``fit`` returns ``self``, fitted attributes
end in ``_``, and ``random_state`` seeds the folds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from kotoba_code.codebook.model import Codebook
from kotoba_code.coding.base import codebook_hash
from kotoba_code.coding.features import (
    BIGRAM_SEP,
    NEG_MARK,
    CharFeatures,
    TermSpace,
    VectorFeatures,
    WordFeatures,
    ginza_version,
    subset_tokens,
)
from kotoba_code.coding.persistence import check_codebook, read_model_file, save_model
from kotoba_code.coding.result import CodingResult
from kotoba_code.corpus import Corpus
from kotoba_code.errors import CorpusReadError, Errors, KotobaError, KotobaWarning, Warnings
from kotoba_code.tokenize import SudachiTokenizer, tokenize

if TYPE_CHECKING:
    from pathlib import Path

    from kotoba_code.coding.result import CodingResult
    from kotoba_code.evaluate import LabelledSample
    from kotoba_code.tokenize.tokens import Tokens

_EPS = 1e-4


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -35, 35)))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _jsonable(x: Any) -> Any:
    """Settings as JSON would give them back (tuples become lists)."""
    import json

    return json.loads(json.dumps(x, ensure_ascii=False, default=str))


def check_tokens(tokens: Tokens, settings: dict[str, Any]) -> None:
    """Refuse tokens made with other tokenizer settings than the model's."""
    have = _jsonable(tokens.settings)
    if not settings or have == settings:
        return
    keys = sorted(k for k in set(have) | set(settings) if have.get(k) != settings.get(k))
    diff = ", ".join(f"{k}: model {_short(settings.get(k))}, tokens {_short(have.get(k))}" for k in keys)
    raise KotobaError(Errors.E604.format(diff=diff))


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "..."


def label_matrix(sample: LabelledSample, code_ids: Sequence[str]) -> np.ndarray:
    """0/1 answers × codes of a sample's first coder (answers it left unlabelled count as 0)."""
    m = sample.matrix(sample.coders[0], list(code_ids))
    return m.fillna(0).to_numpy(dtype=np.int64)


class Design:
    """The feature blocks of some answers side by side, without stacking them:
    ``X @ W`` sums the blocks' products (stacking 100,000 rows of sparse
    blocks costs more than the products themselves).

    Examples
    --------
    >>> X = Design([sp.csr_matrix(np.eye(2)), np.ones((2, 1))])
    >>> (X @ np.ones((3, 1))).ravel().tolist(), X.shape
    ([2.0, 2.0], (2, 3))
    """

    def __init__(self, blocks: list[Any]) -> None:
        self.blocks = blocks
        self.widths = [b.shape[1] for b in blocks]
        self.offsets = np.r_[0, np.cumsum(self.widths)].astype(np.int64)
        self.shape = (blocks[0].shape[0], int(self.offsets[-1]))

    def __matmul__(self, w: np.ndarray) -> np.ndarray:
        out = np.zeros((self.shape[0], w.shape[1]))
        for b, lo, hi in zip(self.blocks, self.offsets[:-1], self.offsets[1:], strict=True):
            out += np.asarray(b @ w[lo:hi])
        return out

    def tocsr(self) -> sp.csr_matrix:
        parts = []
        for b in self.blocks:
            if hasattr(b, "tocsr"):
                parts.append(b.tocsr())
            else:
                parts.append(sp.csr_matrix(b.toarray() if hasattr(b, "toarray") else b))
        return sp.hstack(parts, format="csr")

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of row ``i``'s non-zero features."""
        idx, val = [], []
        for b, lo in zip(self.blocks, self.offsets[:-1], strict=True):
            if hasattr(b, "row"):
                ri, rv = b.row(i)
                idx.append(ri + lo)
                val.append(rv)
            elif sp.issparse(b):
                r = b.getrow(i)
                idx.append(r.indices.astype(np.int64) + lo)
                val.append(r.data)
            else:
                dense = np.asarray(b[i]).ravel()
                nz = np.flatnonzero(dense)
                idx.append(nz.astype(np.int64) + lo)
                val.append(dense[nz])
        return np.concatenate(idx), np.concatenate(val)


class LearnedCoder(BaseEstimator):
    """Per-code classifiers learned from labelled answers.

    Parameters
    ----------
    codebook : Codebook, optional
        Gives the code ids, labels and the tokenizer's user words; without one
        the codes are the ids found in the labels.
    C : float, default=10.0
        Inverse regularization strength of each logistic regression.
    char_ngrams : tuple of int or None, default=(1, 2)
        Character n-gram lengths; None for none.
    word_key : {"norm", "lemma"}, default="norm"
    vectors : {"auto", True, False}, default="auto"
        Add GiNZA's static vectors ("auto": when ``ja_ginza`` is installed).
    cv : int, default=5
        Folds for the cross-validated decision values behind calibration.
    min_positives : int, default=3
        A code with fewer positive answers is not learned (warning W601).
    random_state : int, default=0

    Attributes
    ----------
    code_ids_ : list of str
    oof_proba_ : ndarray, answers × codes
        Calibrated cross-validated probabilities of the training answers.
    thresholds_ : ndarray
        Per-code decision thresholds on the calibrated probability.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["人手が足りない", "職員が不足", "連携できている", "特になし"] * 5
    >>> toks = tokenize(Corpus.from_texts(texts), cache=False)
    >>> y = np.array([[1], [1], [0], [0]] * 5)
    >>> m = LearnedCoder(vectors=False, cv=2).fit(toks, y, code_ids=["staff"])
    >>> bool(m.predict(toks)[0, 0]), bool(m.predict(toks)[3, 0])
    (True, False)
    """

    def __init__(
        self,
        codebook: Codebook | None = None,
        *,
        C: float = 10.0,  # noqa: N803 - scikit-learn's name
        char_ngrams: tuple[int, int] | None = (1, 2),
        word_key: str = "norm",
        vectors: str | bool = "auto",
        cv: int = 5,
        min_positives: int = 3,
        random_state: int = 0,
    ) -> None:
        self.codebook = codebook
        self.C = C
        self.char_ngrams = char_ngrams
        self.word_key = word_key
        self.vectors = vectors
        self.cv = cv
        self.min_positives = min_positives
        self.random_state = random_state

    # -- features ------------------------------------------------------------
    def _vector_version(self) -> str | None:
        if self.vectors is False:
            return None
        have = ginza_version()
        if self.vectors is True and have is None:
            raise KotobaError(Errors.E608.format(version="5.3.0", reason="ja_ginza is not installed"))
        return have

    def _fit_features(self, tokens: Tokens, vec_version: str | None) -> dict[str, Any]:
        feats: dict[str, Any] = {"word": WordFeatures(self.word_key).fit(tokens)}
        if self.char_ngrams:
            feats["char"] = CharFeatures(tuple(self.char_ngrams)).fit(tokens.corpus.texts)  # type: ignore[arg-type]
        if vec_version:
            feats["vec"] = VectorFeatures(vec_version).fit(tokens)
        return feats

    @staticmethod
    def _design(feats: dict[str, Any], tokens: Tokens, vec_cache: np.ndarray | None = None) -> Design:
        blocks: list[Any] = [feats["word"].transform(tokens)]
        if "char" in feats:
            blocks.append(feats["char"].transform(tokens.corpus.texts))
        if "vec" in feats:
            blocks.append(vec_cache if vec_cache is not None else feats["vec"].transform(tokens))
        return Design(blocks)

    def _fit_linear(self, X: sp.csr_matrix, y: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        k = y.shape[1]
        coef = np.zeros((k, X.shape[1]))
        intercept = np.zeros(k)
        for j in np.flatnonzero(active):
            if y[:, j].min() == y[:, j].max():
                intercept[j] = 10.0 if y[0, j] else -10.0
                continue
            # The dual liblinear solver is the same L2 problem, 50x faster here.
            m = LogisticRegression(
                C=self.C,
                class_weight="balanced",
                solver="liblinear",
                dual=True,
                max_iter=5000,
                random_state=self.random_state,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # liblinear's convergence notes on separable codes
                m.fit(X, y[:, j])
            coef[j] = m.coef_[0]
            intercept[j] = m.intercept_[0]
        return coef, intercept

    # -- fitting -------------------------------------------------------------
    def fit(
        self, tokens: Tokens, y: np.ndarray | pd.DataFrame, *, code_ids: Sequence[str] | None = None
    ) -> LearnedCoder:
        """Learn from tokenized answers and their 0/1 labels (answers × codes).

        Parameters
        ----------
        tokens : Tokens
            The answers, tokenized (with the codebook's user words).
        y : array or DataFrame, answers × codes
            A DataFrame's columns are the code ids.
        code_ids : sequence of str, optional
            Code ids for an array ``y`` (default: the codebook's ids).
        """
        from sklearn.model_selection import KFold

        if isinstance(y, pd.DataFrame):
            code_ids = [str(c) for c in y.columns]
            y = y.to_numpy()
        y = np.asarray(y, dtype=np.int64)
        if code_ids is None:
            code_ids = self.codebook.ids if self.codebook is not None else [f"code{j + 1}" for j in range(y.shape[1])]
        n = len(tokens.corpus)
        if n == 0:
            raise CorpusReadError(Errors.E607.format(source=tokens.corpus.name or "<tokens>"))
        self.code_ids_ = list(code_ids)
        self.code_labels_ = [
            self.codebook[c].label if self.codebook is not None and c in self.codebook.ids else c
            for c in self.code_ids_
        ]
        pos = y.sum(axis=0)
        self.base_rate_ = (pos + 1) / (n + 2)
        active = pos >= self.min_positives
        for j in np.flatnonzero(~active):
            warnings.warn(
                Warnings.W601.format(
                    code=self.code_ids_[j], n=int(pos[j]), min=self.min_positives, fallback="it gives the base rate"
                ),
                KotobaWarning,
                stacklevel=2,
            )
        self.active_ = active
        vec_version = self._vector_version()
        self.vector_version_ = vec_version
        vec_all = VectorFeatures(vec_version).transform(tokens).toarray() if vec_version else None
        # Cross-validated decision values: calibration and any combination
        # downstream are learned on these, never on the training fit.
        oof = np.zeros(y.shape)
        folds = max(2, min(self.cv, n))
        for tr, te in KFold(folds, shuffle=True, random_state=self.random_state).split(np.arange(n)):
            t_tr, t_te = subset_tokens(tokens, tr), subset_tokens(tokens, te)
            feats = self._fit_features(t_tr, vec_version)
            v_tr = vec_all[tr] * feats["vec"].scale if vec_all is not None else None
            v_te = vec_all[te] * feats["vec"].scale if vec_all is not None else None
            coef, icpt = self._fit_linear(self._design(feats, t_tr, v_tr).tocsr(), y[tr], active)
            oof[te] = self._design(feats, t_te, v_te) @ coef.T + icpt
        self.features_ = self._fit_features(tokens, vec_version)
        vec_fit = vec_all * self.features_["vec"].scale if vec_all is not None else None
        X = self._design(self.features_, tokens, vec_fit).tocsr()
        self.coef_, self.intercept_ = self._fit_linear(X, y, active)
        self.platt_ = np.zeros((len(self.code_ids_), 2))
        for j in range(y.shape[1]):
            self.platt_[j] = _platt(oof[:, j], y[:, j]) if active[j] else (0.0, float(logit(self.base_rate_[j])))
        self.oof_proba_ = self._calibrate(oof)
        self.thresholds_ = np.full(len(self.code_ids_), 0.5)
        self.tokenizer_settings_ = _jsonable(tokens.settings)
        self.codebook_hash_ = codebook_hash(self.codebook) if self.codebook is not None else None
        self.feature_names_ = self._feature_names()
        return self

    def fit_samples(self, samples: LabelledSample | Sequence[LabelledSample], *, cache: bool = False) -> LearnedCoder:
        """Tokenize labelled samples (see :func:`~kotoba_code.evaluate.read_labels`) and fit."""
        tokens, y, code_ids = samples_to_training(samples, self.codebook, cache=cache)
        return self.fit(tokens, y, code_ids=code_ids)

    def _calibrate(self, decision: np.ndarray) -> np.ndarray:
        return sigmoid(decision * self.platt_[:, 0] + self.platt_[:, 1])

    def _feature_names(self) -> list[str]:
        names = list(self.features_["word"].space.terms)
        if "char" in self.features_:
            names += [f"「{t}」" for t in self.features_["char"].terms]
        if "vec" in self.features_:
            names += [f"vec{i}" for i in range(300)]
        return names

    # -- predicting ----------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise KotobaError(Errors.E609.format(what="learned coder"))

    def design(self, tokens: Tokens) -> Design:
        """The feature matrix of ``tokens`` (answers × features)."""
        self._check_fitted()
        check_tokens(tokens, self.tokenizer_settings_)
        return self._design(self.features_, tokens)

    def decision_function(self, tokens: Tokens, X: Design | None = None) -> np.ndarray:
        X = self.design(tokens) if X is None else X
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, tokens: Tokens, X: Design | None = None) -> np.ndarray:
        """Calibrated probability of every code, answers × codes."""
        return self._calibrate(self.decision_function(tokens, X))

    def predict(self, tokens: Tokens) -> np.ndarray:
        """0/1 answers × codes."""
        return (self.predict_proba(tokens) >= self.thresholds_).astype(np.int64)

    def explain(self, X: Design, row: int, code: int, sign: int = 1, top: int = 3) -> list[tuple[str, float]]:
        """The features of answer ``row`` that weigh most for (``sign`` = 1) or
        against (-1) code ``code``: (name, contribution) pairs, largest first.
        The vector block is summed into one entry, ``(語の意味ベクトル)``."""
        indices, data = X.row(row)
        contrib = data * self.coef_[code, indices]
        names = self.feature_names_
        items: dict[str, float] = {}
        for idx, c in zip(indices.tolist(), contrib.tolist(), strict=True):
            name = names[idx]
            key = "(語の意味ベクトル)" if name.startswith("vec") and name[3:].isdigit() else name
            items[key] = items.get(key, 0.0) + c
        ranked = sorted(((k, v) for k, v in items.items() if v * sign > 0), key=lambda kv: -abs(kv[1]))
        return [(_readable(k), v) for k, v in ranked[:top]]

    def code(self, tokens: Tokens, *, unit: str = "document") -> CodingResult:
        """Code every answer with the model alone; ``scores`` holds the probabilities.

        Evidence rows name the features that weighed most for each code given
        (``term`` ``model+: …``)."""

        if unit != "document":
            raise KotobaError(Errors.E606.format(unit=unit))
        X = self.design(tokens)
        proba = self.predict_proba(tokens, X)
        decided = proba >= self.thresholds_
        cb = self.codebook if self.codebook is not None else codebook_of_ids(self.code_ids_, self.code_labels_)
        units = tokens.corpus.units("document")
        values = {c: decided[:, j] for j, c in enumerate(self.code_ids_)}
        scores = pd.DataFrame(proba, columns=self.code_ids_, index=pd.Index(units["id"].to_numpy(), name="id"))

        def evidence() -> pd.DataFrame:
            rows = []
            for j in range(len(self.code_ids_)):
                for i in np.flatnonzero(decided[:, j]).tolist():
                    rows += model_evidence_rows(self, X, tokens, i, j, +1)
            return evidence_frame(rows)

        return CodingResult(cb, tokens, units, values, evidence, unit="document", scores=scores)

    # -- saving --------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Save to a model file (numpy arrays + JSON, no pickle); see :mod:`kotoba_code.coding.persistence`."""
        save_model(self, path)

    @classmethod
    def load(cls, path: str | Path, *, codebook: Codebook | None = None) -> LearnedCoder:
        """Load a model saved by :meth:`save` (a hybrid model file gives its learned part)."""
        meta, arrays = read_model_file(path)
        saved = meta.get("codebook")
        if codebook is not None and saved is not None:
            check_codebook(path, {**meta, "kind": "learned"}, codebook)
        return learned_from_file(meta, arrays, codebook)


def _readable(name: str) -> str:
    name = name.replace(BIGRAM_SEP, "+")
    return name.replace(NEG_MARK, "否定:") if name.startswith(NEG_MARK) else name


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: a 1-d logistic regression of the labels on decision values."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 0.0, float(logit(np.array([0.99 if y[0] else 0.01]))[0])
    m = LogisticRegression(C=1e4, max_iter=1000).fit(decision[:, None], y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def codebook_of_ids(ids: Sequence[str], labels: Sequence[str] | None = None) -> Codebook:
    """A codebook without rules for a text-only model's codes."""
    labels = list(labels) if labels is not None else list(ids)
    return Codebook.from_dict(
        {"codes": [{"id": c, "label": lab} for c, lab in zip(ids, labels, strict=True)]}, source="<model codes>"
    )


def model_evidence_rows(
    model: LearnedCoder, X: Design, tokens: Tokens, i: int, j: int, sign: int
) -> list[dict[str, Any]]:
    """Evidence rows for code ``j`` of answer ``i``: the features that weighed
    most, with the span of the first occurrence of a word feature."""
    text = tokens.corpus.texts[i]
    out = []
    for name, weight in model.explain(X, i, j, sign=sign):
        probe = name.removeprefix("否定:").split("+")[0].strip("「」")
        start = text.find(probe) if probe and not probe.startswith("(") else -1
        end = start + len(probe) if start >= 0 else -1
        out.append(
            {
                "unit": i,
                "code": model.code_ids_[j],
                "term": f"model{'+' if sign > 0 else '-'}: {name} ({weight:+.2f})",
                "start": start,
                "end": end,
            }
        )
    return out


def evidence_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "code", "term", "start", "end"])


def samples_to_training(
    samples: LabelledSample | Sequence[LabelledSample], codebook: Codebook | None, *, cache: bool | str = False
) -> tuple[Tokens, np.ndarray, list[str]]:
    """Join labelled samples into one tokenized corpus and its label matrix.

    An id present in several samples is kept once (its first labelling)."""
    items = [samples] if not isinstance(samples, (list, tuple)) else list(samples)
    if codebook is not None:
        code_ids = codebook.ids
    else:
        code_ids = sorted({c for s in items for codes in s.labels["codes"] for c in codes})
    if not code_ids:
        raise CorpusReadError(
            Errors.E612.format(path=", ".join(s.source for s in items), n=0, m=len(codebook) if codebook else 0)
        )
    ids: list[str] = []
    texts: list[str] = []
    ys = []
    seen: set[str] = set()
    for s in items:
        y = label_matrix(s, code_ids)
        for k, (i, t) in enumerate(zip(s.texts["id"].tolist(), s.texts["text"].tolist(), strict=True)):
            if i in seen:
                continue
            seen.add(i)
            ids.append(i)
            texts.append("" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t))
            ys.append(y[k])
    if not ids:
        raise CorpusReadError(Errors.E607.format(source=", ".join(s.source for s in items)))
    corpus = Corpus(ids, texts, name=", ".join(s.source for s in items))
    tokenizer = SudachiTokenizer(user_words=codebook.user_words if codebook is not None else ())
    tokens = tokenize(corpus, tokenizer=tokenizer, cache=cache)
    return tokens, np.vstack(ys), list(code_ids)


def tokenizer_for(settings: dict[str, Any]) -> Any:
    """A Sudachi tokenizer with the settings a model was trained with (its user words and split mode).

    Examples
    --------
    >>> s = {"backend": "sudachi", "split_mode": "C", "user_words": [["温度差", "名詞,普通名詞,一般,*,*,*"]]}
    >>> tokenizer_for(s).split_mode
    'C'
    """
    words = [f"{w}\t{p}" if p else w for w, p in settings.get("user_words", [])]
    return SudachiTokenizer(split_mode=str(settings.get("split_mode", "C")), user_words=words)


def learned_from_file(meta: dict[str, Any], arrays: dict[str, np.ndarray], codebook: Codebook | None) -> LearnedCoder:
    """The learned coder stored in a model file's header and arrays (checked by
    :func:`~kotoba_code.coding.persistence.read_model_file`)."""
    saved = meta.get("codebook")
    params = dict(meta["params"])
    if params.get("char_ngrams") is not None:
        params["char_ngrams"] = tuple(params["char_ngrams"])
    learned = LearnedCoder(codebook if saved is not None else None, **params)
    w = meta["word"]
    word = WordFeatures(w["key"], bigrams=w["bigrams"], negation=w["negation"], min_df=w["min_df"])
    word.space = TermSpace(list(w["terms"]), arrays["word_idf"])
    feats: dict[str, Any] = {"word": word}
    if meta.get("char"):
        char = CharFeatures(tuple(meta["char"]["ngram_range"]), min_df=meta["char"]["min_df"])
        char.keys, char.idf = arrays["char_keys"], arrays["char_idf"]
        feats["char"] = char
    if meta.get("vectors"):
        feats["vec"] = VectorFeatures(meta["vectors"], float(meta.get("vector_scale") or 1.0))
    learned.features_ = feats
    learned.code_ids_ = list(meta["codes"])
    learned.code_labels_ = list(meta["labels"])
    learned.coef_ = arrays["coef"]
    learned.intercept_ = arrays["intercept"]
    learned.platt_ = arrays["platt"]
    learned.thresholds_ = arrays["thresholds"]
    learned.active_ = arrays["active"].astype(bool)
    learned.base_rate_ = arrays["base_rate"]
    learned.vector_version_ = meta.get("vectors")
    learned.tokenizer_settings_ = meta["tokenizer"]
    learned.codebook_hash_ = saved["hash"] if saved else None
    learned.feature_names_ = learned._feature_names()
    return learned
