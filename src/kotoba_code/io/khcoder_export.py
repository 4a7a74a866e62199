"""Writing codebooks and corpora for KH Coder, to cross-check results there.

* :func:`write_khcoder_rules`: a coding-rule file (``.cod``): a ``＊id`` line
  per code, then its condition. Synonym lists are written out
  (``$hw`` → ``(ハローワーク or HW)``); what KH Coder cannot express — only
  negated occurrences (``neg()``), regular expressions, wildcards — is written
  in its closest KH Coder form under a ``#`` comment line saying so.
* :func:`write_khcoder_text`: the corpus in KH Coder's text format, each
  document an ``<H1>id</H1>`` section whose lines are its paragraphs (a corpus
  read from KH Coder text keeps its own headings), and a variable file with
  one row per H1 section for KH Coder's 外部変数の読み込み.

Both are written in cp932 by default, as KH Coder on Windows expects, with
LF line ends like KH Coder's own sample files; a character cp932 lacks is an
error naming where it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kotoba_code.codebook.rules import Arith, BoolOp, CodeRef, Compare, Near, Node, Not, Phrase, Regex, Synonyms, Word
from kotoba_code.corpus import HEADING_LEVELS
from kotoba_code.errors import CodebookError, CorpusReadError, Errors, OutputError
from kotoba_code.io.khcoder import HEADING_RE

if TYPE_CHECKING:
    from kotoba_code.codebook.model import Codebook
    from kotoba_code.corpus import Corpus

# Binding strength, loosest first, as in kotoba_code.codebook.rules.
_OR, _AND, _NOT, _CMP, _SUM, _PROD, _ATOM = range(1, 8)
# Characters that are not themselves in a regular expression (outside escapes).
_REGEX_META = set(".^$[]{}|()?*+")


# -- rules ----------------------------------------------------------------------


def rule_to_khcoder(node: Node, codebook: Codebook, notes: list[str]) -> str:
    """A rule tree as KH Coder rule text; approximations are appended to ``notes``.

    The rule is one line: KH Coder's reading of conditions over several lines
    is not documented, and a single line is read the same everywhere.

    Examples
    --------
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"synonyms": {"hw": ["ハローワーク", "HW"]},
    ...                          "codes": [{"id": "a", "label": "連携", "rule": "$hw & neg(連携)"}]})
    >>> notes = []
    >>> rule_to_khcoder(cb["a"].ast, cb, notes)
    '(ハローワーク or HW) and 連携'
    >>> notes
    ['neg(連携) is written as 連携: KH Coder cannot count only negated occurrences']
    """
    return _print(node, codebook, notes)[0]


def _wrap(node: Node, above: int, codebook: Codebook, notes: list[str], *, numeric: bool = False) -> str:
    """``node`` as an operand of an operator binding at ``above``: in parentheses
    unless it binds tighter."""
    text, strength = _print(node, codebook, notes, numeric=numeric)
    return text if strength > above else f"({text})"


def _print(node: Node, codebook: Codebook, notes: list[str], *, numeric: bool = False) -> tuple[str, int]:
    """Rule text of ``node`` and how tightly it binds. ``numeric``: the value is
    used as a number (a synonym list then sums its words instead of or-ing them)."""
    if isinstance(node, BoolOp):
        strength = _OR if node.op == "or" else _AND
        return f" {node.op} ".join(_wrap(n, strength, codebook, notes) for n in node.operands), strength
    if isinstance(node, Not):
        return f"not {_wrap(node.operand, _NOT - 1, codebook, notes)}", _NOT
    if isinstance(node, Compare):
        left = _wrap(node.left, _CMP, codebook, notes, numeric=True)
        return f"{left} {node.op} {_wrap(node.right, _CMP, codebook, notes, numeric=True)}", _CMP
    if isinstance(node, Arith):
        strength = _SUM if node.op in "+-" else _PROD
        left = _wrap(node.left, strength - 1, codebook, notes, numeric=True)
        return f"{left} {node.op} {_wrap(node.right, strength, codebook, notes, numeric=True)}", strength
    if isinstance(node, Synonyms):
        return _synonyms(node, codebook, notes, numeric)
    if isinstance(node, CodeRef):
        return f"<*{codebook.resolve_ref(node.name)}>", _ATOM
    if isinstance(node, Near) and any(w.lemma.startswith("$") for w in node.words):
        return _near_synonyms(node, codebook, notes)
    return _atom(node, notes), _ATOM


def _near_synonyms(node: Near, codebook: Codebook, notes: list[str]) -> tuple[str, int]:
    """KH Coder's near()/seq() take single words: a synonym list inside one
    becomes an ``or`` of near()/seq() over every combination of words."""
    choices = [codebook.synonyms[w.lemma[1:]] if w.lemma.startswith("$") else [w] for w in node.words]
    combos = [[]]
    for options in choices:
        combos = [c + [o] for c in combos for o in options]
    parts = [
        _atom(
            Near(node.kind, tuple(o if isinstance(o, Word) else Word(o) for o in combo), node.distance, node.scope),
            notes,
        )
        for combo in combos
    ]
    if len(parts) > 1:
        notes.append(f"{node} is written as {len(parts)} {node.kind}() alternatives, one per combination of words")
    return (" or ".join(parts), _OR) if len(parts) > 1 else (parts[0], _ATOM)


def _synonyms(node: Synonyms, codebook: Codebook, notes: list[str], numeric: bool) -> tuple[str, int]:
    if node.polarity == "neg":
        notes.append(f"{node} is written as its words: KH Coder cannot count only negated occurrences")
    words = codebook.synonyms[node.name]
    if len(words) == 1:
        return words[0], _ATOM
    # As a number $name is the total of its words' occurrences.
    return f"({(' + ' if numeric else ' or ').join(words)})", _ATOM


def _atom(node: Node, notes: list[str]) -> str:
    if isinstance(node, Word):
        return _word(node, notes)
    if isinstance(node, Phrase):
        if node.polarity == "neg":
            notes.append(f"{node} is written as {_plain(node)}: KH Coder cannot count only negated occurrences")
        return "+".join(_word(w, notes) for w in node.words)
    if isinstance(node, Near):
        # The default distance, 10 words, needs no number.
        opts = f"{node.scope}{'' if node.distance == 10 else node.distance}"
        words = "-".join(_word(w, notes) for w in node.words)
        return f"{node.kind}({words})" + (f"[{opts}]" if opts else "")
    if isinstance(node, Regex):
        return _regex(node, notes)
    return str(node)


def _plain(node: Word | Phrase) -> str:
    if isinstance(node, Phrase):
        return "+".join(_plain(w) for w in node.words)
    return str(Word(node.lemma, node.pos, node.conj, node.surface))


def _word(word: Word, notes: list[str]) -> str:
    text = _plain(word)
    if word.polarity == "neg":
        notes.append(f"{word} is written as {text}: KH Coder cannot count only negated occurrences")
    if word.is_glob:
        stem = word.lemma.replace("*", "")
        notes.append(f"{word.lemma} is written as {stem}: KH Coder has no wildcards, so only that word matches")
        text = text.replace(word.lemma, stem, 1)
    return text


def _regex(node: Regex, notes: list[str]) -> str:
    literal = longest_literal(node.pattern)
    if literal == node.pattern:
        return f"'{literal}'"
    if not literal:
        notes.append(f"{node} is written as 0 (never true): KH Coder has no regular expressions")
        return "0"
    notes.append(f"{node} is written as '{literal}': KH Coder has no regular expressions")
    return f"'{literal}'"


def longest_literal(pattern: str) -> str:
    """The longest run of characters every match of a regular expression contains.

    Only text outside groups and character classes counts; a character made
    optional by ``?``, ``*`` or ``{…}`` ends the run before it, and an
    alternation at the top level leaves nothing every match must contain.

    Examples
    --------
    >>> longest_literal("温度差が?ある")
    '温度差'
    >>> longest_literal("ノウハウ(が|は)?不足[^。]{0,12}(ない|無い)")
    'ノウハウ'
    >>> longest_literal("ハローワーク"), longest_literal(r"\\d+"), longest_literal("HW|ハロワ")
    ('ハローワーク', '', '')
    """
    runs, run, depth, i = [], "", 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1 : i + 2]
            if depth == 0 and nxt and not nxt.isalnum():
                run += nxt  # an escaped punctuation mark stands for itself
            else:
                runs.append(run)
                run = ""
            i += 2
            continue
        if c == "|" and depth == 0:
            return ""
        if c in "?*{":
            run = run[:-1]
        if c in "[{":
            # Skip a character class or a repeat count; "[]…]" holds a literal "]".
            close = pattern.find("]" if c == "[" else "}", i + 2 if c == "[" else i + 1)
            i = close if close >= 0 else len(pattern)
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and c not in _REGEX_META:
            run += c
        else:
            runs.append(run)
            run = ""
        i += 1
    return max([*runs, run], key=len)


def write_khcoder_rules(
    codebook: Codebook, path: str | Path, encoding: str = "cp932", *, names: str = "label"
) -> list[str]:
    """Write a codebook as a KH Coder coding-rule file; return the approximations made.

    KH Coder shows a code by its name, so codes are named by their label
    (``＊ノウハウ不足``), with the id in a comment, and references to other
    codes use the same names; ``names="id"`` names them by id instead (with
    the label in the comment). A code whose label is empty or shared with
    another code keeps its id. Codes without a rule are left out, with a comment.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code.codebook import Codebook
    >>> cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差 | /温度差が?ある/"}]})
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.cod"
    >>> write_khcoder_rules(cb, p)
    ["gap: /温度差が?ある/ is written as '温度差': KH Coder has no regular expressions"]
    >>> Codebook.load(p)["温度差"].rule
    "温度差 or '温度差'"
    """
    path = Path(path)
    header = [f"# KH Coder coding rules written by kotoba_code from {codebook.name or codebook.source}"]
    if codebook.negation:
        header.append("# kotoba_code counted only words that are not negated (negation: true); KH Coder counts all.")
    if codebook.user_words:
        header.append("# Words kotoba_code keeps whole; add them to KH Coder's 強制抽出する語:")
        header.append("# " + ", ".join(codebook.user_words))
    if names not in ("label", "id"):
        raise OutputError(Errors.E538.format(func="write_khcoder_rules", param="names", known="label, id", value=names))
    name_of = _code_names(codebook) if names == "label" else {c.id: c.id for c in codebook.codes}
    blocks: list[tuple[str, str]] = [("", "\n".join(header) + "\n")]
    all_notes: list[str] = []
    for code in codebook.codes:
        if code.ast is None:
            blocks.append((code.id, f"\n# {code.id} ({code.label}) has no rule and is left out.\n"))
            continue
        notes: list[str] = []
        rule = rule_to_khcoder(code.ast, codebook, notes)
        # References were written by id: name them as their codes are named.
        rule = re.sub(r"<\*([^<>]+)>", lambda m: f"<*{name_of.get(m.group(1), m.group(1))}>", rule)
        other = code.label if name_of[code.id] == code.id else f"id: {code.id}"
        lines = [f"＊{name_of[code.id]}", f"# {other}"] + [f"# kotoba_code: {n}" for n in notes] + [rule]
        blocks.append((code.id, "\n" + "\n".join(lines) + "\n"))
        all_notes.extend(f"{code.id}: {n}" for n in notes)
    data = b"".join(_encode(text, encoding, path, "code", name) for name, text in blocks)
    path.write_bytes(data)
    return all_notes


def _encode(text: str, encoding: str, path: Path, what: str, name: str) -> bytes:
    """``text`` in ``encoding``; a character it lacks is an error naming ``what`` and ``name``."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        error = CodebookError if what == "code" else CorpusReadError
        raise error(Errors.E410.format(path=path, what=what, name=name, char=char, encoding=encoding)) from exc
    except LookupError as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=f"unknown encoding {encoding!r}")) from exc


