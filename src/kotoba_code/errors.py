"""Errors and warnings raised by kotoba_code.

Every message comes from the catalogue below, so a user (or a test) can
look an error up by its code. Code ranges follow the pipeline::

    E1xx  reading input (files, tables, columns, encodings)
    E2xx  tokenization (tokenizer settings, user words, cache)
    E3xx  codebooks and coding rules
    E4xx  interoperability (REFI-QDA, archives, KH Coder export, forms)
    E6xx  learned coding and review
    E9xx  command line

The exception tree::

    KotobaError
    ├── CorpusReadError   (also a ValueError)
    ├── TokenizerError    (also a RuntimeError)
    └── CodebookError     (also a ValueError)

Wrapping code re-raises lower-level errors with ``raise ... from exc`` so the
original cause stays visible to a developer while the user sees what to fix.
"""

from __future__ import annotations


class _ErrorsWithCodes(type):
    def __getattribute__(cls, name: str) -> str:
        msg = super().__getattribute__(name)
        if name.startswith("_") or not isinstance(msg, str):
            return msg
        return f"[{name}] {msg}"


class Errors(metaclass=_ErrorsWithCodes):
    # reading input
    E101 = "Cannot read {path}: {reason}"
    E102 = "{path}: no column {column!r}. Columns found: {columns}."
    E103 = (
        "{path}: cannot decode the file as {tried}. Pass encoding=... "
        "(on the command line: --encoding), e.g. 'cp932' for files saved by Excel."
    )
    E104 = "{path}: unsupported file type {suffix!r}. Use one of: {supported}."
    E105 = "{path}: duplicate id {id!r} in rows {rows}. Ids must be unique."
    E106 = "{path}: row {row} has an empty id in column {column!r}."
    E107 = "{path}: no sheet {sheet!r}. Sheets found: {sheets}."
    E108 = "{path}: line {line} is not valid JSON: {reason}"
    E109 = "{path}: the file has no rows."
    E110 = "{path}: no such file or directory."
    E111 = "Unit {unit!r} is not known. Use one of: {units}."
    E112 = "Metadata column {column!r} does not exist. Columns: {columns}."
    E114 = "{path}: row {row} (id {id}): unknown code id(s) {codes}. Codes of the codebook: {known}."
    # Folders of Excel forms (io/forms.py)
    E115 = "{path} is not a folder of Excel forms."
    E116 = "{path}: no question cells given: pass text_cells, for example {{'challenge': 'B10'}}."
    E117 = "{path}: metadata name(s) {names} are reserved ({reserved})."
    E118 = "{path}: the folder holds no forms."
    E113 = "Variables for level {level!r} need one row per unit: the corpus has {n_units}, the table {n_rows}."
    # tokenization
    E201 = "Unknown split mode {mode!r}: use 'A', 'B' or 'C'."
    E202 = "Document {id!r}: the tokenizer failed: {reason}"
    E203 = "{path}: line {line}: {reason}"
    E204 = "Unknown tokenizer backend {backend!r}: use 'sudachi' or 'ginza'."
    E205 = (
        "The GiNZA backend needs spaCy and the ja_ginza model: pip install 'ginza==5.3.0' 'ja-ginza==5.3.0' ({reason})"
    )
    E206 = "Unknown part of speech filter {pos!r}. Known top-level tags: {known}."
    # codebooks and rules
    E301 = "{where}, line {line}, code {code!r}: {msg}"
    E302 = "{where}, line {line}: duplicate code id {id!r} (first defined on line {first})."
    E303 = "{where}, line {line}, code {code!r}: refers to unknown code {ref!r}. Known codes: {known}."
    E304 = "{where}: cyclic code references: {cycle}."
    E305 = "{where}: not valid YAML: {reason}"
    E306 = "{where}: {msg}"
    E307 = "{where}: cannot decode the rule file as any of {tried}; save it as UTF-8."
    E308 = "Codebook {name!r} not found: it is neither a file nor a shipped codebook ({shipped})."
    E309 = "{where}, line {line}, code {code!r}: unknown synonym list ${name}. Lists: {known}."
    E310 = "Variable {name!r} is not in the corpus{used_by}. Variables: {known}."
    E311 = "{where}, line {line}, code {code!r}: unknown KH Coder part of speech {pos!r}. Known: {known}."
    # E4xx interoperability
    E401 = "{path}: not a zip archive ({reason})."
    E402 = "{path}: member {member!r} has an unsafe path (absolute or with '..'); the archive is refused."
    E403 = "{path}: {n:,} members, more than the limit of {limit:,}; the archive is refused."
    E404 = (
        "{path}: member {member!r} takes the uncompressed size beyond the limit of {limit:,} bytes "
        "(a zip bomb?); the archive is refused."
    )
    E405 = "{path}, member {member!r}: cannot be read: {reason}"
    E406 = "{path}, {member}: XML with a DTD or entity declarations is refused ({reason})."
    E407 = "{path}, {member}: not well-formed XML: {reason}"
    E408 = "{path}: not a REFI-QDA {kind}: {reason}"
    E409 = "{path}, code {code!r}: the kotoba-code block of its description is not valid YAML: {reason}"
    E410 = "{path}: {what} {name!r} contains {char!r}, which {encoding} cannot encode. Write with encoding='utf-8'."
    # E6xx learned coding and review
    E601 = "{path}: not a kotoba-code model file ({reason}); it was refused without running anything in it."
    E602 = (
        "{path}: the model was saved by kotoba-code {saved}; this is kotoba-code {current}. "
        "Train it again with this version (kotoba-code train)."
    )
    E603 = (
        "{path}: the model was trained with codebook {saved_name!r} (hash {saved}), "
        "but the codebook given, {name!r}, has hash {current}. Use the codebook it was trained with, or train again."
    )
    E604 = (
        "The model was trained on tokens made with other tokenizer settings ({diff}). "
        "Tokenize with the model's settings (its user words: SudachiTokenizer(user_words=model.user_words))."
    )
    E605 = "{path}: a rules + model (hybrid) model needs its codebook: pass --codebook {name}."
    E606 = "Learned coding codes whole answers only (unit='document'), not unit={unit!r}."
    E607 = "{source}: no labelled answers to train on."
    E608 = "The model uses GiNZA's word vectors (ja_ginza {version}), which cannot be loaded: {reason}"
    E609 = "The {what} is not trained yet: call fit() first."
    E610 = "{source}: code {code!r} is not among the codes of the samples or the codebook. Codes: {known}."
    E611 = "{path}: the review queue is written as .csv or .xlsx, not {suffix!r}."
    E612 = "{path}: the labels have {n} code(s) and the codebook {m}; a model needs at least one code."


