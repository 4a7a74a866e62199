"""Reading KH Coder coding-rule files (``.cod`` / ``.txt``) as codebooks.

``＊name`` or ``*name`` starts a code (its id and label are the name without
the asterisk), ``#`` starts a comment line, and the condition runs over the
following lines up to the next code. Files may be cp932, EUC-JP or UTF-8 with
or without a BOM. KH Coder has no negation awareness, so a codebook read from
such a file counts negated words too (``negation=False``), as KH Coder does.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from kotoba_code.errors import CodebookError, CorpusReadError, Errors, KotobaWarning
from kotoba_code.textfile import decode_bytes


def parse_khcoder_rules(path: str | Path, *, encoding: str | None = None) -> dict[str, Any]:
    """Read a KH Coder rule file as codebook data (the structure
    :meth:`Codebook.from_dict <kotoba_code.codebook.Codebook.from_dict>` takes).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.cod"
    >>> _ = p.write_text("# test\\n＊死\\n死ぬ or 死\\n\\n*先生\\n先生 >= 2\\n", encoding="cp932")
    >>> [(c["id"], c["rule"], c["__line__"]) for c in parse_khcoder_rules(p)["codes"]]
    [('死', '死ぬ or 死', 3), ('先生', '先生 >= 2', 6)]
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CodebookError(Errors.E306.format(where=path, msg=exc.strerror or exc)) from exc
    try:
        with warnings.catch_warnings():
            # Undecodable bytes are an error for a rule file, not a warning.
            warnings.simplefilter("ignore", KotobaWarning)
            text, _ = decode_bytes(raw, path=path, encoding=encoding)
    except CorpusReadError as exc:
        raise CodebookError(Errors.E307.format(where=path, tried="UTF-8, cp932, EUC-JP")) from exc
    if "\ufffd" in text:
        raise CodebookError(Errors.E307.format(where=path, tried="UTF-8, cp932, EUC-JP"))
    codes: list[dict[str, Any]] = []
    name: str | None = None
    body: list[str] = []
    first_line = 0

    def flush() -> None:
        if name is not None:
            rule = "\n".join(body).strip("\n")
            # Leading blank lines are dropped: count them to keep line numbers right.
            lead = len(body) - len("\n".join(body).lstrip("\n").split("\n")) if body else 0
            line = first_line + max(lead, 0)
            codes.append({"id": name, "label": name, "rule": rule, "__line__": line, "__lines__": {"rule": line}})

    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("＊", "*")):
            flush()
            name = stripped[1:].strip()
            if not name:
                raise CodebookError(Errors.E306.format(where=path, msg=f"line {no}: a code name is empty"))
            body, first_line = [], no + 1
        elif stripped.startswith("#") or name is None:
            if name is not None:
                body.append("")
            continue
        else:
            body.append(line)
    flush()
    if not codes:
        raise CodebookError(Errors.E306.format(where=path, msg="no code found: a code starts with a line '＊name'"))
    # KH Coder has no negation awareness: a rule file counts negated words too.
    return {"name": path.stem, "negation": False, "codes": codes}
