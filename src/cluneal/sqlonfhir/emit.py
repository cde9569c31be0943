"""Typed FHIRPath (:mod:`.ir`) to SQL expressions over the parsed resource struct.

A FHIRPath collection is a SQL list (NULL meaning empty, and maybe holding NULL items when
``nulls``); a value known to be single is a plain SQL value (NULL meaning empty). SQL's
three-valued ``AND``/``OR``/``NOT`` are FHIRPath's, with NULL as the empty collection.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import ir, temporal
from .dialect import Dialect
from .elements import is_primitive, kind, sql_kind
from .schema import Schema

MANY_VALUES = "sqlonfhir: an expression returned several values where one was expected"
_ID = "([-A-Za-z0-9.]{1,64})(?:/_history/[-A-Za-z0-9.]{1,64})?$"
_SQL_OPS = {"=": "=", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


@dataclass(frozen=True)
class Val:
    sql: str
    many: bool
    #: ``boolean``, ``integer``, ``decimal``, ``string``; ``json`` for JSON text, ``complex``.
    kind: str
    nulls: bool = False

    @property
    def raw(self) -> bool:
        return self.kind == "json"


@dataclass(frozen=True)
class Env:
    focus: Val
    root: Val
    row_index: str


def _value_kind(fhir_type: str, raw: bool) -> str:
    if raw:
        return "json"
    return sql_kind(fhir_type) if is_primitive(fhir_type) else "complex"


class Emitter:
    def __init__(self, dialect: Dialect, schema: Schema) -> None:
        self.d = dialect
        self.schema = schema
        self._names = 0

    def fresh(self) -> str:
        self._names += 1
        return f"_v{self._names}"

    # Collections.

    def nonnull(self, val: Val) -> str:
        """The list without its NULL items (NULL stays NULL)."""
        return self.d.compact(val.sql) if val.nulls else val.sql

    def count(self, val: Val) -> str:
        """How many values a list holds (0 for NULL)."""
        count = self.d.count_nonnull(val.sql) if val.nulls else self.d.size(val.sql)
        return f"coalesce({count}, 0)"

    def first(self, val: Val) -> str:
        return self.d.first_nonnull(val.sql) if val.nulls else self.d.item(val.sql, "0")

    def listify(self, val: Val) -> str:
        """A non-NULL list of the values, without NULL items."""
        if val.many:
            return self.d.coalesce_list(self.nonnull(val))
        var = self.fresh()
        return self.d.filter(self.d.array([val.sql]), var, f"{var} IS NOT NULL")

    def single(self, val: Val, message: str = MANY_VALUES) -> Val:
        """The one value of ``val``; several values raise ``message`` when the query runs."""
        if not val.many:
            return val
        sql = (
            f"CASE WHEN {self.count(val)} > 1 THEN {self.d.error(message)} "
            f"ELSE {self.first(val)} END"
        )
        return Val(sql, False, val.kind)

    # Expressions.

    def emit(self, expr: ir.Expr, env: Env) -> Val:
        match expr:
            case ir.Focus():
                return env.focus
            case ir.Root():
                return env.root
            case ir.RowIndex():
                return Val(env.row_index, False, "integer")
            case ir.Get():
                return self._get(expr, env)
            case ir.Nothing():
                return self._nothing(expr)
            case ir.Const():
                return self._const(expr)
            case ir.At():
                return self._at(expr, env)
            case ir.Where():
                return self._where(expr, env)
            case ir.Exists():
                return self._exists(expr, env)
            case ir.Count():
                return self._count(expr, env)
            case ir.First():
                return self._first(expr, env)
            case ir.Not():
                return Val(f"(NOT {self.single(self.emit(expr.src, env)).sql})", False, "boolean")
            case ir.Join():
                return self._join(expr, env)
            case ir.RefKey():
                return self._refkey(expr, env)
            case ir.Boundary():
                return self._boundary(expr, env)
            case ir.Negate():
                value = self.single(self.emit(expr.src, env))
                return Val(f"(- {value.sql})", False, value.kind)
            case ir.Binary():
                return self._binary(expr, env)
            case ir.ChoiceRef():
                raise AssertionError("a choice element is resolved by ofType() before emission")

    def _get(self, expr: ir.Get, env: Env) -> Val:
        src = self.emit(expr.src, env)
        out_kind = _value_kind(expr.type, self.schema.is_raw(expr.spath))
        primitive = is_primitive(expr.type)

        def access(value: str) -> str:
            if src.raw:
                spath = ir.spath_of(expr.src)
                assert spath is not None
                value = self.d.parse_json(value, self.schema.struct(spath))
            return self.d.field(value, expr.key)

        if not src.many:
            return Val(access(src.sql), expr.elem_many, out_kind, expr.elem_many and primitive)
        var = self.fresh()
        if expr.elem_many:
            inner = self.d.transform(src.sql, var, self.d.coalesce_list(access(var)))
            return Val(self.d.flatten(inner), True, out_kind, primitive)
        return Val(self.d.transform(src.sql, var, access(var)), True, out_kind, True)

    def _nothing(self, expr: ir.Nothing) -> Val:
        value_kind = sql_kind(expr.type)
        return Val(self.d.null(value_kind), False, value_kind)

    def _const(self, expr: ir.Const) -> Val:
        value_kind = sql_kind(expr.type)
        value = expr.value
        if isinstance(value, bool):
            return Val("TRUE" if value else "FALSE", False, "boolean")
        if value_kind == "integer" and isinstance(value, int):
            return Val(str(value), False, value_kind)
        if value_kind == "decimal" and isinstance(value, int | float):
            return Val(f"CAST({float(value)!r} AS {self.d.prim('decimal')})", False, value_kind)
        return Val(self.d.string(str(value)), False, value_kind)

    def _at(self, expr: ir.At, env: Env) -> Val:
        src = self.emit(expr.src, env)
        index = self.single(self.emit(expr.index, env)).sql
        if src.many:
            items = self.nonnull(src)
            return Val(
                f"CASE WHEN {index} >= 0 THEN {self.d.item(items, index)} END", False, src.kind
            )
        return Val(f"CASE WHEN {index} = 0 THEN {src.sql} END", False, src.kind)

    def _where(self, expr: ir.Where, env: Env) -> Val:
        src = self.emit(expr.src, env)
        if not src.many:
            cond = self.single(self.emit(expr.cond, replace(env, focus=src))).sql
            return Val(f"CASE WHEN {cond} THEN {src.sql} END", False, src.kind)
        var = self.fresh()
        item = Val(var, False, src.kind)
        cond = self.single(self.emit(expr.cond, replace(env, focus=item))).sql
        return Val(self.d.filter(src.sql, var, cond), True, src.kind, src.nulls)

    def _exists(self, expr: ir.Exists, env: Env) -> Val:
        src = self.emit(expr.src, env)
        test = f"{self.count(src)} > 0" if src.many else f"{src.sql} IS NOT NULL"
        return Val(f"(NOT {test})" if expr.negate else f"({test})", False, "boolean")

    def _count(self, expr: ir.Count, env: Env) -> Val:
        src = self.emit(expr.src, env)
        if src.many:
            return Val(self.count(src), False, "integer")
        return Val(f"CASE WHEN {src.sql} IS NULL THEN 0 ELSE 1 END", False, "integer")

    def _first(self, expr: ir.First, env: Env) -> Val:
        src = self.emit(expr.src, env)
        if not src.many:
            return src
        sql = self.d.last(self.nonnull(src)) if expr.last else self.first(src)
        return Val(sql, False, src.kind)

    def _join(self, expr: ir.Join, env: Env) -> Val:
        src = self.emit(expr.src, env)
        text = self.d.prim("string")
        if not src.many:
            value = src.sql if src.kind == "string" else self.d.cast(src.sql, "string")
            return Val(f"coalesce({value}, '')", False, "string")
        items = src.sql
        if src.kind != "string":
            var = self.fresh()
            items = self.d.transform(items, var, f"CAST({var} AS {text})")
        return Val(f"coalesce({self.d.join(items, expr.separator)}, '')", False, "string")

    def _refkey(self, expr: ir.RefKey, env: Env) -> Val:
        src = self.emit(expr.src, env)
        # The id after "Type/" (of the given type), at the end of a relative or absolute URL.
        resource = expr.resource or "[A-Z][A-Za-z]+"
        pattern = self.d.string(f"(?:^|/){resource}/{_ID}")

        def key(ref: str) -> str:
            return f"nullif(regexp_extract({ref}, {pattern}, 1), '')"

        if not src.many:
            return Val(key(src.sql), False, "string")
        var = self.fresh()
        return Val(self.d.transform(src.sql, var, key(var)), True, "string", True)

    def _boundary(self, expr: ir.Boundary, env: Env) -> Val:
        value = self.single(self.emit(expr.src, env))
        value_kind = kind(expr.src.type)
        sql = temporal.boundary(self.d, value.sql, value_kind, expr.high)
        return Val(sql, False, "decimal" if value_kind == "decimal" else "string")

    def _binary(self, expr: ir.Binary, env: Env) -> Val:
        left, right = self.emit(expr.left, env), self.emit(expr.right, env)
        if expr.op in ("=", "!=") and (left.many or right.many):
            equal = self._list_equal(expr, left, right)
            return Val(f"(NOT {equal})" if expr.op == "!=" else equal, False, "boolean")
        a, b = self.single(left).sql, self.single(right).sql
        op = expr.op
        if op in _SQL_OPS:
            return Val(self._compare(expr, op, a, b), False, "boolean")
        if op in ("and", "or"):
            return Val(f"({a} {op.upper()} {b})", False, "boolean")
        if op == "xor":
            return Val(f"({a} <> {b})", False, "boolean")
        if op == "implies":
            return Val(f"((NOT {a}) OR {b})", False, "boolean")
        out_kind = sql_kind(expr.type)
        if op == "&":
            return Val(f"(coalesce({a}, '') || coalesce({b}, ''))", False, "string")
        if op == "+" and out_kind == "string":
            return Val(f"({a} || {b})", False, "string")
        if op == "/":
            real = self.d.prim("decimal")
            sql = f"(CAST({a} AS {real}) / nullif(CAST({b} AS {real}), 0))"
            return Val(sql, False, "decimal")
        if op == "div":
            return Val(self.d.int_div(a, f"nullif({b}, 0)"), False, out_kind)
        if op == "mod":
            return Val(f"({a} % nullif({b}, 0))", False, out_kind)
        return Val(f"({a} {op} {b})", False, out_kind)

    def _compare(self, expr: ir.Binary, op: str, a: str, b: str) -> str:
        kinds = {kind(expr.left.type), kind(expr.right.type)}
        if kinds & {"date", "dateTime"}:
            with_time = "dateTime" in kinds or "string" in kinds
            base = "=" if op == "!=" else op
            sql = temporal.compare(self.d, base, a, b, with_time=with_time)
            return f"(NOT {sql})" if op == "!=" else f"({sql})"
        value_kinds = {sql_kind(expr.left.type), sql_kind(expr.right.type)}
        if len(value_kinds - {"string"}) == 1 and "string" in value_kinds:
            text = self.d.prim("string")
            a, b = f"CAST({a} AS {text})", f"CAST({b} AS {text})"
        return f"({a} {_SQL_OPS[op]} {b})"

    def _list_equal(self, expr: ir.Binary, left: Val, right: Val) -> str:
        size = self.d.size
        if left.many and right.many:
            a, b = self.listify(left), self.listify(right)
            return f"CASE WHEN {size(a)} = 0 OR {size(b)} = 0 THEN NULL ELSE {a} = {b} END"
        many, one = (left, right) if left.many else (right, left)
        items = self.listify(many)
        first = self.d.item(items, "0")
        pair = (first, one.sql) if left.many else (one.sql, first)
        same = self._compare(expr, "=", *pair)
        return (
            f"CASE WHEN {size(items)} = 0 OR {one.sql} IS NULL THEN NULL "
            f"WHEN {size(items)} = 1 THEN {same} ELSE FALSE END"
        )
