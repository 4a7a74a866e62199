"""Errors and warnings raised by kotoba_code.

Every message comes from the catalogue below, so a user (or a test) can
look an error up by its code. Code ranges follow the pipeline::

    E1xx  reading input (files, tables, columns, encodings)
    E2xx  tokenization (tokenizer settings, user words, cache)
    E3xx  codebooks and coding rules
    E4xx  interoperability (REFI-QDA, archives, KH Coder export, forms)
    E5xx  analyses (correspondence analysis, MDS, clustering, topics, search, options)
    E6xx  learned coding and review
    E9xx  command line and output files

The exception tree::

    KotobaError
    ├── CorpusReadError   (also a ValueError)
    ├── TokenizerError    (also a RuntimeError)
    ├── CodebookError     (also a ValueError)
    ├── AnalysisError     (also a ValueError)
    └── OutputError       (also a ValueError)

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
    E121 = "Corpus: {n_ids} ids for {n_texts} texts; give one id per text."
    E111 = "Unit {unit!r} is not known. Use one of: {units}."
    E112 = "Metadata column {column!r} does not exist. Columns: {columns}."
    E114 = "{path}: row {row} (id {id}): unknown code id(s) {codes}. Codes of the codebook: {known}."
    # Folders of Excel forms (io/forms.py)
    E115 = "{path} is not a folder of Excel forms."
    E116 = "{path}: no question cells given: pass text_cells, for example {{'challenge': 'B10'}}."
    E117 = "{path}: metadata name(s) {names} are reserved ({reserved})."
    E118 = "{path}: the folder holds no forms."
    # Broken delimited tables (io/readers.py): "row N" counts records as a spreadsheet
    # shows them (header = row 1); "line N" is the physical line of the text file.
    E119 = (
        '{path}: {where}: a quoted field opens here and its closing quote (") is missing, so lines {line}-{last} '
        'would all become one answer. Close the quote, or write a quote inside an answer as two ("").'
    )
    E120 = (
        "{path}: line {line} contains a NUL byte{more}; a text table has none, so the file is damaged or not text. "
        "Remove the NUL bytes or save the table again as CSV.{hint}"
    )
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
    E207 = "A file ended before its data did ({reason}); it is truncated or still being written."
    # writing .xlsx (io/writers.py)
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
    E312 = (
        "{where}, line {line}, code {code!r}: the regular expression /{pattern}/ took longer than {seconds:.1f} s "
        "and was stopped (catastrophic backtracking?); rewrite it without nested repetition such as (a+)+."
    )
    E313 = "{where}, line {line}, code {code!r}: the rule is nested more than {limit} levels deep; simplify it."
    E314 = (
        "{where}, line {line}: this value is used again through a YAML alias (*name); "
        "aliases are not accepted in a codebook: write the values out."
    )
    E315 = "{where}: the codebook has no codes; add codes under 'codes:' (or categories)."
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
    E411 = "{path}: this is a REFI-QDA {found}, not a {expected}; pass a {suffix} file."
    E420 = "write_qdpx(): spans must be 'evidence' or 'unit', not {spans!r}."
    E410 = "{path}: {what} {name!r} contains {char!r}, which {encoding} cannot encode. Write with encoding='utf-8'."
    # E5xx analyses
    E501 = "{what}: the table needs at least 2 rows and 2 columns with counts; it has {rows} × {cols}."
    E502 = "{what}: counts must be finite and non-negative; column {column!r} has {value!r}."
    E503 = "{what}: {n} {kind} to analyse, at least {need} are needed. {hint}"
    E504 = "Term {term!r} occurs in no unit; nothing is associated with it. {hint}"
    E505 = "Code {code!r} is not in the codebook. Codes: {known}."
    E506 = "Number of topics {k} is not valid: use an integer from 2 to {max_k} (the corpus has {n_docs} documents)."
    E507 = "--find-k {spec!r}: use FROM:TO with 2 <= FROM < TO, e.g. 2:20."
    E508 = "Search rule {rule!r}: {reason}"
    E531 = "Unknown keyness measure {measure!r}. Use one of: {known}."
    E532 = "Unknown co-occurrence measure {measure!r}. Use one of: {known}."
    E533 = "Unknown word key {key!r}. Use one of: {known}."
    E534 = "Unknown KWIC match {match!r}. Use one of: {known}."
    E535 = "Unknown KWIC sort order {sort!r}. Use one of: {known}."
    E536 = "Unknown community detection {communities!r}. Use one of: {known}."
    E537 = "{func}() takes {takes}, not the path {path}: read it first with kotoba_code.io.labels.{reader}()."
    E538 = "{func}(): {param} must be one of {known}; got {value!r}."
    E539 = "{func}(): {msg}"
    # Output for people (issue #15)
    E511 = "Unknown output language {lang!r}. Use one of: {known}."
    E512 = "{func}(): {param} must be {expected}; got {value!r}."
    E513 = "{path}, line {line}: {reason} (a synonym line is 'preferred,variant,variant …')."
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
    E613 = "Character n-grams of length 1 to 3 only; got ngram_range={ngram_range!r}."
    # E9xx command line and output files
    E901 = "{path}: unsupported output format {suffix!r} for {what}. Use one of: {supported}."
    # Values an .xlsx file cannot hold: every value is checked before writing.
    E902 = (
        "{path}: row {row}, column {column!r} holds the control character {char}, which an .xlsx cell cannot "
        "hold; write .csv, .parquet or .jsonl instead, or remove it from the input."
    )
    E903 = (
        "{path}: row {row}, column {column!r} holds {n:,} characters, more than the 32,767 an Excel cell holds; "
        "write .csv, .parquet or .jsonl instead."
    )
    E904 = "{path}: {n:,} rows, more than the {limit:,} an Excel sheet holds; write .csv, .parquet or .jsonl instead."
    E905 = (
        "{path}: the rows from row {row:,} on do not fit the column types of the rows before ({why}); "
        "write the table at once."
    )


class Warnings(metaclass=_ErrorsWithCodes):
    W101 = (
        "{path}: {n} line(s) could not be decoded as {encoding} and contain "
        "replacement characters (U+FFFD): lines {lines}."
    )
    W102 = "{path}: row {row} has {n} fields, expected {expected}; extra fields were joined."
    W103 = "{path}: form skipped: {reason}."
    W104 = "{path}: {n} row(s) have fewer fields than the header ({expected}); the missing fields are empty: {rows}."
    W105 = (
        "{path}: {where}: a quoted answer spans {k} lines, and line(s) {lines} inside it look like rows of their own. "
        "A closing quote may be missing earlier; check the row (it is kept as read)."
    )
    W301 = "Codebook {where}, code {code!r}: {msg}"
    W201 = "Cache directory {path} is not writable ({reason}); tokenizing without cache."
    W202 = "Token cache entry {path} is damaged ({reason}); it was discarded and the corpus is tokenized afresh."
    # W4xx interoperability
    W401 = "{path}: code(s) {codes} match no code of the codebook; their codings are ignored. Codebook: {known}."
    # W5xx analyses
    W501 = "{what}: rows or columns with no counts left out: {names}."
    W502 = "Non-metric MDS did not converge in {max_iter} iterations (stress {stress:.4f}); the layout may be rough."
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


class AnalysisError(KotobaError, ValueError):
    """An analysis was asked for with an option it does not know."""


class OutputError(KotobaError, ValueError):
    """A result cannot be written as asked (for example an unknown file format)."""

    """An analysis cannot be computed from the data or settings given."""


class KotobaWarning(UserWarning):
    """Something was read or computed with a caveat the user should know."""
