"""Codebooks: codes with ids, labels, descriptions and rules, loaded from data.

A codebook is a YAML file (safe-loaded; never evaluated) or a KH Coder rule
file. Loading validates everything at once — rule syntax, duplicate ids,
references to unknown codes, cycles, unknown synonym lists — and reports each
problem with the file, line and code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kotoba_code.codebook.khcoder import parse_khcoder_rules
from kotoba_code.codebook.rules import (
    CodeRef,
    Near,
    Node,
    Phrase,
    Synonyms,
    Word,
    parse_rule,
    phrase_parts,
    walk,
)
from kotoba_code.errors import CodebookError, Errors

# The shipped codebooks are whatever YAML files the kotoba_code.codebooks
# package holds, so adding one needs no edit here.
_SHIPPED_DIR = resources.files("kotoba_code.codebooks")
SHIPPED = tuple(sorted(p.name[: -len(".yaml")] for p in _SHIPPED_DIR.iterdir() if p.name.endswith(".yaml")))
# Codes inside codes: a codebook from someone else must not nest deep enough
# to exhaust the stack of the readers and writers that walk the tree.
MAX_CODE_NESTING = 50
# A code's display colour, as REFI-QDA writes it.
COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Code:
    """One code (theme) of a codebook.

    Attributes
    ----------
    id : str
        Stable identifier used in tables, labels and evaluations.
    label : str
        Japanese label shown in tables and figures.
    rule : str
        The rule source text (see ``docs/rules.md``); empty for codes that are
        only labelled by hand.
    category : str
        Id of the enclosing category or parent code ("" at top level).
    color : str
        Display colour, ``#RRGGBB`` ("" for none): shown by QDA programs
        after a REFI-QDA export, and kept when a ``.qdc`` is imported.
    line : int
        Line of the rule in the codebook file, for error messages.
    """

    id: str
    label: str
    rule: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    category: str = ""
    color: str = ""
    line: int = 0
    ast: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LintWarning:
    """One finding of :func:`~kotoba_code.coding.lint_codebook`: a rule word that is not one token
    under the tokenizer (``kind="split"``) or never occurs in the corpus
    (``kind="unseen"``; for a glob, matches no word).

    A word written in a rule is placed at its rule line and ``code``; a word
    of a shared synonym list at the list's line and ``synonym_list``, once,
    however many codes use the list (``used_by``). ``str(w)`` is the message.

    Attributes
    ----------
    file : str
        The codebook's source.
    line : int
        Line of the rule word, or of the synonym list (0 when unknown).
    word : str
        The word as written.
    kind : str
        ``"split"`` or ``"unseen"``.
    code : str
        Id of the code whose rule names the word ("" for a list word).
    synonym_list : str
        Name of the synonym list the word comes from ("" for a rule word).
    pieces : tuple of str
        The lemmas a ``"split"`` word is tokenized into.
    used_by : tuple of str
        For a list word: the codes whose rules use the list.
    """

    file: str
    line: int
    word: str
    kind: str
    code: str = ""
    synonym_list: str = ""
    pieces: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()

    @property
    def place(self) -> str:
        """Where the word is written: file, line, and code or ``$list``."""
        if self.synonym_list:
            line = f"line {self.line}, " if self.line else ""
            return f"{self.file}, {line}synonym list ${self.synonym_list}"
        return f"{self.file}, line {self.line}, code {self.code!r}"

    @property
    def message(self) -> str:
        if self.kind == "split":
            return (
                f"{self.place}: {self.word!r} is {len(self.pieces)} tokens here ({' + '.join(self.pieces)}); "
                "it is matched as that phrase. Add it to user_words to keep it whole."
            )
        if Word(self.word).is_glob:
            return f"{self.place}: {self.word!r} matches no word in the corpus"
        return f"{self.place}: {self.word!r} never occurs in the corpus"

    def __str__(self) -> str:
        return self.message


@dataclass(eq=False)
class Codebook:
    """A set of codes with their rules, plus shared synonyms and user words.

    Examples
    --------
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差 | 意識+の+差"}]})
    >>> [c.id for c in cb.codes]
    ['gap']
    """

    codes: list[Code]
    name: str = ""
    source: str = "<codebook>"
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    user_words: list[str] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    negation: bool = True
    optional_variables: list[str] = field(default_factory=list)
    # Line of each synonym list's name in the codebook file, for messages.
    synonym_lines: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.codes}
        self._by_label = {c.label: c.id for c in self.codes}
        # Rule words split by the tokenizer, memoised per tokenizer setting.
        self._validate()

    def __repr__(self) -> str:
        return f"<Codebook {self.name or self.source}: {len(self.codes)} codes>"

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, code_id: str) -> Code:
        return self._by_id[code_id]

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    # -- loading -----------------------------------------------------------
    @classmethod
    def load(cls, path_or_name: str | Path) -> Codebook:
        """Load a codebook from a YAML file, a KH Coder rule file (``.cod``,
        ``.txt``), a REFI-QDA codebook (``.qdc``), or by the name of a shipped codebook (``welfare_employment``).

        Examples
        --------
        >>> Codebook.load("welfare_employment").name
        'welfare_employment'
        """
        path = Path(path_or_name)
        if not path.exists():
            name = str(path_or_name)
            if name in SHIPPED:
                ref = _SHIPPED_DIR / f"{name}.yaml"
                return cls.from_yaml(ref.read_text(encoding="utf-8"), source=f"{name}.yaml")
            raise CodebookError(Errors.E308.format(name=name, shipped=", ".join(SHIPPED)))
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CodebookError(Errors.E307.format(where=path, tried="UTF-8")) from exc
            return cls.from_yaml(text, source=str(path))
        if path.suffix.lower() in (".qdc", ".qdpx"):
            # REFI-QDA is an exchange format, read by io/ (a layer above this one).
            raise CodebookError(
                Errors.E306.format(where=path, msg="a REFI-QDA file: read it with kotoba_code.io.read_codebook()")
            )
        return cls.from_khcoder(path)

    @classmethod
    def from_khcoder(cls, path: str | Path, *, encoding: str | None = None) -> Codebook:
        """Load a KH Coder rule file (``.cod``/``.txt``; cp932, EUC-JP or UTF-8).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.cod"
        >>> _ = p.write_text("＊死\\n死ぬ or 死\\n", encoding="cp932")
        >>> cb = Codebook.from_khcoder(p)
        >>> [(c.id, c.rule, c.line) for c in cb.codes], cb.negation
        ([('死', '死ぬ or 死', 2)], False)
        """
        return cls.from_dict(parse_khcoder_rules(path, encoding=encoding), source=str(path))

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<yaml>") -> Codebook:
        """Build a codebook from YAML text (safe-loaded, with line numbers)."""
        data = load_untrusted_yaml(text, where=source, loader=_LineLoader)
        if not isinstance(data, dict):
            raise CodebookError(Errors.E306.format(where=source, msg="the top level must be a mapping with 'codes'"))
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>") -> Codebook:
        """Build a codebook from plain data (the structure of the YAML format)."""
        codes: list[Code] = []
        categories: dict[str, str] = {}
        problems: list[str] = []

        def add_codes(items: Any, category: str, where_line: int, depth: int = 0) -> None:
            if depth > MAX_CODE_NESTING:
                msg = f"line {where_line}: codes nested more than {MAX_CODE_NESTING} levels deep"
                problems.append(Errors.E306.format(where=source, msg=msg))
                return
            if not isinstance(items, list):
                problems.append(Errors.E306.format(where=source, msg=f"line {where_line}: 'codes' must be a list"))
                return
            for item in items:
                if not isinstance(item, dict) or "id" not in item:
                    line = item.get("__line__", where_line) if isinstance(item, dict) else where_line
                    problems.append(Errors.E306.format(where=source, msg=f"line {line}: a code needs an 'id'"))
                    continue
                lines = item.get("__lines__", {})
                rule = item.get("rule", "") or ""
                if not isinstance(rule, str):
                    problems.append(
                        Errors.E306.format(where=source, msg=f"line {lines.get('rule', 0)}: rule must be text")
                    )
                    rule = ""
                ex = item.get("examples") or []
                color = str(item.get("color", "") or "")
                if color and not COLOR.fullmatch(color):
                    problems.append(
                        Errors.E306.format(
                            where=source,
                            msg=f"line {lines.get('color', item.get('__line__', 0))}: code {item['id']!r}: "
                            f"color must be #RRGGBB, not {color!r}",
                        )
                    )
                    color = ""
                codes.append(
                    Code(
                        id=str(item["id"]),
                        label=str(item.get("label", item["id"])),
                        rule=rule,
                        description=str(item.get("description", "") or ""),
                        include=str(item.get("include", "") or ""),
                        exclude=str(item.get("exclude", "") or ""),
                        examples=tuple(str(e) for e in ex) if isinstance(ex, (list, tuple)) else (str(ex),),
                        category=category,
                        color=color.upper(),
                        line=int(lines.get("rule", item.get("__line__", 0))),
                    )
                )
                if "codes" in item:
                    add_codes(item["codes"], str(item["id"]), item.get("__line__", 0), depth + 1)

        for cat in data.get("categories", []) or []:
            if not isinstance(cat, dict) or "id" not in cat:
                problems.append(Errors.E306.format(where=source, msg="a category needs an 'id'"))
                continue
            categories[str(cat["id"])] = str(cat.get("label", cat["id"]))
            add_codes(cat.get("codes", []), str(cat["id"]), cat.get("__line__", 0))
        if "codes" in data:
            add_codes(data["codes"], "", data.get("__line__", 0))
        if problems:
            raise CodebookError("\n".join(problems))
        if not codes:
            raise CodebookError(Errors.E315.format(where=source))
        synonym_data = data.get("synonyms") or {}
        synonyms = {str(k): [str(w) for w in v] for k, v in synonym_data.items() if not str(k).startswith("__")}
        key_lines = synonym_data.get("__key_lines__", {})
        return cls(
            codes=codes,
            name=str(data.get("name", "")),
            source=source,
            synonyms=synonyms,
            user_words=[str(w) for w in (data.get("user_words") or [])],
            categories=categories,
            negation=bool(data.get("negation", True)),
            optional_variables=[str(v) for v in (data.get("optional_variables") or [])],
            synonym_lines={str(k): int(v) for k, v in key_lines.items() if str(k) in synonyms},
        )

    # -- validation ----------------------------------------------------------
    def _validate(self) -> None:
        problems: list[str] = []
        seen: dict[str, int] = {}
        parsed: list[Code] = []
        for c in self.codes:
            if c.id in seen:
                problems.append(Errors.E302.format(where=self.source, line=c.line, id=c.id, first=seen[c.id]))
                continue
            seen[c.id] = c.line
            ast = None
            if c.rule.strip():
                try:
                    ast = parse_rule(c.rule, where=self.source, line=c.line, code=c.id)
                except CodebookError as exc:
                    problems.append(str(exc))
            object.__setattr__(c, "ast", ast)
            parsed.append(c)
        for c in parsed:
            if c.ast is None:
                continue
            for node in walk(c.ast):
                if isinstance(node, CodeRef) and self._ref_id(node.name) is None:
                    problems.append(
                        Errors.E303.format(
                            where=self.source, line=node.line, code=c.id, ref=node.name, known=", ".join(self._by_id)
                        )
                    )
                if isinstance(node, Near):
                    for w in node.words:
                        if w.lemma.startswith("$") and w.lemma[1:] not in self.synonyms:
                            problems.append(
                                Errors.E309.format(
                                    where=self.source,
                                    line=node.line,
                                    code=c.id,
                                    name=w.lemma[1:],
                                    known=", ".join(self.synonyms) or "none",
                                )
                            )
                if isinstance(node, Synonyms) and node.name not in self.synonyms:
                    problems.append(
                        Errors.E309.format(
                            where=self.source,
                            line=node.line,
                            code=c.id,
                            name=node.name,
                            known=", ".join(self.synonyms) or "none",
                        )
                    )
        if problems:
            raise CodebookError("\n".join(problems))
        self._order = self._topological()

    def _ref_id(self, name: str) -> str | None:
        name = name.lstrip("*＊")
        if name in self._by_id:
            return name
        return self._by_label.get(name)

    def resolve_ref(self, name: str, *, code: str = "", line: int = 0) -> str:
        ref = self._ref_id(name)
        if ref is None:  # pragma: no cover - caught by validation
            raise CodebookError(Errors.E303.format(where=self.source, line=line, code=code, ref=name, known=""))
        return ref

    def _topological(self) -> list[Code]:
        deps = {
            c.id: [self._ref_id(n.name) for n in walk(c.ast) if isinstance(n, CodeRef)] if c.ast else []
            for c in self.codes
        }
        order: list[str] = []
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        # Depth first with a stack of its own: a codebook from someone else
        # may chain thousands of codes, each referring to the next.
        for c in self.codes:
            if state.get(c.id) == 2:
                continue
            state[c.id] = 1
            path = [c.id]
            stack = [iter(deps[c.id])]
            while stack:
                d = next(stack[-1], None)
                if d is None:
                    stack.pop()
                    done = path.pop()
                    state[done] = 2
                    order.append(done)
                elif state.get(d) == 1:
                    cycle = path[path.index(d) :] + [d]
                    raise CodebookError(Errors.E304.format(where=self.source, cycle=" → ".join(cycle)))
                elif state.get(d) != 2:
                    state[d] = 1
                    path.append(d)
                    stack.append(iter(deps[d]))
        return [self._by_id[i] for i in order]

    def ordered_codes(self) -> list[Code]:
        """Codes with rules, each after the codes it refers to."""
        return [c for c in self._order if c.ast is not None]

    # -- helpers used by the engine ------------------------------------------
    def synonym_words(self, name: str, *, code: str = "", line: int = 0) -> list[str]:
        return self.synonyms[name]

    def rule_words(self, code: Code) -> Iterator[Word]:
        """Every word the rule of ``code`` names: inside phrases and near()
        too, and synonym lists (``$name``) word by word.

        Examples
        --------
        >>> cb = Codebook.from_dict({"synonyms": {"hw": ["ハローワーク", "HW"]},
        ...                          "codes": [{"id": "a", "rule": "near($hw-連携) | 卒業+証書"}]})
        >>> [w.lemma for w in cb.rule_words(cb["a"])]
        ['ハローワーク', 'HW', '連携', '卒業', '証書']
        """
        for w, _ in self._rule_words(code):
            yield w

    def _rule_words(self, code: Code) -> Iterator[tuple[Word, str]]:
        """:meth:`rule_words`, each with the name of the synonym list it comes
        from ("" for a word written in the rule)."""
        for node in walk(code.ast) if code.ast is not None else ():
            for x in node.words if isinstance(node, (Phrase, Near)) else (node,):
                if (isinstance(x, Word) and x.lemma.startswith("$")) or isinstance(x, Synonyms):
                    name = x.lemma[1:] if isinstance(x, Word) else x.name
                    # A phrase in a list (腰+が+重い) is checked word by word, as in a rule.
                    for entry in self.synonyms.get(name, ()):
                        yield from ((Word(w, line=x.line), name) for w in phrase_parts(entry))
                elif isinstance(x, Word):
                    yield x, ""


def load_untrusted_yaml(text: str, *, where: str, loader: type[Any] | None = None) -> Any:
    """Safe-load YAML that may come from someone else: aliases are refused
    before anything walks the data, since nine aliases of nine aliases
    (a "billion laughs") expand to billions of items; nesting too deep for
    the stack is refused too. ``loader`` is a SafeLoader class (default:
    libyaml's where PyYAML has it).

    Examples
    --------
    >>> load_untrusted_yaml("a: [1, 2]", where="cb.yaml")
    {'a': [1, 2]}
    >>> load_untrusted_yaml("a: &x [1]\\nb: *x", where="cb.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kotoba_code.errors.CodebookError: [E314] cb.yaml, line 1: this value is used again through a YAML alias ...
    """
    ld = (loader or _SafeLoader)(text)
    try:
        node = ld.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node, where)
        return ld.construct_document(node)
    except yaml.YAMLError as exc:
        raise CodebookError(Errors.E305.format(where=where, reason=str(exc).replace("\n", " "))) from exc
    except RecursionError as exc:
        raise CodebookError(Errors.E305.format(where=where, reason="nested too deeply")) from exc
    finally:
        ld.dispose()


def _refuse_aliases(root: yaml.Node, where: str) -> None:
    """Raise E314 if any node is reached twice: the composer gives an alias
    the very node its anchor marks, so a repeat is an alias. Iterative, so
    deep nesting cannot exhaust the stack here."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise CodebookError(Errors.E314.format(where=where, line=node.start_mark.line + 1))
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineMarks:
    """Records the line of every mapping and of its values while loading."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        lines = {}
        key_lines = {}
        for key_node, value_node in node.value:
            line = value_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
                line += 1  # block scalars start on the next line
            lines[key_node.value] = line
            # Where the key is written: a synonym list's name, also when its
            # words follow on lines of their own.
            key_lines[key_node.value] = key_node.start_mark.line + 1
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        mapping["__key_lines__"] = key_lines
        return mapping


class _LineLoader(_LineMarks, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader with line marks: libyaml's parser where PyYAML has it
    (a codebook of a few hundred rules loads several times faster, which
    matters because every recode reloads it), else the pure-Python one."""


__all__ = ["Code", "Codebook", "LintWarning", "SHIPPED", "load_untrusted_yaml"]
