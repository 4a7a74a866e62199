"""REFI-QDA exchange: codebooks (``.qdc``) and projects (``.qdpx``).

REFI-QDA 1.5 is how ATLAS.ti, MAXQDA, NVivo, QualCoder and other QDA programs
exchange codebooks and coded projects. With it a team can review
machine-coded answers in the tool its coders know, and bring their codes back
as a labelled sample for ``kotoba-code test``:

* :func:`write_qdc` / :func:`read_qdc`: a codebook. Categories become
  non-codable parent codes, nested codes stay nested, and everything a QDA
  program has no field for (the code id, the rule, include/exclude notes,
  examples) travels in a ``kotoba-code:`` YAML block at the end of the code's
  description, where a coder can read and even edit it. The synonyms, user
  words and negation setting travel the same way in a code set named after
  the codebook. Codes from other tools need no such block: they become codes
  without rules.
* :func:`write_qdpx` / :func:`read_qdpx`: a project. Every document is a
  UTF-8 text source, metadata are case variables, and every evidence span
  (or coded unit) is a ``PlainTextSelection`` coded with its codes.
  Offsets count Unicode code points, as Python strings do.
* :func:`read_qdpx_labels`: a project coded by people as a
  :class:`~kotoba_code.evaluate.LabelledSample`.

GUIDs are derived from ids (UUID 5), so exporting the same codebook or corpus
again gives the same GUIDs and a QDA program sees the same objects.
Archives and XML are read as untrusted input (:mod:`kotoba_code.io.archive`).
"""

from __future__ import annotations

import re
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from kotoba_code._version import __version__
from kotoba_code.codebook.model import COLOR, MAX_CODE_NESTING, Code, Codebook, load_untrusted_yaml
from kotoba_code.coding.result import CodingResult
from kotoba_code.errors import CodebookError, CorpusReadError, Errors, KotobaWarning, OutputError, Warnings
from kotoba_code.evaluate.samples import LabelledSample
from kotoba_code.io.archive import MAX_MEMBERS, MAX_TOTAL_BYTES, MAX_XML_BYTES, check_zip, parse_xml_stream
from kotoba_code.io.codebook_yaml import dump_yaml

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from kotoba_code.codebook.model import Codebook
    from kotoba_code.corpus import Corpus

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
MACHINE_USER = "kotoba_code"
# Fixed namespace of the name-based GUIDs; never change it, or re-exports
# stop matching earlier ones.
_GUID_NAMESPACE = uuid.UUID("6f1c3a52-8d2e-5b7a-9c41-2e8f0d6a4b13")
_CODE_KEY = "kotoba-code"
_CODEBOOK_KEY = "kotoba-codebook"
# Tableau 10: distinct on screen and in print; one colour per top-level branch.
_PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BAB0AC",
)
_XML_INVALID_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def make_guid(kind: str, key: str) -> str:
    """A GUID that depends only on the kind of object and its id.

    Examples
    --------
    >>> make_guid("code", "engagement_gap") == make_guid("code", "engagement_gap")
    True
    >>> len(make_guid("code", "gap"))
    36
    """
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}"))


# -- descriptions with a kotoba-code block --------------------------------------


def join_trailer(description: str, key: str, data: dict[str, Any]) -> str:
    """A description followed by a YAML block ``key:`` holding ``data``.

    Examples
    --------
    >>> print(join_trailer("組織間の温度差", "kotoba-code", {"id": "gap", "rule": "温度差"}))
    組織間の温度差
    <BLANKLINE>
    kotoba-code:
      id: gap
      rule: 温度差
    """
    block = dump_yaml({key: data}).rstrip("\n")
    return f"{description}\n\n{block}" if description else block


def split_trailer(text: str, key: str, *, where: str = "<description>") -> tuple[str, dict[str, Any] | None]:
    """Split a description into its text and the ``key:`` block after it (or None).

    Examples
    --------
    >>> split_trailer("組織間の温度差\\n\\nkotoba-code:\\n  id: gap\\n", "kotoba-code")
    ('組織間の温度差', {'id': 'gap'})
    >>> split_trailer("a note from NVivo", "kotoba-code")
    ('a note from NVivo', None)
    """
    marks = list(re.finditer(rf"(?m)^{re.escape(key)}:[ \t]*$", text))
    if not marks:
        return text, None

    start = marks[-1].start()
    try:
        # The file may come from anyone: no aliases (a "billion laughs" in a description).
        data = load_untrusted_yaml(text[start:], where=where)[key]
    except (CodebookError, TypeError) as exc:
        raise CodebookError(Errors.E409.format(path=where, code=key, reason=str(exc).replace("\n", " "))) from exc
    if not isinstance(data, dict):
        raise CodebookError(Errors.E409.format(path=where, code=key, reason=f"'{key}:' must hold a mapping"))
    before = text[:start]
    return before[:-2] if before.endswith("\n\n") else before, data


