"""Spark SQL (4.0): higher-order functions with ``x -> ...``, ``from_json``, ``explode``.

Everything here also holds with ``spark.sql.ansi.enabled`` on (Spark 4's default): lists are
read with ``get`` and ``try_element_at``, which give NULL past their end.
"""

from __future__ import annotations

from .dialect import Dialect
from .sqltypes import ListOf, Prim, Raw, SqlType


class Spark(Dialect):
    name = "spark"
    _PRIMS = {"boolean": "BOOLEAN", "integer": "INT", "decimal": "DOUBLE", "string": "STRING"}

    def string(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def type(self, sql_type: SqlType) -> str:
        if isinstance(sql_type, Prim):
            return self.prim(sql_type.kind)
        if isinstance(sql_type, Raw):
            return "STRING"
        if isinstance(sql_type, ListOf):
            return f"ARRAY<{self.type(sql_type.item)}>"
        inner = ", ".join(f"{self.ident(n)}: {self.type(t)}" for n, t in sql_type.fields)
        return f"STRUCT<{inner}>"

    def struct(self, fields: list[tuple[str, str]]) -> str:
        return "named_struct(" + ", ".join(f"{self.string(n)}, {v}" for n, v in fields) + ")"

    def parse_json(self, sql: str, struct: SqlType) -> str:
        return f"from_json({sql}, {self.string(self.type(struct))})"

    def error(self, message: str) -> str:
        return f"raise_error({self.string(message)})"

    def array(self, items: list[str]) -> str:
        return "array(" + ", ".join(items) + ")"

    def transform(self, lst: str, var: str, body: str, index: str | None = None) -> str:
        names = var if index is None else f"({var}, {index})"
        return f"transform({lst}, {names} -> {body})"

    def position(self, index: str) -> str:
        return index

    def filter(self, lst: str, var: str, cond: str) -> str:
        return f"filter({lst}, {var} -> {cond})"

    def flatten(self, lst: str) -> str:
        return f"flatten({lst})"

    def size(self, lst: str) -> str:
        return f"size({lst})"

    def item(self, lst: str, index: str) -> str:
        return f"get({lst}, {index})"

    def last(self, lst: str) -> str:
        return f"try_element_at({lst}, -1)"

    def compact(self, lst: str) -> str:
        return f"array_compact({lst})"

    def count_nonnull(self, lst: str) -> str:
        return f"size(array_compact({lst}))"

    def first_nonnull(self, lst: str) -> str:
        return f"get(array_compact({lst}), 0)"

    def concat(self, lists: list[str]) -> str:
        return lists[0] if len(lists) == 1 else "concat(" + ", ".join(lists) + ")"

    def join(self, lst: str, separator: str) -> str:
        return f"array_join({lst}, {self.string(separator)})"

    def sort(self, lst: str) -> str:
        return f"array_sort({lst})"

    def iterate(self, times: str, init: str, state_type: SqlType, var: str, step: str) -> str:
        return f"aggregate(sequence(1, {times}), {init}, ({var}, _it) -> {step})"

    def explode(self, lst: str) -> str:
        return f"explode({lst})"

    def epoch_ms(self, sql: str) -> str:
        return f"unix_millis(try_to_timestamp({sql}))"

    def last_day(self, sql: str) -> str:
        return f"CAST(last_day(try_to_timestamp({sql})) AS STRING)"

    def int_div(self, left: str, right: str) -> str:
        return f"({left} div {right})"

    def raw_fields(self, sql: str, keys: list[str], *, top: bool) -> str:
        struct = "struct<" + ", ".join(f"{self.ident(k)}: variant" for k in keys) + ">"
        value = f"try_parse_json({sql})" if top else sql
        return f"try_variant_get({value}, '$', {self.string(struct)})"

    def raw_is(self, sql: str, json_kind: str) -> str:
        schema = f"schema_of_variant({sql})"
        if json_kind in ("object", "array"):
            return f"startswith({schema}, {self.string(json_kind.upper())})"
        if json_kind == "number":
            return f"({schema} IN ('BIGINT', 'DOUBLE', 'FLOAT') OR startswith({schema}, 'DECIMAL'))"
        kinds = {"string": "STRING", "boolean": "BOOLEAN", "integer": "BIGINT"}
        return f"{schema} = {self.string(kinds[json_kind])}"

    def raw_absent(self, sql: str) -> str:
        return f"({sql} IS NULL OR is_variant_null({sql}))"

    def raw_items(self, sql: str) -> str:
        return f"try_variant_get({sql}, '$', 'array<variant>')"

    def raw_string(self, sql: str) -> str:
        return f"try_variant_get({sql}, '$', 'string')"

    def raw_integer(self, sql: str) -> str:
        return f"try_variant_get({sql}, '$', 'bigint')"

    def full_match(self, sql: str, pattern: str) -> str:
        # Java's $ also matches before a final line break; \z is the very end.
        anchored = "^(?:" + pattern + ")\\z"
        return f"({sql} rlike {self.string(anchored)})"

    def all_items(self, lst: str, var: str, cond: str) -> str:
        return f"forall({lst}, {var} -> {cond})"

    def bind(self, value: str, var: str, body: str) -> str:
        return f"get(transform(array({value}), {var} -> {body}), 0)"