# -- text -----------------------------------------------------------------------


def write_khcoder_text(
    corpus: Corpus, path: str | Path, variables_path: str | Path | None = None, *, encoding: str = "cp932"
) -> pd.DataFrame:
    """Write a corpus as KH Coder text, and its metadata as a KH Coder variable file.

    Each document becomes ``<H1>id</H1>`` followed by its text, one paragraph
    per line; in KH Coder, code and count by H1 to get one unit per document.
    A corpus that has headings of its own (read from KH Coder text) is written
    with those instead. A text line that looks like a heading tag gets a
    full-width ``＜`` so KH Coder does not take it for one.

    The variable file (CSV) has one row per H1 section, in order: ``id`` and
    the document's metadata; KH Coder reads it with 外部変数の読み込み (H1
    level), kotoba_code with ``Corpus.add_variables(..., level="h1")``.
    Returns that table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kotoba_code import Corpus
    >>> from kotoba_code.io.khcoder import read_khcoder_text
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> c = Corpus.from_texts(["温度差がある。\\n情報共有が不足", "特になし"], ids=["a1", "a2"])
    >>> write_khcoder_text(c, d / "k.txt", d / "k_vars.csv")["id"].tolist()
    ['a1', 'a2']
    >>> back = read_khcoder_text(d / "k.txt")
    >>> back.units("h1")["title"].tolist(), len(back.units("paragraph"))
    (['a1', 'a2'], 3)
    """
    path = Path(path)
    has_headings = any(len(corpus.units(level)) for level in HEADING_LEVELS)
    blocks = []
    for d, doc_id in enumerate(corpus.ids.tolist()):
        body = _tagged_lines(corpus, d) if has_headings else [f"<H1>{doc_id}</H1>", *_plain_lines(corpus.texts[d])]
        text = "\n".join(body)
        # A text ending in a line break already ends its last line.
        blocks.append(_encode(text if text.endswith("\n") else text + "\n", encoding, path, "document", doc_id))
    path.write_bytes(b"".join(blocks))
    table = _h1_variables(corpus)
    if variables_path is not None:
        variables_path = Path(variables_path)
        variables_path.write_bytes(_encode(table.to_csv(index=False), encoding, variables_path, "variable file", ""))
    return table


