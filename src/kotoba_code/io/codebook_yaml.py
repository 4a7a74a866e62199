"""Writing a codebook back to the YAML format that ``Codebook.load`` reads.

Whatever a codebook was loaded from — YAML, a KH Coder rule file, a
REFI-QDA ``.qdc`` — :func:`write_yaml` writes it in the structure of
``docs/rules.md``: categories with their codes, codes nested under parent
codes, rules as literal blocks, so that loading the file gives the same
codes again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Code, Codebook


class _Dumper(yaml.SafeDumper):
    """A SafeDumper that writes multi-line text (rules) as ``|`` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself where a block cannot hold
    # the text exactly (trailing spaces on a line), so nothing is ever lost.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """YAML text for plain data: Unicode kept, keys in order, rules as blocks.

    Examples
    --------
    >>> print(dump_yaml({"id": "gap", "rule": "温度差\\n| 差"}), end="")
    id: gap
    rule: |-
      温度差
      | 差
    """
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """The codebook as plain data in the YAML structure of ``Codebook.from_dict``.

    Codes sit in their category, under their parent code, or at the top
    level; empty fields are left out.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> gap = {"id": "gap", "examples": ["温度差がある"], "rule": "差"}
    >>> cb = Codebook.from_dict({"categories": [{"id": "c", "label": "課題", "codes": [gap]}]})
    >>> codebook_to_dict(cb)["categories"]
    [{'id': 'c', 'label': '課題', 'codes': [{'id': 'gap', 'label': 'gap', 'examples': ['温度差がある'], 'rule': '差'}]}]
    """
    children: dict[str, list[Code]] = {}
    for code in codebook.codes:
        children.setdefault(code.category, []).append(code)
    code_ids = set(codebook.ids)
    # A category a code names but the codebook does not list (a codebook
    # built in Python) is written as a category labelled with its id.
    category_ids = list(codebook.categories) + [
        c for c in children if c and c not in codebook.categories and c not in code_ids
    ]
    out: dict[str, Any] = {"name": codebook.name} if codebook.name else {}
    out["negation"] = codebook.negation
    if codebook.optional_variables:
        out["optional_variables"] = list(codebook.optional_variables)
    if codebook.user_words:
        out["user_words"] = list(codebook.user_words)
    if codebook.synonyms:
        out["synonyms"] = {k: list(v) for k, v in codebook.synonyms.items()}
    if category_ids:
        out["categories"] = [
            {"id": c, "label": codebook.categories.get(c, c), "codes": _code_items(children.get(c, []), children)}
            for c in category_ids
        ]
    if children.get(""):
        out["codes"] = _code_items(children[""], children)
    return out


def _code_items(codes: list[Code], children: dict[str, list[Code]]) -> list[dict[str, Any]]:
    items = []
    for code in codes:
        item: dict[str, Any] = {"id": code.id, "label": code.label}
        for key in ("description", "include", "exclude"):
            if getattr(code, key):
                item[key] = getattr(code, key)
        if code.examples:
            item["examples"] = list(code.examples)
        if code.color:
            item["color"] = code.color
        if code.rule:
            item["rule"] = code.rule
        if children.get(code.id):
            item["codes"] = _code_items(children[code.id], children)
        items.append(item)
    return items


def write_yaml(codebook: Codebook, path: str | Path) -> Path:
    """Write a codebook as a YAML file that ``Codebook.load`` reads back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差 | 意識+の+差"}]})
    >>> p = write_yaml(cb, pathlib.Path(tempfile.mkdtemp()) / "cb.yaml")
    >>> Codebook.load(p)["gap"].rule
    '温度差 | 意識+の+差'
    """
    path = Path(path)
    path.write_text(dump_yaml(codebook_to_dict(codebook)), encoding="utf-8")
    return path


__all__ = ["codebook_to_dict", "dump_yaml", "write_yaml"]