class Warnings(metaclass=_ErrorsWithCodes):
    W101 = (
        "{path}: {n} line(s) could not be decoded as {encoding} and contain "
        "replacement characters (U+FFFD): lines {lines}."
    )
    W102 = "{path}: row {row} has {n} fields, expected {expected}; extra fields were joined."
    W103 = "{path}: form skipped: {reason}."
    W301 = "Codebook {where}, code {code!r}: {msg}"
    W201 = "Cache directory {path} is not writable ({reason}); tokenizing without cache."
    # W4xx interoperability
    W401 = "{path}: code(s) {codes} match no code of the codebook; their codings are ignored. Codebook: {known}."
    # W6xx learned coding and review
    W601 = (
        "Code {code!r} has {n} positive answer(s) in the training samples, fewer than {min}: "
        "the model does not learn it ({fallback})."
    )
    W602 = "{path}: {n} row(s) of the review file have no reviewed codes and are left out: rows {rows}."


class KotobaError(Exception):
    """Base class of every error kotoba_code raises on purpose."""


class CorpusReadError(KotobaError, ValueError):
    """An input file or table cannot be read as a corpus."""


class TokenizerError(KotobaError, RuntimeError):
    """Tokenization failed or was configured wrongly."""


class CodebookError(KotobaError, ValueError):
    """A codebook or one of its rules is invalid."""


class KotobaWarning(UserWarning):
    """Something was read or computed with a caveat the user should know."""
