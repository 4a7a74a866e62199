"""The coding-rule language: a lexer and recursive-descent parser into an AST.

The language is KH Coder's (so its rule files load unchanged) plus a few
extensions. Grammar, loosest binding first::

    expr    := and_ (("or" | "|" | "|!") and_)*          a |! b  ==  a or not b
    and_    := not_ (("and" | "&" | "&!") not_)*          a &! b  ==  a and not b
    not_    := ("not" | "!") not_ | cmp
    cmp     := sum (("<" | "<=" | ">" | ">=" | "==" | "!=" | "=") sum)?
    sum     := prod ((" + " | " - ") prod)*              arithmetic needs spaces
    prod    := atom ((" * " | " / ") atom)*
    atom    := "(" expr ")" | NUMBER | WORD | PHRASE | near(...) | seq(...)
             | 'string' | /regex/ | <>var-->value | <>var<> | <*code>
             | lw | lc | No. | $synonyms | neg(atom) | any(atom)

A WORD is ``dictionary-form[-->POS][->conjugation][=>surface]``, with ``*`` as
a glob (``連携*``); a PHRASE joins words with ``+`` and no spaces
(``卒業+証書``). See ``docs/rules.md`` for the meaning of each construct.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from kotoba_code.errors import CodebookError, Errors

# -- AST ---------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    line: int = field(default=0, kw_only=True, compare=False)
    col: int = field(default=0, kw_only=True, compare=False)


@dataclass(frozen=True)
class Word(Node):
    """A word by dictionary form, optionally constrained by POS, conjugation or surface."""

    lemma: str
    pos: str | None = None
    conj: str | None = None
    surface: str | None = None
    # "plain" (negated occurrences do not count), "neg" (only negated ones), "any".
    polarity: str = "plain"

    @property
    def is_glob(self) -> bool:
        return "*" in self.lemma and self.lemma != "*"

    def __str__(self) -> str:
        s = self.lemma
        if self.pos:
            s += f"-->{self.pos}"
        if self.conj:
            s += f"->{self.conj}"
        if self.surface:
            s += f"=>{self.surface}"
        return s if self.polarity == "plain" else f"{self.polarity}({s})"


@dataclass(frozen=True)
class Phrase(Node):
    """Words in consecutive tokens: ``卒業+証書``."""

    words: tuple[Word, ...]
    polarity: str = "plain"

    def __str__(self) -> str:
        s = "+".join(map(str, self.words))
        return s if self.polarity == "plain" else f"{self.polarity}({s})"


@dataclass(frozen=True)
class Near(Node):
    """``near(a-b-c)[opts]`` (any order) or ``seq(a-b-c)[opts]`` (in order)."""

    kind: str  # "near" or "seq"
    words: tuple[Word, ...]
    distance: int = 10
    # "b": count the distance in sentences instead of words? See docs/rules.md.
    scope: str = ""

    def __str__(self) -> str:
        opts = f"[{self.scope}{self.distance}]"
        return f"{self.kind}({'-'.join(map(str, self.words))}){opts}"


@dataclass(frozen=True)
class String(Node):
    """``'…'``: a literal string in the unit's text (NFKC-normalised)."""

    text: str

    def __str__(self) -> str:
        return f"'{self.text}'"


@dataclass(frozen=True)
class Regex(Node):
    """``/…/``: a regular expression over the unit's text (NFKC-normalised)."""

    pattern: str

    def __str__(self) -> str:
        return f"/{self.pattern}/"


@dataclass(frozen=True)
class Variable(Node):
    """``<>var-->value`` (value equals), or ``<>var<>`` (the variable is not empty)."""

    name: str
    value: str | None

    def __str__(self) -> str:
        return f"<>{self.name}-->{self.value}" if self.value is not None else f"<>{self.name}<>"


@dataclass(frozen=True)
class CodeRef(Node):
    """``<*other code>``: true where that code is."""

    name: str

    def __str__(self) -> str:
        return f"<*{self.name}>"


