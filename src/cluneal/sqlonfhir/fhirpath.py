"""A parser for FHIRPath (the grammar of FHIRPath N1 2.0.0, without quantities).

:func:`parse` turns an expression into the tree of :mod:`.syntax`, or raises
:class:`FhirPathSyntaxError` with the offset of the first character it could not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .syntax import Call, EmptyLit, Index, Lit, Member, Name, Neg, Node, Op, Special, TypeOp, Var


class FhirPathSyntaxError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at offset {offset}")
        self.offset = offset


@dataclass(frozen=True)
class Token:
    kind: str  # name, qname (backticked), string, number, date, var, special, op, end
    text: str
    offset: int


_DATE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_TIME = r"\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ZONE = r"(?:Z|[+-]\d{2}:\d{2})?"
_TOKENS = re.compile(
    rf"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<date>@(?:{_DATE}(?:T(?:{_TIME}{_ZONE})?)?|T{_TIME}))
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<qname>`(?:[^`\\]|\\.)*`)
  | (?P<var>%(?:[A-Za-z_][A-Za-z0-9_]*|`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*'))
  | (?P<special>\$(?:this|index|total))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|!~|[.\[\](),=~<>+\-*/|&])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {
    "'": "'",
    '"': '"',
    "`": "`",
    "\\": "\\",
    "/": "/",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def _unescape(body: str, offset: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code == "u":
            digits = body[i + 2 : i + 6]
            if not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
                raise FhirPathSyntaxError("bad unicode escape", offset + i)
            out.append(chr(int(digits, 16)))
            i += 6
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        else:
            raise FhirPathSyntaxError(f"bad escape \\{code}", offset + i)
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKENS.match(text, pos)
        if match is None or match.end() == pos:
            raise FhirPathSyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# Binding powers, lowest first, as in the FHIRPath operator precedence table.
_INFIX = {
    "implies": 1,
    "or": 2,
    "xor": 2,
    "and": 3,
    "in": 4,
    "contains": 4,
    "=": 5,
    "~": 5,
    "!=": 5,
    "!~": 5,
    "<": 6,
    ">": 6,
    "<=": 6,
    ">=": 6,
    "|": 7,
    "is": 8,
    "as": 8,
    "+": 9,
    "-": 9,
    "&": 9,
    "*": 10,
    "/": 10,
    "div": 10,
    "mod": 10,
}
_UNARY = 11


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text or self.token.kind not in ("op", "name"):
            raise FhirPathSyntaxError(f"expected {text!r}", self.token.offset)
        return self.take()

    def _infix_op(self) -> str | None:
        token = self.token
        if token.kind == "op" and token.text in _INFIX:
            return token.text
        if token.kind == "name" and token.text in _INFIX:
            return token.text
        return None

    def expression(self, min_power: int = 0) -> Node:
        left = self.unary()
        while (op := self._infix_op()) is not None and _INFIX[op] > min_power:
            self.take()
            if op in ("is", "as"):
                left = TypeOp(op, left, self.type_name())
            else:
                left = Op(op, left, self.expression(_INFIX[op]))
        return left

    def type_name(self) -> str:
        parts = [self.identifier()]
        while self.token.text == "." and self.token.kind == "op":
            self.take()
            parts.append(self.identifier())
        return ".".join(parts)

    def identifier(self) -> str:
        token = self.take()
        if token.kind == "name":
            return token.text
        if token.kind == "qname":
            return _unescape(token.text[1:-1], token.offset + 1)
        raise FhirPathSyntaxError("expected an identifier", token.offset)

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text in ("+", "-"):
            sign = self.take().text
            operand = self.expression(_UNARY)
            return Neg(operand) if sign == "-" else operand
        return self.postfix(self.term())

    def postfix(self, node: Node) -> Node:
        while self.token.kind == "op" and self.token.text in (".", "["):
            if self.take().text == "[":
                index = self.expression()
                self.expect("]")
                node = Index(node, index)
                continue
            name = self.identifier()
            if self.token.text == "(" and self.token.kind == "op":
                node = Call(node, name, self.arguments())
            else:
                node = Member(node, name)
        return node

    def arguments(self) -> tuple[Node, ...]:
        self.expect("(")
        args: list[Node] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            args.append(self.expression())
            while self.token.kind == "op" and self.token.text == ",":
                self.take()
                args.append(self.expression())
        self.expect(")")
        return tuple(args)

    def term(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.take()
            if "." in token.text:
                return Lit(float(token.text), "decimal")
            return Lit(int(token.text), "integer")
        if token.kind == "string":
            self.take()
            return Lit(_unescape(token.text[1:-1], token.offset + 1), "string")
        if token.kind == "date":
            self.take()
            return _temporal(token.text[1:])
        if token.kind == "var":
            self.take()
            body = token.text[1:]
            if body[0] in "`'":
                body = _unescape(body[1:-1], token.offset + 2)
            return Var(body)
        if token.kind == "special":
            self.take()
            return Special(token.text[1:])
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind in ("name", "qname"):
            if token.kind == "name" and token.text in ("true", "false"):
                self.take()
                return Lit(token.text == "true", "boolean")
            name = self.identifier()
            if self.token.kind == "op" and self.token.text == "(":
                return Call(None, name, self.arguments())
            return Name(name)
        raise FhirPathSyntaxError(f"unexpected {token.text or 'end of expression'!r}", token.offset)


def _temporal(text: str) -> Lit:
    if text.startswith("T"):
        return Lit(text[1:], "time")
    if "T" in text:
        return Lit(text.rstrip("T"), "dateTime")
    return Lit(text, "date")


def parse(text: str) -> Node:
    """The syntax tree of ``text``; ``{}`` parses to :class:`EmptyLit`."""
    if text.strip() == "{}":
        return EmptyLit()
    parser = _Parser(text)
    node = parser.expression()
    if parser.token.kind != "end":
        raise FhirPathSyntaxError(f"unexpected {parser.token.text!r}", parser.token.offset)
    return node