def _plain_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.replace("<", "＜") if HEADING_RE.match(line) else line for line in lines]


def _tagged_lines(corpus: Corpus, doc: int) -> list[str]:
    """A document's lines with its heading lines tagged again."""
    starts: dict[int, int] = {}
    for level in HEADING_LEVELS:
        units = corpus.units(level)
        for start in units.loc[units["doc"] == doc, "start"].tolist():
            starts[start] = int(level[1])
    out, pos = [], 0
    for line in _plain_lines(corpus.texts[doc]):
        out.append(f"<H{starts[pos]}>{line}</H{starts[pos]}>" if pos in starts else line)
        pos += len(line) + 1
    return out


def _h1_variables(corpus: Corpus) -> pd.DataFrame:
    """``id`` and document metadata, one row per H1 section to be written."""
    h1 = corpus.units("h1")
    docs = h1["doc"].to_numpy() if len(h1) else range(len(corpus))
    meta = corpus.metadata.iloc[list(docs)].reset_index(drop=True)
    return pd.concat([pd.DataFrame({"id": corpus.ids[list(docs)]}), meta], axis=1)


__all__ = ["longest_literal", "rule_to_khcoder", "write_khcoder_rules", "write_khcoder_text"]


def _code_names(codebook: Codebook) -> dict[str, str]:
    """Each code's KH Coder name: its label, or its id where the label is empty,
    shared with another code, or holds characters a rule file cannot name."""
    counts: dict[str, int] = {}
    for c in codebook.codes:
        counts[c.label.strip()] = counts.get(c.label.strip(), 0) + 1
    out = {}
    for c in codebook.codes:
        label = c.label.strip()
        usable = (
            label
            and counts[label] == 1
            and not any(ch in label for ch in "<>\n#")
            and label not in {o.id for o in codebook.codes if o.id != c.id}
        )
        out[c.id] = label if usable else c.id
    return out