@dataclass(frozen=True)
class Synonyms(Node):
    """``$name``: any word of a synonym list of the codebook."""

    name: str
    polarity: str = "plain"

    def __str__(self) -> str:
        s = f"${self.name}"
        return s if self.polarity == "plain" else f"{self.polarity}({s})"


@dataclass(frozen=True)
class Measure(Node):
    """``lw`` (words in the unit), ``lc`` (characters), ``No.`` (unit number)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Number(Node):
    value: float

    def __str__(self) -> str:
        return str(int(self.value)) if self.value == int(self.value) else str(self.value)


@dataclass(frozen=True)
class Not(Node):
    operand: Node

    def __str__(self) -> str:
        return f"not {self.operand}"


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Arith(Node):
    op: str
    left: Node
    right: Node


# -- lexer -------------------------------------------------------------------

_SPACE = " \t\r\n\u3000"
_CMP_OPS = ("<=", ">=", "==", "!=", "<", ">", "=")
_NEAR_RE = re.compile(r"(near|seq)\(([^()]*)\)(?:\[([^\]]*)\])?", re.I)
_FUNC_RE = re.compile(r"(neg|any)\(", re.I)
_WORD_STOP = set(_SPACE) | set("()&|!'")
# Deepest nesting of a rule: parentheses, not/!, neg()/any() and chains of
# arithmetic or comparison. Parsing, checking, exporting and evaluating a rule
# all walk it recursively, so a rule from someone else must not be deep enough
# to exhaust Python's stack (hand-written rules stay below 10).
MAX_DEPTH = 50


@dataclass(frozen=True)
class Lexeme:
    kind: str  # "op", "lparen", "rparen", "num", "atom"
    text: str
    pos: int
    node: Node | None = None


class _Lexer:
    def __init__(self, src: str, where: str, line0: int, code: str, depth: int = 0) -> None:
        self.src = src
        self.where = where
        self.line0 = line0
        self.code = code
        # neg()/any() lex their argument with a lexer of their own, one level deeper.
        self.depth = depth
        # Line starts, so locating a position costs a binary search, not a scan
        # of the rule (a long rule has thousands of positions to locate).
        self.newlines = [k for k, ch in enumerate(src) if ch == "\n"]

    def loc(self, pos: int) -> tuple[int, int]:
        k = bisect.bisect_left(self.newlines, pos)
        return self.line0 + k, pos - (self.newlines[k - 1] + 1 if k else 0) + 1

    def error(self, pos: int, msg: str) -> CodebookError:
        line, col = self.loc(pos)
        text = self.src.split("\n")[line - self.line0] if self.src else ""
        pointer = " " * (col - 1) + "^"
        return CodebookError(
            Errors.E301.format(where=self.where, line=line, code=self.code, msg=msg) + f"\n    {text}\n    {pointer}"
        )

    def depth_error(self, pos: int) -> CodebookError:
        line, _ = self.loc(pos)
        return CodebookError(Errors.E313.format(where=self.where, line=line, code=self.code, limit=MAX_DEPTH))

    def lex(self) -> list[Lexeme]:
        s, i, out = self.src, 0, []
        expect_operand = True
        while i < len(s):
            c = s[i]
            if c in _SPACE:
                i += 1
                continue
            if expect_operand:
                lexeme, i = self._operand(i)
                out.append(lexeme)
                expect_operand = lexeme.kind in ("lparen", "op")
                continue
            if c == ")":
                out.append(Lexeme("rparen", c, i))
                i += 1
                continue
            op = self._operator(i)
            if op is None:
                raise self.error(i, f"expected an operator (and, or, &, |, >=, …) before {s[i : i + 10]!r}")
            out.append(Lexeme("op", op[0], i))
            i = op[1]
            expect_operand = True
        return out

    def _operator(self, i: int) -> tuple[str, int] | None:
        s = self.src
        for word in ("and", "or"):
            j = i + len(word)
            if s[i:j].lower() == word and (j == len(s) or s[j] in _SPACE or s[j] == "("):
                return word, j
        for op in ("&!", "|!", "&", "|"):
            if s.startswith(op, i):
                return op, i + len(op)
        for op in _CMP_OPS:
            if s.startswith(op, i):
                return op, i + len(op)
        if s[i] in "+-*/" and (i + 1 == len(s) or s[i + 1] in _SPACE):
            return s[i], i + 1
        return None

    def _operand(self, i: int) -> tuple[Lexeme, int]:
        s = self.src
        c = s[i]
        line, col = self.loc(i)
        if c == "(":
            return Lexeme("lparen", c, i), i + 1
        if c == ")":
            raise self.error(i, "')' where a word or '(' was expected")
        if c in "!":
            return Lexeme("op", "not", i), i + 1
        for word in ("not",):
            j = i + len(word)
            if s[i:j].lower() == word and j < len(s) and (s[j] in _SPACE or s[j] == "("):
                return Lexeme("op", "not", i), j
        if c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                raise self.error(i, "unterminated string: a closing ' is missing")
            return Lexeme("atom", s[i : j + 1], i, String(_nfkc(s[i + 1 : j]), line=line, col=col)), j + 1
        if c == "/":
            j = i + 1
            while j < len(s) and s[j] != "/":
                j += 2 if s[j] == "\\" else 1
            if j >= len(s):
                raise self.error(i, "unterminated regular expression: a closing / is missing")
            pattern = s[i + 1 : j]
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.error(i, f"bad regular expression: {exc}") from exc
            except (RecursionError, OverflowError, ValueError) as exc:
                raise self.error(i, f"bad regular expression: too deeply nested or too large ({exc})") from exc
            return Lexeme("atom", s[i : j + 1], i, Regex(pattern, line=line, col=col)), j + 1
        if s.startswith("<>", i):
            j = i + 2
            while j < len(s) and s[j] not in _SPACE and s[j] != ")":
                j += 1
            body = s[i + 2 : j]
            if body.endswith("<>"):
                node: Node = Variable(body[:-2], None, line=line, col=col)
            elif "-->" in body:
                name, _, value = body.partition("-->")
                node = Variable(name, value, line=line, col=col)
            else:
                raise self.error(i, "a variable needs '<>name-->value' or '<>name<>'")
            if not node.name:  # type: ignore[attr-defined]
                raise self.error(i, "the variable name is empty")
            return Lexeme("atom", s[i:j], i, node), j
        if c == "<" and i + 1 < len(s) and s[i + 1] in "*＊":
            j = s.find(">", i)
            if j < 0:
                raise self.error(i, "unterminated code reference: '>' is missing")
            return Lexeme("atom", s[i : j + 1], i, CodeRef(s[i + 2 : j].strip(), line=line, col=col)), j + 1
        m = _NEAR_RE.match(s, i)
        if m:
            return Lexeme("atom", m.group(), i, self._near(m, i, line, col)), m.end()
        m = _FUNC_RE.match(s, i)
        if m:
            inner_start = m.end()
            depth, j = 1, inner_start
            while j < len(s) and depth:
                depth += {"(": 1, ")": -1}.get(s[j], 0)
                j += 1
            if depth:
                raise self.error(i, f"unbalanced parenthesis in {m.group(1)}(…)")
            if self.depth >= MAX_DEPTH:
                raise self.depth_error(i)
            inner = _Lexer(s[inner_start : j - 1], self.where, line, self.code, self.depth + 1)
            lexemes = inner.lex()
            if len(lexemes) != 1 or lexemes[0].node is None:
                raise self.error(i, f"{m.group(1)}() takes one word, phrase or $synonyms")
            node = _with_polarity(lexemes[0].node, m.group(1).lower())
            if node is None:
                raise self.error(i, f"{m.group(1)}() takes one word, phrase or $synonyms")
            return Lexeme("atom", s[i:j], i, node), j
        j = i
        # Comparison operators need spaces around them: ">" and "=" also
        # occur inside words (ない-->形容詞B->連用タ接続, 買う=>買わ).
        while j < len(s) and s[j] not in _WORD_STOP:
            j += 1
        text = s[i:j]
        if not text:
            raise self.error(i, f"unexpected {c!r}")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return Lexeme("num", text, i, Number(float(text), line=line, col=col)), j
        if text in ("lw", "lc", "No."):
            return Lexeme("atom", text, i, Measure(text, line=line, col=col)), j
        if text.startswith("$"):
            return Lexeme("atom", text, i, Synonyms(text[1:], line=line, col=col)), j
        parts = text.split("+")
        if any(not p for p in parts):
            raise self.error(i, f"empty word in phrase {text!r}")
        words = tuple(self._word(p, i, line, col) for p in parts)
        node = words[0] if len(words) == 1 else Phrase(words, line=line, col=col)
        return Lexeme("atom", text, i, node), j

    def _word(self, text: str, pos: int, line: int, col: int) -> Word:
        m = re.fullmatch(r"(?P<w>.+?)(?:-->(?P<pos>[^=]+?))?(?:->(?P<conj>[^=]+?))?(?:=>(?P<surf>.+))?", text)
        if not m or not m["w"] or m["w"].startswith(("-", ">")):
            raise self.error(pos, f"cannot read {text!r} as a word")
        return Word(_nfkc(m["w"]), m["pos"], m["conj"], _nfkc(m["surf"]) if m["surf"] else None, line=line, col=col)

    def _near(self, m: re.Match[str], pos: int, line: int, col: int) -> Near:
        words = tuple(self._word(w, pos, line, col) for w in m.group(2).split("-") if w)
        if len(words) < 2:
            raise self.error(pos, f"{m.group(1)}() needs at least two words separated by '-'")
        opts = (m.group(3) or "").strip()
        om = re.fullmatch(r"([bd]?)(\d*)", opts)
        if not om:
            raise self.error(pos, f"bad option [{opts}]: use [N], [b], [d], [bN] or [dN]")
        scope = om.group(1)
        # As in KH Coder, [b] and [d] keep the default distance of 10 words.
        distance = int(om.group(2)) if om.group(2) else 10
        return Near(m.group(1).lower(), words, distance, scope, line=line, col=col)


def _with_polarity(node: Node, polarity: str) -> Node | None:
    if isinstance(node, Word):
        return Word(node.lemma, node.pos, node.conj, node.surface, polarity, line=node.line, col=node.col)
    if isinstance(node, Phrase):
        return Phrase(node.words, polarity, line=node.line, col=node.col)
    if isinstance(node, Synonyms):
        return Synonyms(node.name, polarity, line=node.line, col=node.col)
    return None


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# -- parser ------------------------------------------------------------------


class _Parser:
    def __init__(self, lexemes: list[Lexeme], lexer: _Lexer) -> None:
        self.lx = lexemes
        self.i = 0
        self.lexer = lexer
        # Open parentheses and not/! around the current position.
        self.depth = 0

    def enter(self, t: Lexeme) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.lexer.depth_error(t.pos)

    def peek(self) -> Lexeme | None:
        return self.lx[self.i] if self.i < len(self.lx) else None

    def take(self) -> Lexeme:
        t = self.lx[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        if not self.lx:
            raise self.lexer.error(0, "the rule is empty")
        node = self.expr()
        t = self.peek()
        if t is not None:
            raise self.lexer.error(
                t.pos, "unbalanced parenthesis: ')' without '('" if t.kind == "rparen" else f"unexpected {t.text!r}"
            )
        return node

    def _loc(self, t: Lexeme) -> dict[str, int]:
        line, col = self.lexer.loc(t.pos)
        return {"line": line, "col": col}

    def expr(self) -> Node:
        first = self.and_()
        parts = [first]
        while (t := self.peek()) and t.kind == "op" and t.text in ("or", "|", "|!"):
            self.take()
            rhs = self.and_()
            parts.append(Not(rhs, **self._loc(t)) if t.text == "|!" else rhs)
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts), line=first.line, col=first.col)

    def and_(self) -> Node:
        first = self.not_()
        parts = [first]
        while (t := self.peek()) and t.kind == "op" and t.text in ("and", "&", "&!"):
            self.take()
            rhs = self.not_()
            parts.append(Not(rhs, **self._loc(t)) if t.text == "&!" else rhs)
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts), line=first.line, col=first.col)

    def not_(self) -> Node:
        t = self.peek()
        if t and t.kind == "op" and t.text == "not":
            self.take()
            self.enter(t)
            operand = self.not_()
            self.depth -= 1
            return Not(operand, **self._loc(t))
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum_()
        t = self.peek()
        if t and t.kind == "op" and t.text in _CMP_OPS:
            self.take()
            right = self.sum_()
            op = "==" if t.text == "=" else t.text
            return Compare(op, left, right, **self._loc(t))
        return left

    def sum_(self) -> Node:
        node = self.prod()
        while (t := self.peek()) and t.kind == "op" and t.text in "+-":
            self.take()
            node = Arith(t.text, node, self.prod(), **self._loc(t))
        return node

    def prod(self) -> Node:
        node = self.atom()
        while (t := self.peek()) and t.kind == "op" and t.text in "*/":
            self.take()
            node = Arith(t.text, node, self.atom(), **self._loc(t))
        return node

    def atom(self) -> Node:
        t = self.peek()
        if t is None:
            end = len(self.lexer.src.rstrip())
            raise self.lexer.error(max(end - 1, 0), "the rule ends where a word or '(' was expected")
        if t.kind == "lparen":
            self.take()
            self.enter(t)
            node = self.expr()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise self.lexer.error(t.pos, "unbalanced parenthesis: this '(' is never closed")
            self.take()
            return node
        if t.kind in ("atom", "num"):
            self.take()
            assert t.node is not None
            return t.node
        raise self.lexer.error(t.pos, f"expected a word or '(' but found {t.text!r}")


def parse_rule(src: str, *, where: str = "<rule>", line: int = 1, code: str = "?") -> Node:
    """Parse one rule into an AST; errors name ``where``, the line and the code.

    Examples
    --------
    >>> tree = parse_rule("温度差 and not neg(温度差)")
    >>> tree.op, [str(x) for x in walk(tree)][1:]
    ('and', ['温度差', 'not neg(温度差)', 'neg(温度差)'])
    >>> parse_rule("死ぬ >= 2").op
    '>='
    """
    lexer = _Lexer(src, where, line, code)
    tree = _Parser(lexer.lex(), lexer).parse()
    # Chains such as 1 + 1 + … + 1 nest without parentheses.
    if depth(tree) > MAX_DEPTH:
        raise lexer.depth_error(0)
    return tree


def depth(node: Node) -> int:
    """Levels of the tree under ``node`` (1 for a word), counted without recursion.

    Examples
    --------
    >>> depth(parse_rule("a")), depth(parse_rule("a & (b | !c)")), depth(parse_rule("lw + lw + lw > 2"))
    (1, 4, 4)
    """
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in _children(n))
    return deepest


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, (Compare, Arith)):
        return (node.left, node.right)
    return ()


def phrase_parts(entry: str) -> list[str]:
    """The words of a synonym-list entry: a phrase written with ``+`` (as in
    a rule) is its parts, anything else one word.

    Examples
    --------
    >>> phrase_parts("腰+が+重い"), phrase_parts("温度差"), phrase_parts("+")
    (['腰', 'が', '重い'], ['温度差'], ['+'])
    """
    parts = [p for p in entry.split("+") if p]
    return parts if len(parts) > 1 else [entry]


def walk(node: Node):  # noqa: ANN201 - generator of Node
    """Every node of the tree, parents first (depth first, left to right),
    without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(_children(n)))
