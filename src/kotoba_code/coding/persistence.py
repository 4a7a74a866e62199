"""Saving and loading learned models without pickle.

A model file is a numpy ``.npz`` archive holding only numeric arrays, plus one
array of UTF-8 bytes with a JSON header (``meta``): the kind of model, the
kotoba-code version that wrote it, the tokenizer settings, the codebook's
name and hash, the code ids and the feature vocabulary. It is read with
``numpy.load(allow_pickle=False)``, so a file from someone else can hold
nothing that runs when loaded: a pickle payload or an object array is refused
(E601), as is anything that is not a well-formed model.

Loading checks the stamps: another kotoba-code version (E602) or another
codebook than the one the model was trained with (E603) is a clear error;
tokens made with other tokenizer settings are refused when coding (E604).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kotoba_code._version import __version__
from kotoba_code.coding.base import codebook_hash
from kotoba_code.coding.features import WordFeatures
from kotoba_code.errors import CorpusReadError, Errors, KotobaError

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.coding.hybrid import HybridCoder
    from kotoba_code.coding.learned import LearnedCoder

FORMAT = "kotoba-code-model"
FORMAT_VERSION = 1
_NUMERIC = "biuf"


def _library_version() -> str:
    return __version__


def save_model(model: LearnedCoder | HybridCoder, path: str | Path) -> None:
    """Write ``model`` to ``path`` (``.npz`` archive of arrays + JSON; no pickle).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from kotoba_code import Corpus, tokenize
    >>> from kotoba_code.coding import LearnedCoder, load_model
    >>> toks = tokenize(Corpus.from_texts(["人手が足りない", "特になし"] * 4), cache=False)
    >>> m = LearnedCoder(vectors=False, cv=2, min_positives=1).fit(toks, np.array([[1], [0]] * 4), code_ids=["staff"])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_model(m, f"{d}/m.kcm")
    ...     again = load_model(f"{d}/m.kcm")
    >>> bool((again.predict_proba(toks) == m.predict_proba(toks)).all())
    True
    """
    # A hybrid coder wraps a learned one (duck-typed: this module sits below both).
    hybrid = model if hasattr(model, "learned_") else None
    learned = model.learned_ if hybrid is not None else model
    if not hasattr(learned, "coef_"):
        raise KotobaError(Errors.E609.format(what="model"))
    feats = learned.features_
    word: WordFeatures = feats["word"]
    meta: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": "hybrid" if hybrid is not None else "learned",
        "library_version": _library_version(),
        "tokenizer": learned.tokenizer_settings_,
        "codebook": None,
        "codes": learned.code_ids_,
        "labels": learned.code_labels_,
        "params": {k: v for k, v in learned.get_params().items() if k != "codebook"},
        "word": {**word.get_state(), "terms": word.space.terms},
        "char": {"ngram_range": list(feats["char"].ngram_range), "min_df": feats["char"].min_df}
        if "char" in feats
        else None,
        "vectors": learned.vector_version_,
        "vector_scale": feats["vec"].scale if "vec" in feats else None,
    }
    cb = hybrid.codebook if hybrid is not None else learned.codebook
    if cb is not None:
        meta["codebook"] = {"name": cb.name or cb.source, "hash": codebook_hash(cb)}
    if hybrid is not None:
        meta["hybrid"] = {"tuned_weight": hybrid.tuned_weight, "combiner_C": hybrid.combiner_C}
        meta["hybrid_used"] = hybrid.combiner_params_
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "coef": learned.coef_,
        "intercept": learned.intercept_,
        "platt": learned.platt_,
        "thresholds": learned.thresholds_,
        "active": learned.active_.astype(np.int8),
        "base_rate": learned.base_rate_,
        "word_idf": word.space.idf,
    }
    if "char" in feats:
        arrays["char_keys"] = feats["char"].keys
        arrays["char_idf"] = feats["char"].idf
    if hybrid is not None:
        arrays["combiner"] = hybrid.combiner_
        arrays["hybrid_thresholds"] = hybrid.thresholds_
    path = Path(path)
    # np.savez adds ".npz" to a name without it; write through a file object
    # so the model keeps the name the user chose.
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)


def _refuse(path: Path, reason: str) -> KotobaError:
    return KotobaError(Errors.E601.format(path=path, reason=reason))


def read_model_file(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The JSON header and the arrays of a model file, checked, without building a model."""
    path = Path(path)
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    try:
        with np.load(path, allow_pickle=False) as z:
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise _refuse(path, "a single array, not a model archive")
            arrays = {k: z[k] for k in z.files}
    except KotobaError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
        raise _refuse(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    for k, a in arrays.items():
        if a.dtype.kind not in _NUMERIC:
            raise _refuse(path, f"array {k!r} has type {a.dtype}")
    if "meta" not in arrays or arrays["meta"].dtype != np.uint8:
        raise _refuse(path, "no model header")
    try:
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path, f"the header is not JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _refuse(path, "the header does not name the kotoba-code model format")
    need = {"coef", "intercept", "platt", "thresholds", "active", "base_rate", "word_idf"}
    if meta.get("kind") == "hybrid":
        need |= {"combiner", "hybrid_thresholds"}
    missing = need - set(arrays)
    if missing:
        raise _refuse(path, f"arrays missing: {', '.join(sorted(missing))}")
    if meta.get("library_version") != _library_version():
        raise KotobaError(Errors.E602.format(path=path, saved=meta.get("library_version"), current=_library_version()))
    k, d = len(meta["codes"]), len(meta["word"]["terms"])
    n_char = len(arrays.get("char_keys", ()))
    n_feat = d + n_char + (300 if meta.get("vectors") else 0)
    if arrays["coef"].shape != (k, n_feat) or arrays["word_idf"].shape != (d,):
        raise _refuse(path, f"array shapes do not match the header ({arrays['coef'].shape} for {k} codes)")
    return meta, arrays


def check_codebook(path: str | Path, meta: dict[str, Any], codebook: Codebook | None) -> None:
    """Refuse a model trained with another codebook (E603), or a hybrid model without one (E605)."""
    saved = meta.get("codebook")
    if codebook is not None and saved is not None and codebook_hash(codebook) != saved["hash"]:
        raise KotobaError(
            Errors.E603.format(
                path=path,
                saved_name=saved["name"],
                saved=saved["hash"],
                name=codebook.name or codebook.source,
                current=codebook_hash(codebook),
            )
        )
    if meta["kind"] == "hybrid" and codebook is None:
        raise KotobaError(Errors.E605.format(path=path, name=saved["name"] if saved else "CODEBOOK"))