# -- XML helpers ---------------------------------------------------------------


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    """A child element; text and attributes cleaned of characters XML cannot hold."""
    el = ET.SubElement(parent, tag, {k: _XML_INVALID_RE.sub("\ufffd", v) for k, v in attrs.items()})
    if text is not None:
        el.text = _XML_INVALID_RE.sub("\ufffd", text)
    return el


def _root(tag: str, namespace: str, **attrs: str) -> Element:
    # Unprefixed tags plus a default xmlns: the namespace is declared once and
    # no ns0: prefixes appear, whatever ElementTree's global registry holds.
    return ET.Element(tag, {"xmlns": namespace, **attrs})


def _to_bytes(root: Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _kid(el: Element, name: str) -> Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _description(el: Element) -> str:
    d = _kid(el, "Description")
    return d.text or "" if d is not None else ""


# -- codebooks -----------------------------------------------------------------


def _add_codes(parent: Element, codebook: Codebook) -> dict[str, str]:
    """Add ``Codes`` with categories and nested codes; return code id → GUID."""
    children: dict[str, list[Any]] = {}
    for code in codebook.codes:
        children.setdefault(code.category, []).append(code)
    code_ids = set(codebook.ids)
    categories = list(codebook.categories) + [
        c for c in children if c and c not in codebook.categories and c not in code_ids
    ]
    codes_el = _sub(parent, "Codes")
    guids: dict[str, str] = {}
    for k, cat in enumerate(categories):
        colour = _PALETTE[k % len(_PALETTE)]
        el = _sub(codes_el, "Code", guid=make_guid("category", cat), name=codebook.categories.get(cat, cat))
        el.set("isCodable", "false")
        el.set("color", colour)
        _sub(el, "Description", join_trailer("", _CODE_KEY, {"category": cat}))
        _add_code_elements(el, children.get(cat, []), children, colour, guids)
    for k, code in enumerate(children.get("", []), start=len(categories)):
        _add_code_elements(codes_el, [code], children, _PALETTE[k % len(_PALETTE)], guids)
    return guids


def _add_code_elements(
    parent: Element, codes: list[Any], children: dict[str, list[Any]], colour: str, guids: dict[str, str]
) -> None:
    for code in codes:
        guids[code.id] = make_guid("code", code.id)
        el = _sub(parent, "Code", guid=guids[code.id], name=code.label, isCodable="true", color=code.color or colour)
        block: dict[str, Any] = {"id": code.id}
        for key in ("rule", "include", "exclude"):
            if getattr(code, key):
                block[key] = getattr(code, key)
        if code.examples:
            block["examples"] = list(code.examples)
        if code.color:
            block["color"] = code.color
        _sub(el, "Description", join_trailer(code.description, _CODE_KEY, block))
        _add_code_elements(el, children.get(code.id, []), children, colour, guids)


def _settings_set(codebook: Codebook) -> tuple[str, str, str]:
    """GUID, name and description of the code set carrying codebook settings."""
    name = codebook.name or "kotoba_code codebook"
    settings: dict[str, Any] = {"name": codebook.name, "negation": codebook.negation}
    if codebook.user_words:
        settings["user_words"] = list(codebook.user_words)
    if codebook.synonyms:
        settings["synonyms"] = {k: list(v) for k, v in codebook.synonyms.items()}
    if codebook.optional_variables:
        settings["optional_variables"] = list(codebook.optional_variables)
    text = join_trailer(
        "Codebook settings of kotoba_code (synonym lists, user words, negation).", _CODEBOOK_KEY, settings
    )
    return make_guid("codebook", name), name, text


def write_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write a codebook as a REFI-QDA codebook (``.qdc``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差 | 意識+の+差"}]})
    >>> p = write_qdc(cb, pathlib.Path(tempfile.mkdtemp()) / "cb.qdc")
    >>> read_qdc(p)["gap"].rule
    '温度差 | 意識+の+差'
    """
    path = Path(path)
    if not codebook.codes:
        raise CodebookError(Errors.E306.format(where=path, msg="the codebook has no codes; a .qdc needs one"))
    root = _root("CodeBook", CODEBOOK_NS, origin=f"kotoba_code {__version__}")
    guids = _add_codes(root, codebook)
    set_guid, set_name, set_text = _settings_set(codebook)
    set_el = _sub(_sub(root, "Sets"), "Set", guid=set_guid, name=set_name)
    _sub(set_el, "Description", set_text)
    for guid in guids.values():
        _sub(set_el, "MemberCode", guid=guid)
    path.write_bytes(_to_bytes(root))
    return path


def read_qdc(path: str | Path, *, max_bytes: int = MAX_XML_BYTES) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) written by kotoba_code or any QDA program.

    Codes written by kotoba_code come back with their ids, rules and notes.
    Codes from other programs take their name as id (made unique with a
    suffix) and have no rule; top-level codes that cannot be coded are
    categories. A code's own colour (``#RRGGBB``) is kept; codes written by
    kotoba_code keep the colour they had here (none, unless the codebook gave
    one), not the category colour the export showed them in.
    """
    path = Path(path)
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    if _sniff(path) == "zip":
        raise CorpusReadError(
            Errors.E411.format(path=path, found="project (.qdpx)", expected="codebook (.qdc)", suffix=".qdc")
        )
    with path.open("rb") as f:
        root = parse_xml_stream(f, path=path, member=path.name, max_bytes=max_bytes, declared=path.stat().st_size)
    if _local(root.tag) == "Project":
        raise CorpusReadError(
            Errors.E411.format(path=path, found="project file (.qde)", expected="codebook (.qdc)", suffix=".qdc")
        )
    if _local(root.tag) != "CodeBook" or _kid(root, "Codes") is None:
        raise CorpusReadError(Errors.E408.format(path=path, kind="codebook", reason="no <CodeBook> with <Codes>"))
    records = read_code_records(root, where=str(path))
    cb = build_codebook(records, _read_settings(root, where=str(path)), source=str(path), default_name=path.stem)
    if not cb.codes:
        raise CodebookError(Errors.E315.format(where=path))
    return cb


def _sniff(path: Path) -> str:
    """``"zip"`` for a zip archive (a .qdpx), ``"codebook"`` for XML whose
    root is ``<CodeBook>`` (a .qdc), else ``""``: to tell someone who passed
    one for the other what to pass instead."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    text = head.decode("utf-8", "replace")
    return "codebook" if re.search(r"<(\w+:)?CodeBook[\s>]", text) and "<Project" not in text else ""


def read_code_records(parent: Element, *, where: str) -> list[dict[str, Any]]:
    """One record per ``Code`` under ``parent``'s ``Codes``, parents first.

    Keys: ``kind`` (``code`` or ``category``), ``guid``, ``id``, ``label``,
    ``parent`` (id of the enclosing category or code, ``""`` at the top),
    ``codable``, ``color``, ``description``, ``rule``, ``include``,
    ``exclude``, ``examples``.
    """
    codes_el = _kid(parent, "Codes")
    records: list[dict[str, Any]] = []
    taken: set[str] = set()

    def visit(el: Element, parent_id: str, depth: int) -> None:
        if depth > MAX_CODE_NESTING:
            reason = f"codes nested more than {MAX_CODE_NESTING} levels deep"
            raise CorpusReadError(Errors.E408.format(path=where, kind="codebook", reason=reason))
        label = el.get("name", "")
        codable = el.get("isCodable", "true").strip().lower() in ("true", "1")
        description, block = split_trailer(_description(el), _CODE_KEY, where=f"{where}, code {label!r}")
        block = block or {}
        if "category" in block or (not block and depth == 0 and not codable):
            kind, cid = "category", str(block.get("category") or _unique(label or el.get("guid", ""), taken))
        else:
            kind, cid = "code", str(block.get("id") or _unique(label or el.get("guid", ""), taken))
        taken.add(cid)
        records.append(
            {
                "kind": kind,
                "guid": el.get("guid", ""),
                "id": cid,
                "label": label or cid,
                "parent": parent_id,
                "codable": codable,
                # Our own export colours codes by category; the code's own
                # colour, if any, travels in the block.
                "color": str(block.get("color", "") or "") if block else el.get("color", ""),
                "description": description,
                "rule": str(block.get("rule", "") or ""),
                "include": str(block.get("include", "") or ""),
                "exclude": str(block.get("exclude", "") or ""),
                "examples": tuple(str(e) for e in block.get("examples", ()) or ()),
            }
        )
        for child in _kids(el, "Code"):
            visit(child, cid, depth + 1)

    for el in _kids(codes_el, "Code") if codes_el is not None else []:
        visit(el, "", 0)
    return records


def _unique(name: str, taken: set[str]) -> str:
    name = name.strip()
    if name not in taken:
        return name
    k = 2
    while f"{name}_{k}" in taken:
        k += 1
    return f"{name}_{k}"


def _read_settings(root: Element, *, where: str) -> dict[str, Any]:
    sets = _kid(root, "Sets")
    for el in _kids(sets, "Set") if sets is not None else []:
        _, block = split_trailer(_description(el), _CODEBOOK_KEY, where=f"{where}, set {el.get('name', '')!r}")
        if block is not None:
            return block
    return {}


def build_codebook(
    records: list[dict[str, Any]], settings: dict[str, Any], *, source: str, default_name: str = ""
) -> Codebook:
    """A :class:`~kotoba_code.codebook.Codebook` from code records and settings."""

    codes = [
        Code(
            id=r["id"],
            label=r["label"],
            rule=r["rule"],
            description=r["description"],
            include=r["include"],
            exclude=r["exclude"],
            examples=r["examples"],
            category=r["parent"],
            color=r["color"].upper() if COLOR.fullmatch(r["color"]) else "",
        )
        for r in records
        if r["kind"] == "code"
    ]
    synonyms = settings.get("synonyms") or {}
    return Codebook(
        codes=codes,
        name=str(settings.get("name") or default_name),
        source=source,
        synonyms={str(k): [str(w) for w in v] for k, v in synonyms.items()},
        user_words=[str(w) for w in settings.get("user_words") or []],
        categories={r["id"]: r["label"] for r in records if r["kind"] == "category"},
        negation=bool(settings.get("negation", True)),
        optional_variables=[str(v) for v in settings.get("optional_variables") or []],
    )


# -- projects: writing -----------------------------------------------------------


def write_qdpx(
    data: CodingResult | Corpus,
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    spans: Literal["evidence", "unit"] = "evidence",
    name: str | None = None,
) -> Path:
    """Write a coded corpus (or a corpus to code) as a REFI-QDA project (``.qdpx``).

    Every document becomes a UTF-8 text source named by its id; metadata
    become variables of one case per document. From a
    :class:`~kotoba_code.coding.result.CodingResult`, every code of every
    coded unit becomes a ``PlainTextSelection`` over each evidence span
    (``spans="evidence"``; the whole unit where a code has no evidence, e.g.
    a rule on a variable) or over the whole unit (``spans="unit"``), coded by
    the user ``kotoba_code``. A code on an empty document codes the source
    itself. A plain corpus is written with ``codebook``'s codes (if given) and
    no codings, for people to code from scratch.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> from kotoba_code.coding import apply_codebook
    >>> result = apply_codebook(cb, Corpus.from_texts(["連携に温度差がある", "特になし"]), cache=False)
    >>> p = write_qdpx(result, pathlib.Path(tempfile.mkdtemp()) / "coded.qdpx")
    >>> read_qdpx(p).selections[["id", "code", "start", "end", "text"]].values.tolist()
    [['1', 'gap', 3, 6, '温度差']]
    """
    if spans not in ("evidence", "unit"):
        raise OutputError(Errors.E420.format(spans=spans))
    path = Path(path)
    if isinstance(data, CodingResult):
        # The result keeps the corpus it coded only through its unit index.
        corpus, codebook, coded = data.corpus, data.codebook, _coded_spans(data, spans)
    else:
        corpus, coded = data, pd.DataFrame(columns=["doc", "start", "end", "code"])
    user = make_guid("user", MACHINE_USER)
    project_name = name or (Path(corpus.name).stem if corpus.name else "kotoba_code project")
    root = _root("Project", PROJECT_NS, name=project_name, origin=f"kotoba_code {__version__}")
    if len(coded):
        root.set("creatingUserGUID", user)
        _sub(_sub(root, "Users"), "User", guid=user, name=MACHINE_USER)
    code_guids: dict[str, str] = {}
    if codebook is not None and codebook.codes:
        code_guids = _add_codes(_sub(root, "CodeBook"), codebook)
    source_guids = [make_guid("source", i) for i in corpus.ids.tolist()]
    _add_variables_and_cases(root, corpus, source_guids)
    sources = _sub(root, "Sources") if len(corpus) else None
    by_doc = {d: g for d, g in coded.groupby("doc", sort=False)} if len(coded) else {}
    for d, doc_id in enumerate(corpus.ids.tolist()):
        src = _sub(sources, "TextSource", guid=source_guids[d], name=doc_id)
        src.set("plainTextPath", f"internal://{source_guids[d]}.txt")
        if d in by_doc:
            _add_codings(src, doc_id, by_doc[d], code_guids, user)
    if codebook is not None and codebook.codes:
        set_guid, set_name, set_text = _settings_set(codebook)
        set_el = _sub(_sub(root, "Sets"), "Set", guid=set_guid, name=set_name)
        _sub(set_el, "Description", set_text)
        for guid in code_guids.values():
            _sub(set_el, "MemberCode", targetGUID=guid)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _to_bytes(root))
        for guid, text in zip(source_guids, corpus.texts, strict=True):
            # Bytes as they are: CRLF and characters above U+FFFF stay, so the
            # offsets of the selections hold in every tool.
            zf.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    return path


def _coded_spans(result: CodingResult, spans: str) -> pd.DataFrame:
    """``doc``, ``start``, ``end``, ``code`` of every span to code, in text order."""
    units = result.units
    rows, cols = np.nonzero(result.matrix.to_numpy())
    coded = pd.DataFrame(
        {
            "id": units["id"].to_numpy()[rows],
            "unit": units["unit"].to_numpy()[rows],
            "doc": units["doc"].to_numpy()[rows],
            "code": result.matrix.columns.to_numpy()[cols],
            "start": units["start"].to_numpy()[rows],
            "end": units["end"].to_numpy()[rows],
        }
    )
    if spans == "evidence" and len(coded):
        ev = result.evidence[["id", "unit", "code", "start", "end"]]
        coded = coded.merge(ev, on=["id", "unit", "code"], how="left", suffixes=("_unit", ""))
        has_ev = coded["start"].notna().to_numpy()
        coded["start"] = np.where(has_ev, coded["start"], coded["start_unit"]).astype(np.int64)
        coded["end"] = np.where(has_ev, coded["end"], coded["end_unit"]).astype(np.int64)
    order = {c: k for k, c in enumerate(result.matrix.columns)}
    coded["order"] = coded["code"].map(order)
    coded = coded.drop_duplicates(["doc", "start", "end", "code"])
    return coded.sort_values(["doc", "start", "end", "order"], kind="stable")[["doc", "start", "end", "code"]]


def _add_codings(src: Element, doc_id: str, spans: pd.DataFrame, code_guids: dict[str, str], user: str) -> None:
    whole: list[str] = []
    for (start, end), group in spans.groupby(["start", "end"], sort=False):
        if start == end:
            whole.extend(group["code"])
            continue
        key = f"{doc_id}:{start}:{end}"
        sel = _sub(src, "PlainTextSelection", guid=make_guid("selection", key))
        sel.set("startPosition", str(start))
        sel.set("endPosition", str(end))
        sel.set("creatingUser", user)
        for code in group["code"]:
            _add_coding(sel, f"{key}:{code}", code_guids[code], user)
    # An empty span (a code on an empty answer) has nothing to select: code the source.
    for code in whole:
        _add_coding(src, f"{doc_id}:{code}", code_guids[code], user)


def _add_coding(parent: Element, key: str, code_guid: str, user: str) -> None:
    coding = _sub(parent, "Coding", guid=make_guid("coding", key), creatingUser=user)
    _sub(coding, "CodeRef", targetGUID=code_guid)


_VALUE_TAGS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue", "Float": "FloatValue"}


def _variable_type(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "Boolean"
    if pd.api.types.is_integer_dtype(values):
        return "Integer"
    if pd.api.types.is_float_dtype(values):
        return "Float"
    return "Text"


def _value_text(value: Any, kind: str) -> str | None:
    """The XML text of one value, or None for a missing one (left out)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Float":
        # xsd:decimal has no exponent notation.
        return np.format_float_positional(float(value), trim="-")
    text = str(value)
    return text if text else None


def _add_variables_and_cases(root: Element, corpus: Corpus, source_guids: list[str]) -> None:
    meta = corpus.metadata
    if meta.shape[1] == 0 or len(corpus) == 0:
        return
    names = [str(c) for c in meta.columns]
    kinds = [_variable_type(meta[c]) for c in meta.columns]
    var_guids = [make_guid("variable", n) for n in names]
    variables = _sub(root, "Variables")
    for name, kind, guid in zip(names, kinds, var_guids, strict=True):
        _sub(variables, "Variable", guid=guid, name=name, typeOfVariable=kind)
    cases = _sub(root, "Cases")
    columns = [meta[c].tolist() for c in meta.columns]
    for d, doc_id in enumerate(corpus.ids.tolist()):
        case = _sub(cases, "Case", guid=make_guid("case", doc_id), name=doc_id)
        for kind, guid, values in zip(kinds, var_guids, columns, strict=True):
            text = _value_text(values[d], kind)
            if text is not None:
                vv = _sub(case, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=guid)
                _sub(vv, _VALUE_TAGS[kind], text)
        _sub(case, "SourceRef", targetGUID=source_guids[d])


# -- projects: reading ---------------------------------------------------------


@dataclass
class RefiProject:
    """The text sources, codes, codings and variables of a ``.qdpx`` project.

    Attributes
    ----------
    documents : DataFrame
        ``id`` (the source name, made unique), ``guid``, ``text``.
    codes : DataFrame
        One row per code or category: ``kind``, ``guid``, ``id``, ``label``,
        ``parent``, ``codable``, ``color``, ``description``, ``rule``, …
    selections : DataFrame
        One row per coding: ``id`` (document), ``code`` (code id), ``start``,
        ``end`` (code points), ``text``, ``coder`` (the user's name, ``""``
        when the tool recorded none), ``guid`` (of the selection). A coding
        of a whole source spans its whole text.
    variables : DataFrame
        ``id`` and one column per variable, from the document's cases and the
        source itself; missing text values are ``""``.
    """

    documents: pd.DataFrame
    codes: pd.DataFrame
    selections: pd.DataFrame
    variables: pd.DataFrame
    settings: dict[str, Any]
    source: str = "<qdpx>"

    def codebook(self) -> Codebook:
        """The project's codes as a codebook (rules only where kotoba_code wrote them)."""
        return build_codebook(
            self.codes.to_dict(orient="records"), self.settings, source=self.source, default_name=Path(self.source).stem
        )


def read_qdpx(
    path: str | Path, *, max_members: int = MAX_MEMBERS, max_total_bytes: int = MAX_TOTAL_BYTES
) -> RefiProject:
    """Read a REFI-QDA project (``.qdpx``) from kotoba_code or any QDA program.

    The archive is checked first (:func:`~kotoba_code.io.archive.check_zip`);
    text sources are read from the archive only (``internal://`` paths or
    inline content), never from paths elsewhere on disk.
    """
    path = Path(path)
    if not path.exists():
        raise CorpusReadError(Errors.E110.format(path=path))
    if _sniff(path) == "codebook":
        raise CorpusReadError(
            Errors.E411.format(path=path, found="codebook (.qdc)", expected="project (.qdpx)", suffix=".qdpx")
        )
    _refuse_large_qde(path)
    check_zip(path, max_members=max_members, max_total_bytes=max_total_bytes)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        qde = "project.qde" if "project.qde" in names else next((n for n in names if n.endswith(".qde")), None)
        if qde is None:
            raise CorpusReadError(Errors.E408.format(path=path, kind="project", reason="no project.qde in the archive"))
        with zf.open(qde) as stream:
            # Streamed with its own, lower cap: the XML becomes a tree several times its size.
            root = parse_xml_stream(stream, path=path, member=qde, declared=zf.getinfo(qde).file_size)
        if _local(root.tag) != "Project":
            raise CorpusReadError(Errors.E408.format(path=path, kind="project", reason="the root is not <Project>"))
        users = {u.get("guid", ""): u.get("name") or u.get("id") or "" for u in _all(root, "Users", "User")}
        book = _kid(root, "CodeBook")
        records = read_code_records(book, where=str(path)) if book is not None else []
        code_ids = {r["guid"]: r["id"] for r in records}
        docs, selections, source_values = _read_sources(zf, names, root, path, code_ids, users)
    variables = _read_variables(root, docs, source_values)
    codes = pd.DataFrame(records, columns=list(records[0]) if records else ["kind", "guid", "id", "label", "parent"])
    return RefiProject(docs, codes, selections, variables, _read_settings(root, where=str(path)), source=str(path))


def _refuse_large_qde(path: Path) -> None:
    """Refuse a project XML declared larger than the XML limit before the
    archive check inflates every member (a 1 GiB project.qde compresses to
    a few MB). Declared sizes can lie; the streaming parse caps the rest."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".qde") and info.file_size > MAX_XML_BYTES:
                    raise CorpusReadError(Errors.E404.format(path=path, member=info.filename, limit=MAX_XML_BYTES))
    except (zipfile.BadZipFile, OSError):
        return  # check_zip says what is wrong with the archive


def _all(root: Element, wrapper: str, name: str) -> list[Element]:
    el = _kid(root, wrapper)
    return _kids(el, name) if el is not None else []


def _read_sources(
    zf: zipfile.ZipFile, names: set[str], root: Element, path: Path, code_ids: dict[str, str], users: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[Element]]]:
    docs: list[dict[str, str]] = []
    sels: list[dict[str, Any]] = []
    values: dict[str, list[Element]] = {}
    taken: set[str] = set()
    for src in _all(root, "Sources", "TextSource"):
        guid = src.get("guid", "")
        doc_id = _unique(src.get("name") or guid, taken)
        taken.add(doc_id)
        text = _source_text(zf, names, src, path, doc_id)
        docs.append({"id": doc_id, "guid": guid, "text": text})
        values[guid] = _kids(src, "VariableValue")
        for sel in _kids(src, "PlainTextSelection"):
            start, end = _offsets(sel, text, path, doc_id)
            for coding in _kids(sel, "Coding"):
                user = coding.get("creatingUser") or sel.get("creatingUser") or ""
                sels.append(_selection(doc_id, coding, start, end, text, users.get(user, user), sel, code_ids))
        for coding in _kids(src, "Coding"):
            user = users.get(coding.get("creatingUser", ""), coding.get("creatingUser", ""))
            sels.append(_selection(doc_id, coding, 0, len(text), text, user, src, code_ids))
    columns = ["id", "code", "start", "end", "text", "coder", "guid"]
    return pd.DataFrame(docs, columns=["id", "guid", "text"]), pd.DataFrame(sels, columns=columns), values


def _selection(
    doc_id: str, coding: Element, start: int, end: int, text: str, coder: str, sel: Element, code_ids: dict[str, str]
) -> dict[str, Any]:
    ref = _kid(coding, "CodeRef")
    target = ref.get("targetGUID", "") if ref is not None else ""
    return {
        "id": doc_id,
        # A reference to a code the project does not define keeps its GUID as id.
        "code": code_ids.get(target, target),
        "start": start,
        "end": end,
        "text": text[start:end],
        "coder": coder,
        "guid": sel.get("guid", ""),
    }


def _source_text(zf: zipfile.ZipFile, names: set[str], src: Element, path: Path, doc_id: str) -> str:
    inline = _kid(src, "PlainTextContent")
    if inline is not None:
        return inline.text or ""
    ref = src.get("plainTextPath", "")
    if not ref.startswith("internal://"):
        reason = f"source {doc_id!r} has no text inside the archive (plainTextPath {ref!r})"
        raise CorpusReadError(Errors.E408.format(path=path, kind="project", reason=reason))
    member = "sources/" + ref.removeprefix("internal://")
    if member not in names:
        raise CorpusReadError(Errors.E405.format(path=path, member=member, reason="no such member"))
    try:
        # A BOM some tools write is not part of the text the offsets count.
        return zf.read(member).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusReadError(Errors.E405.format(path=path, member=member, reason=f"not UTF-8 ({exc})")) from exc


def _offsets(sel: Element, text: str, path: Path, doc_id: str) -> tuple[int, int]:
    try:
        start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        start, end = -1, -1
    if not 0 <= start <= end <= len(text):
        reason = (
            f"selection {sel.get('guid', '')} of source {doc_id!r} spans {sel.get('startPosition')}–"
            f"{sel.get('endPosition')}, outside its {len(text)} characters (did the tool count UTF-16 units?)"
        )
        raise CorpusReadError(Errors.E408.format(path=path, kind="project", reason=reason))
    return start, end


_CONVERTERS = {
    "Integer": ("Int64", int),
    "Float": ("float64", float),
    "Boolean": ("boolean", lambda s: s.strip().lower() in ("true", "1")),
}


def _read_variables(root: Element, docs: pd.DataFrame, source_values: dict[str, list[Element]]) -> pd.DataFrame:
    defs = {
        v.get("guid", ""): (v.get("name", ""), v.get("typeOfVariable", "Text"))
        for v in _all(root, "Variables", "Variable")
    }
    values: dict[str, dict[str, str]] = {g: {} for g in docs["guid"]}
    for case in _all(root, "Cases", "Case"):
        for ref in _kids(case, "SourceRef"):
            target = values.get(ref.get("targetGUID", ""))
            if target is not None:
                target.update(_value_pairs(_kids(case, "VariableValue")))
    for guid, elements in source_values.items():
        values[guid].update(_value_pairs(elements))
    out = pd.DataFrame({"id": docs["id"]})
    for guid, (name, kind) in defs.items():
        column = [values[g].get(guid) for g in docs["guid"]]
        dtype, convert = _CONVERTERS.get(kind, (None, None))
        if convert is None:
            out[name] = ["" if v is None else v for v in column]
        else:
            out[name] = pd.array([None if v is None else convert(v) for v in column], dtype=dtype)
    return out


def _value_pairs(elements: Iterable[Element]) -> dict[str, str]:
    """Variable GUID → value text of ``VariableValue`` elements."""
    out = {}
    for vv in elements:
        ref = _kid(vv, "VariableRef")
        value = next((c for c in vv if _local(c.tag) != "VariableRef"), None)
        if ref is not None and value is not None:
            out[ref.get("targetGUID", "")] = value.text or ""
    return out


# -- projects as labelled samples ---------------------------------------------


def read_qdpx_labels(path: str | Path, codebook: Codebook | None = None) -> LabelledSample:
    """Read a project coded by people as a labelled sample for :func:`~kotoba_code.evaluate.evaluate`.

    A document has a code when any selection in it (or the source itself) is
    coded with it. Each user who made codings is a coder, who is taken to
    have coded every document of the project. Codings left by the user
    ``kotoba_code`` (a machine-coded export that people reviewed) count for
    every human coder, since they kept them; with no human coder they are
    the coder ``kotoba_code``. Codings without a user are the coder
    ``coder1``.

    With a codebook, project codes are matched to its codes by id (written
    by kotoba_code), by GUID, then by label; codes that match none are
    ignored with a warning.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "coded.qdpx"
    >>> from kotoba_code.coding import apply_codebook
    >>> _ = write_qdpx(apply_codebook(cb, Corpus.from_texts(["温度差がある", "特になし"]), cache=False), p)
    >>> read_qdpx_labels(p, cb).labels.values.tolist()
    [['1', 'kotoba_code', {'gap'}], ['2', 'kotoba_code', set()]]
    """
    project = read_qdpx(path)
    to_id = _code_mapping(project, codebook)
    sel = project.selections
    unknown = sorted({c for c in sel["code"] if to_id.get(c) is None})
    if unknown and codebook is not None:
        warnings.warn(
            Warnings.W401.format(path=path, codes=", ".join(unknown), known=", ".join(codebook.ids)),
            KotobaWarning,
            stacklevel=2,
        )
    coder = sel["coder"].replace("", "coder1")
    humans = [c for c in dict.fromkeys(coder) if c != MACHINE_USER] or [MACHINE_USER]
    codes: dict[tuple[str, str], set[str]] = {(h, i): set() for h in humans for i in project.documents["id"]}
    for doc_id, code, who in zip(sel["id"], sel["code"], coder, strict=True):
        if to_id.get(code) is not None:
            for h in humans if who == MACHINE_USER else [who]:
                codes[(h, doc_id)].add(to_id[code])
    labels = pd.DataFrame([{"id": i, "coder": h, "codes": c} for (h, i), c in codes.items()])
    texts = project.documents[["id", "text"]].merge(project.variables, on="id", how="left")
    return LabelledSample(texts=texts, labels=labels.reindex(columns=["id", "coder", "codes"]), source=str(path))


def _code_mapping(project: RefiProject, codebook: Codebook | None) -> dict[str, str | None]:
    """Project code id → codebook code id (None where nothing matches)."""
    ids = project.codes["id"].tolist() if len(project.codes) else []
    ids += [c for c in project.selections["code"].unique() if c not in ids]
    if codebook is None:
        return {c: c for c in ids}
    by_guid = {make_guid("code", c): c for c in codebook.ids}
    by_label = {c.label: c.id for c in codebook.codes}
    rows = project.codes.set_index("id").to_dict(orient="index") if len(project.codes) else {}
    out: dict[str, str | None] = {}
    for c in ids:
        row = rows.get(c, {})
        if c in codebook.ids:
            out[c] = c
        else:
            out[c] = by_guid.get(row.get("guid", "")) or by_label.get(row.get("label", c))
    return out


__all__ = [
    "CODEBOOK_NS",
    "MACHINE_USER",
    "PROJECT_NS",
    "RefiProject",
    "build_codebook",
    "make_guid",
    "read_code_records",
    "read_qdc",
    "read_qdpx",
    "read_qdpx_labels",
    "split_trailer",
    "write_qdc",
    "write_qdpx",
]
