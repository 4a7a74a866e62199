"""Word association (KH Coder's 関連語検索): the words most associated with the
units that contain a word, or that carry a code.

With N units, the target set T (units containing the word or carrying the
code, n_T of them), and for each other word w its units df_w and a = units
in T that contain w:

=========================  ==========================================
``p_word``                 P(w) = df_w / N          (KH Coder's 全体, 前提確率)
``p_word_given_target``    P(w | T) = a / n_T       (KH Coder's 共起, 条件付き確率)
``p_target_given_word``    P(T | w) = a / df_w
``jaccard``                a / (n_T + df_w - a)     (KH Coder's default sort)
``lift``                   P(w | T) / P(w)
=========================  ==========================================

``measure="conditional"`` sorts by P(w | T).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kotoba_code.analysis._terms import word_ids
from kotoba_code.analysis.cooccurrence import Cooccurrence
from kotoba_code.analysis.frequency import counting_tokens, doc_term_matrix, unit_term_matrix
from kotoba_code.errors import AnalysisError, Errors
from kotoba_code.tokenize.tokens import Tokens

if TYPE_CHECKING:
    from kotoba_code.coding.result import CodingResult

ASSOCIATION_MEASURES = ("jaccard", "conditional", "lift")


def related_words(
    data: Tokens | CodingResult,
    term: str | None = None,
    *,
    code: str | None = None,
    measure: str = "jaccard",
    unit: str = "document",
    top: int | None = 30,
    min_df: int = 2,
    pos: Iterable[str] | None = None,
    stop_words: Iterable[str] | str | Path | None = None,
) -> pd.DataFrame:
    """Words associated with the units containing ``term`` (or carrying ``code``).

    Parameters
    ----------
    data : Tokens or CodingResult
        Tokens for a ``term``; a coding result for a ``code`` (its unit is used).
    term : str, optional
        A word (dictionary form or surface; ``*`` is a glob: ``連携*``).
    code : str, optional
        A code id of the coding result.
    measure : {"jaccard", "conditional", "lift"}, default="jaccard"
        Sort order; every measure is in the table.
    unit : {"document", "paragraph", "sentence"}, default="document"
        Unit in which words are counted as present (tokens only).
    top : int or None, default=30
    min_df : int, default=2
        Leave out words in fewer units (lift favours rare words otherwise).

    Returns
    -------
    DataFrame
        ``word``, ``pos``, ``units`` (df_w), ``cooccur`` (a), the measures of
        the module docstring, sorted by ``measure`` (then ``cooccur``, word).
        ``attrs`` holds ``target``, ``n_target`` and ``n_units``.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> texts = ["ハローワークと連携", "ハローワークと連携し面接", "面接の練習", "連携が課題"]
    >>> t = related_words(tokenize(Corpus.from_texts(texts), cache=False), "ハローワーク", min_df=1)
    >>> t[["word", "cooccur", "jaccard", "p_word_given_target"]].values.tolist()
    [['連携', 2, 0.6666666666666666, 1.0], ['面接', 1, 0.3333333333333333, 0.5]]
    """
    if measure not in ASSOCIATION_MEASURES:
        raise AnalysisError(
            Errors.E538.format(
                func="related_words", param="measure", known=", ".join(ASSOCIATION_MEASURES), value=measure
            )
        )
    if (term is None) == (code is None):
        raise AnalysisError(Errors.E539.format(func="related_words", msg="give either term or code"))
    if isinstance(data, Tokens):
        if code is not None:
            raise AnalysisError(Errors.E539.format(func="related_words", msg="code needs a CodingResult"))
        tokens = data
    else:
        tokens, unit = data.tokens, data.unit
    tokens = counting_tokens(tokens)
    gid, terms = word_ids(tokens, pos=pos, stop_words=stop_words)
    X = _presence(tokens, gid, len(terms), unit)
    if term is not None:
        vocab = tokens.vocab
        wanted = _match_vocab(vocab, term)
        hit = doc_term_matrix(tokens, np.where(wanted, 0, -1), n_terms=1) if unit == "document" else None
        if hit is None:
            hit = unit_term_matrix(tokens, np.where(wanted, 0, -1), n_terms=1, units=tokens.corpus.units(unit))
        target = np.asarray(hit.sum(axis=1)).ravel() > 0
        if not target.any():
            raise AnalysisError(
                Errors.E504.format(term=term, hint="Check its dictionary form (kotoba-code kwic) or use a * glob.")
            )
        # The word itself (every term it matched) is not its own associate.
        own = np.unique(gid[wanted & (gid >= 0)])
        target_label = term
    else:
        assert code is not None
        result = data
        if code not in result.matrix.columns:
            raise AnalysisError(Errors.E505.format(code=code, known=", ".join(result.matrix.columns)))
        target = result.matrix[code].to_numpy(dtype=bool)
        if len(target) != X.shape[0]:  # pragma: no cover - both come from the corpus's unit table
            raise RuntimeError("unit tables differ")
        own = np.zeros(0, dtype=np.int64)
        target_label = code
    n_units = X.shape[0]
    n_t = int(target.sum())
    df = np.asarray(X.sum(axis=0)).ravel().astype(float)
    a = np.asarray(X[target].sum(axis=0)).ravel().astype(float)
    keep = (a > 0) & (df >= max(min_df, 1))
    keep[own] = False
    idx = np.flatnonzero(keep)
    a, dfw = a[idx], df[idx]
    out = pd.DataFrame(
        {
            "word": terms["label"].to_numpy()[idx],
            "pos": terms["pos"].to_numpy()[idx],
            "units": dfw.astype(np.int64),
            "cooccur": a.astype(np.int64),
            "p_word": dfw / n_units,
            "p_word_given_target": a / n_t,
            "p_target_given_word": a / dfw,
            "jaccard": a / (n_t + dfw - a),
            "lift": (a / n_t) / (dfw / n_units),
        }
    )
    sort_col = {"jaccard": "jaccard", "conditional": "p_word_given_target", "lift": "lift"}[measure]
    out = out.sort_values([sort_col, "cooccur", "word"], ascending=[False, False, True], kind="stable")
    if top is not None:
        out = out.head(top)
    out = out.reset_index(drop=True)
    out.attrs.update({"target": target_label, "n_target": n_t, "n_units": n_units, "measure": measure})
    return out


def _presence(tokens: Tokens, gid: np.ndarray, n_terms: int, unit: str) -> Any:
    X = (
        doc_term_matrix(tokens, gid, n_terms=n_terms)
        if unit == "document"
        else unit_term_matrix(tokens, gid, n_terms=n_terms, units=tokens.corpus.units(unit))
    )
    X.data = np.ones_like(X.data)
    return X.tocsr()


def _match_vocab(vocab: pd.DataFrame, term: str) -> np.ndarray:
    """Vocabulary entries whose dictionary form, normalised form or surface is ``term`` (a glob with ``*``)."""
    cols = [c for c in ("lemma", "norm", "surface") if c in vocab.columns]
    mask = np.zeros(len(vocab), dtype=bool)
    for c in cols:
        values = vocab[c].astype(str)
        if any(ch in term for ch in "*?["):
            mask |= values.map(lambda v: fnmatch.fnmatchcase(v, term)).to_numpy(dtype=bool)
        else:
            mask |= (values == term).to_numpy()
    return mask


def association_graph(
    table: pd.DataFrame, data: Tokens | CodingResult, *, unit: str = "document", top: int = 15
) -> Any:
    """A small network for a :func:`related_words` table: the target in the
    middle joined to its ``top`` associates (edge weight: the table's measure),
    and the associates joined to each other where their Jaccard coefficient
    over units is among the strongest ``top`` pairs.

    Examples
    --------
    >>> from kotoba_code import Corpus, tokenize
    >>> tok = tokenize(Corpus.from_texts(["ハローワークと連携", "ハローワークで面接", "連携と面接"]), cache=False)
    >>> g = association_graph(related_words(tok, "ハローワーク", min_df=1), tok)
    >>> sorted(g.nodes), g.number_of_edges()
    (['ハローワーク', '連携', '面接'], 3)
    """
    import networkx as nx

    tokens = data if isinstance(data, Tokens) else data.tokens
    if not isinstance(data, Tokens):
        unit = data.unit
    sub = table.head(top)
    measure = table.attrs.get("measure", "jaccard")
    col = {"jaccard": "jaccard", "conditional": "p_word_given_target", "lift": "lift"}[measure]
    target = str(table.attrs.get("target", "target"))
    g = nx.Graph(measure=measure)
    g.add_node(target, label=target, kind="group", frequency=int(table.attrs.get("n_target", 1)))
    wmax = float(sub[col].max()) if len(sub) else 1.0
    for r in sub.itertuples():
        g.add_node(r.word, label=r.word, kind="word", frequency=int(r.units), community=1)
        g.add_edge(target, r.word, weight=float(getattr(r, col)) / (wmax or 1.0))
    tokens = counting_tokens(tokens)
    gid, terms = word_ids(tokens)
    lookup = {lab: i for i, lab in enumerate(terms["label"])}
    cols = [lookup[w] for w in sub["word"] if w in lookup]
    if len(cols) > 1:
        X = _presence(tokens, gid, len(terms), unit)[:, cols]
        co = Cooccurrence.from_matrix(X, pd.DataFrame({"term": [terms["label"][i] for i in cols]}))
        pairs = co.similarity("jaccard").head(top)
        for r in pairs.itertuples():
            g.add_edge(co.terms["term"][r.i], co.terms["term"][r.j], weight=float(r.weight))
    return g
