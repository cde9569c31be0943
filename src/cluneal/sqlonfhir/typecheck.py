"""Types a FHIRPath tree against the R4 element table, giving the :mod:`.ir` the emitters read.

Paths to elements that the table does not know evaluate to the empty collection (as FHIRPath
does on data without them); unsupported functions, undefined constants and operands of the wrong
type are reported as :class:`TypeProblem`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from . import ir
from .elements import SYSTEM_TYPES, UNKNOWN, Choice, Table, is_primitive, kind
from .syntax import Call, EmptyLit, Index, Lit, Member, Name, Neg, Node, Op, Special, TypeOp, Var


class TypeProblem(ValueError):
    """The expression cannot be compiled; the message says why."""


@dataclass(frozen=True)
class Scope:
    """What names mean inside one expression."""

    focus: ir.Expr
    root: ir.Root
    constants: Mapping[str, ir.Const]
    table: Table


_NUMBERS = ("integer", "decimal")
_LOGIC = ("and", "or", "xor", "implies")
_EQUALITY = ("=", "!=")
_ORDER = ("<", ">", "<=", ">=")
_ARITHMETIC = ("+", "-", "*", "/", "div", "mod", "&")


def is_boolean(expr: ir.Expr) -> bool:
    return expr.type in ("boolean", UNKNOWN) or isinstance(expr, ir.Nothing)


def item_focus(expr: ir.Expr) -> ir.Focus:
    """The focus inside ``where()`` or ``forEach``: one item of ``expr``."""
    return ir.Focus(expr.type, ir.spath_of(expr))


def check(node: Node, scope: Scope) -> ir.Expr:
    """The typed form of ``node``, evaluated on the focus of ``scope``."""
    expr = _check(node, scope)
    if isinstance(expr, ir.ChoiceRef):
        raise TypeProblem(f"choice element '{expr.choice.name}' needs ofType()")
    return expr


def _check(node: Node, scope: Scope) -> ir.Expr:
    """Like :func:`check`, but a choice element may come out, for ``ofType()`` to resolve."""
    if isinstance(node, Lit):
        return ir.Const(node.value, node.type)
    if isinstance(node, EmptyLit):
        return ir.Nothing(UNKNOWN)
    if isinstance(node, Name):
        if node.name == scope.root.type and _at_root(scope.focus):
            return scope.root
        return member(scope.focus, node.name, scope.table)
    if isinstance(node, Member):
        return member(_check(node.target, scope), node.name, scope.table)
    if isinstance(node, Var):
        return _variable(node.name, scope)
    if isinstance(node, Special):
        if node.name == "this":
            return scope.focus
        raise TypeProblem(f"${node.name} is not supported")
    if isinstance(node, Index):
        return _index(_check(node.target, scope), check(node.index, scope))
    if isinstance(node, Call):
        inner = scope.focus if node.target is None else _check(node.target, scope)
        return _call(node, inner, scope)
    if isinstance(node, Op):
        return _operator(node.op, check(node.left, scope), check(node.right, scope))
    if isinstance(node, Neg):
        operand = check(node.operand, scope)
        if kind(operand.type) not in _NUMBERS:
            raise TypeProblem("unary minus needs a number")
        return ir.Negate(operand, operand.type)
    if isinstance(node, TypeOp):
        raise TypeProblem(f"the '{node.op}' operator is not supported; use ofType()")
    raise TypeProblem(f"unsupported expression {node!r}")


def _at_root(focus: ir.Expr) -> bool:
    return isinstance(focus, ir.Root) or (isinstance(focus, ir.Focus) and focus.spath == (0,))


def member(src: ir.Expr, name: str, table: Table) -> ir.Expr:
    if isinstance(src, ir.ChoiceRef):
        raise TypeProblem(f"choice element '{src.choice.name}' needs ofType() before .{name}")
    if isinstance(src, ir.Nothing) or src.type == UNKNOWN or is_primitive(src.type):
        return ir.Nothing(UNKNOWN)
    element = table.element(src.type, name)
    if element is None:
        return ir.Nothing(UNKNOWN)
    if isinstance(element, Choice):
        return ir.ChoiceRef(src, element, many=src.many)
    spath = ir.spath_of(src)
    return ir.Get(
        src,
        element.key,
        element.type,
        many=src.many or element.many,
        elem_many=element.many,
        spath=None if spath is None else (*spath, element.key),
    )


def _variable(name: str, scope: Scope) -> ir.Expr:
    if name == "rowIndex":
        return ir.RowIndex()
    if name in ("resource", "rootResource"):
        return scope.root
    constant = scope.constants.get(name)
    if constant is None:
        raise TypeProblem(f"undefined constant %{name}")
    return constant


def _index(src: ir.Expr, index: ir.Expr) -> ir.Expr:
    src = _not_choice(src)
    if kind(index.type) != "integer" or index.many:
        raise TypeProblem("an index must be a single integer")
    if isinstance(index, ir.Const) and isinstance(index.value, int) and index.value < 0:
        return ir.Nothing(src.type)
    return ir.At(src, index, src.type)


def _not_choice(expr: ir.Expr) -> ir.Expr:
    if isinstance(expr, ir.ChoiceRef):
        raise TypeProblem(f"choice element '{expr.choice.name}' needs ofType()")
    return expr


def _type_name(node: Node) -> str:
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Member) and isinstance(node.target, Name):
        if node.target.name == "System":
            return SYSTEM_TYPES.get(node.name, node.name)
        if node.target.name == "FHIR":
            return node.name
    raise TypeProblem("expected a type name")


def _string_argument(node: Node, scope: Scope) -> str:
    value = check(node, scope)
    if isinstance(value, ir.Const) and isinstance(value.value, str):
        return value.value
    raise TypeProblem("expected a string literal or constant")


def _arity(call: Call, low: int, high: int) -> None:
    if not low <= len(call.args) <= high:
        raise TypeProblem(f"{call.name}() takes {low}..{high} arguments, not {len(call.args)}")


def _call(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    handler = _FUNCTIONS.get(call.name)
    if handler is None:
        raise TypeProblem(f"unsupported FHIRPath function {call.name}()")
    return handler(call, src, scope)


def _where(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 1, 1)
    src = _not_choice(src)
    cond = check(call.args[0], replace(scope, focus=item_focus(src)))
    if not is_boolean(cond):
        raise TypeProblem("where() needs a boolean condition")
    return ir.Where(src, cond, src.type, src.many)


def _exists(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 1 if call.name == "exists" else 0)
    if call.args:
        src = _where(call, src, scope)
    if isinstance(src, ir.ChoiceRef):
        parts = [ir.Exists(member(src.src, key, scope.table), False) for key in src.choice.keys]
        any_of: ir.Expr = parts[0]
        for part in parts[1:]:
            any_of = ir.Binary("or", any_of, part, "boolean")
        return ir.Not(any_of) if call.name == "empty" else any_of
    return ir.Exists(src, negate=call.name == "empty")


def _first(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 0)
    src = _not_choice(src)
    return ir.First(src, src.type, last=call.name == "last")


def _count(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 0)
    return ir.Count(_not_choice(src))


def _not(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 0)
    if not is_boolean(src):
        raise TypeProblem("not() needs a boolean")
    return ir.Not(src)


def _join(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 1)
    separator = _string_argument(call.args[0], scope) if call.args else ""
    return ir.Join(_not_choice(src), separator)


def _of_type(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 1, 1)
    wanted = _type_name(call.args[0])
    if not scope.table.has_type(wanted):
        raise TypeProblem(f"unknown type {wanted}")
    if isinstance(src, ir.ChoiceRef):
        key = src.choice.keys.get(wanted)
        return ir.Nothing(wanted) if key is None else member(src.src, key, scope.table)
    return src if src.type == wanted else ir.Nothing(wanted)


def _extension(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 1, 1)
    url = _string_argument(call.args[0], scope)
    extensions = member(_not_choice(src), "extension", scope.table)
    if isinstance(extensions, ir.Nothing):
        return extensions
    item = item_focus(extensions)
    same = ir.Binary("=", member(item, "url", scope.table), ir.Const(url, "uri"), "boolean")
    return ir.Where(extensions, same, extensions.type, extensions.many)


def _resource_key(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 0)
    if not _at_root(src):
        raise TypeProblem("getResourceKey() applies to the resource")
    return member(scope.root, "id", scope.table)


def _reference_key(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 1)
    resource = _type_name(call.args[0]) if call.args else None
    if resource is not None and resource not in scope.table.resources:
        raise TypeProblem(f"unknown resource type {resource}")
    if src.type == UNKNOWN or isinstance(src, ir.Nothing):
        return ir.Nothing("string")
    if src.type != "Reference":
        raise TypeProblem("getReferenceKey() applies to a Reference")
    reference = member(src, "reference", scope.table)
    return ir.RefKey(reference, resource, many=reference.many)


def _boundary(call: Call, src: ir.Expr, scope: Scope) -> ir.Expr:
    _arity(call, 0, 0)
    src = _not_choice(src)
    if isinstance(src, ir.Nothing):
        return src
    if kind(src.type) not in ("decimal", "date", "dateTime", "time"):
        raise TypeProblem(f"{call.name}() needs a decimal, date, dateTime or time")
    return ir.Boundary(src, call.name == "highBoundary", src.type, src.many)


_FUNCTIONS: dict[str, Callable[[Call, ir.Expr, Scope], ir.Expr]] = {
    "where": _where,
    "exists": _exists,
    "empty": _exists,
    "hasValue": _exists,
    "first": _first,
    "last": _first,
    "count": _count,
    "not": _not,
    "join": _join,
    "ofType": _of_type,
    "extension": _extension,
    "getResourceKey": _resource_key,
    "getReferenceKey": _reference_key,
    "lowBoundary": _boundary,
    "highBoundary": _boundary,
}


def _operator(op: str, left: ir.Expr, right: ir.Expr) -> ir.Expr:
    left, right = _not_choice(left), _not_choice(right)
    kinds: set[str] = {kind(side.type) for side in (left, right) if side.type != UNKNOWN}
    if op in _LOGIC:
        if not (is_boolean(left) and is_boolean(right)):
            raise TypeProblem(f"'{op}' needs boolean operands")
        return ir.Binary(op, left, right, "boolean")
    if op in _EQUALITY or op in _ORDER:
        if "complex" in kinds:
            raise TypeProblem(f"'{op}' compares primitive values only")
        return ir.Binary(op, left, right, "boolean")
    if op in _ARITHMETIC:
        return ir.Binary(op, left, right, _arithmetic_type(op, kinds))
    raise TypeProblem(f"the '{op}' operator is not supported")


def _arithmetic_type(op: str, kinds: set[str]) -> str:
    if op == "&" or (op == "+" and kinds == {"string"}):
        if not kinds <= {"string"}:
            raise TypeProblem(f"'{op}' joins strings")
        return "string"
    if not kinds <= set(_NUMBERS):
        raise TypeProblem(f"'{op}' needs numbers")
    if op in ("div", "mod") and kinds <= {"integer"}:
        return "integer"
    if op in ("+", "-", "*", "mod") and kinds <= {"integer"}:
        return "integer"
    return "decimal"
