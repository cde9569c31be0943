"""DuckDB SQL: ``list_*`` functions with ``lambda x: ...``, ``json_transform``, ``unnest``."""

from __future__ import annotations

import json

from .dialect import Dialect
from .sqltypes import ListOf, Prim, Raw, SqlType


class DuckDB(Dialect):
    name = "duckdb"
    _PRIMS = {"boolean": "BOOLEAN", "integer": "INTEGER", "decimal": "DOUBLE", "string": "VARCHAR"}

    def string(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def type(self, sql_type: SqlType) -> str:
        if isinstance(sql_type, Prim):
            return self.prim(sql_type.kind)
        if isinstance(sql_type, Raw):
            return "JSON"
        if isinstance(sql_type, ListOf):
            return f"{self.type(sql_type.item)}[]"
        inner = ", ".join(f"{self.ident(n)} {self.type(t)}" for n, t in sql_type.fields)
        return f"STRUCT({inner})"

    def _structure(self, sql_type: SqlType) -> object:
        if isinstance(sql_type, Prim | Raw):
            return self.type(sql_type)
        if isinstance(sql_type, ListOf):
            return [self._structure(sql_type.item)]
        return {name: self._structure(t) for name, t in sql_type.fields}

    def struct(self, fields: list[tuple[str, str]]) -> str:
        return "struct_pack(" + ", ".join(f"{self.ident(n)} := {v}" for n, v in fields) + ")"

    def parse_json(self, sql: str, struct: SqlType) -> str:
        structure = json.dumps(self._structure(struct), separators=(",", ":"))
        return f"json_transform({sql}, {self.string(structure)})"

    def error(self, message: str) -> str:
        return f"error({self.string(message)})"

    def array(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def transform(self, lst: str, var: str, body: str, index: str | None = None) -> str:
        names = var if index is None else f"{var}, {index}"
        return f"list_transform({lst}, lambda {names}: {body})"

    def position(self, index: str) -> str:
        return f"({index} - 1)"

    def filter(self, lst: str, var: str, cond: str) -> str:
        return f"list_filter({lst}, lambda {var}: {cond})"

    def flatten(self, lst: str) -> str:
        return f"flatten({lst})"

    def size(self, lst: str) -> str:
        return f"len({lst})"

    def item(self, lst: str, index: str) -> str:
        return f"({lst})[({index}) + 1]"

    def last(self, lst: str) -> str:
        return f"({lst})[-1]"

    def compact(self, lst: str) -> str:
        return f"list_filter({lst}, lambda _x: _x IS NOT NULL)"

    def count_nonnull(self, lst: str) -> str:
        return f"list_count({lst})"

    def first_nonnull(self, lst: str) -> str:
        # any_value is the first value that is not NULL, in list order.
        return f"list_any_value({lst})"

    def concat(self, lists: list[str]) -> str:
        out = lists[0]
        for other in lists[1:]:
            out = f"list_concat({out}, {other})"
        return out

    def join(self, lst: str, separator: str) -> str:
        return f"array_to_string({lst}, {self.string(separator)})"

    def sort(self, lst: str) -> str:
        return f"list_sort({lst})"

    def iterate(self, times: str, init: str, state_type: SqlType, var: str, step: str) -> str:
        # list_reduce wants items of the state's type: a list of typed NULLs drives the loop.
        drive = f"list_transform(range({times}), lambda _it: CAST(NULL AS {self.type(state_type)}))"
        return f"list_reduce({drive}, lambda {var}, _it: {step}, {init})"

    def once(self, sql: str) -> str:
        # An unnest is a barrier: a plain projection of the parsed resource would be inlined
        # into the WHERE clause and each column, parsing the JSON again for each.
        return f"unnest([{sql}])"

    def explode(self, lst: str) -> str:
        return f"unnest({lst})"

    def epoch_ms(self, sql: str) -> str:
        return f"epoch_ms(TRY_CAST({sql} AS TIMESTAMPTZ))"

    def last_day(self, sql: str) -> str:
        return f"CAST(last_day(TRY_CAST({sql} AS DATE)) AS VARCHAR)"

    def int_div(self, left: str, right: str) -> str:
        return f"({left} // {right})"

    _JSON_KINDS = {
        "object": "('OBJECT')",
        "array": "('ARRAY')",
        "string": "('VARCHAR')",
        "boolean": "('BOOLEAN')",
        "integer": "('BIGINT', 'UBIGINT', 'HUGEINT')",
        "number": "('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')",
    }

    def raw_fields(self, sql: str, keys: list[str], *, top: bool) -> str:
        structure = json.dumps(dict.fromkeys(keys, "JSON"), separators=(",", ":"))
        return f"json_transform({sql}, {self.string(structure)})"

    def raw_is(self, sql: str, json_kind: str) -> str:
        return f"json_type({sql}) IN {self._JSON_KINDS[json_kind]}"

    def raw_absent(self, sql: str) -> str:
        return f"({sql} IS NULL OR json_type({sql}) = 'NULL')"

    def raw_items(self, sql: str) -> str:
        return f"json_extract({sql}, '$[*]')"

    def raw_string(self, sql: str) -> str:
        return f"json_extract_string({sql}, '$')"

    def raw_integer(self, sql: str) -> str:
        return f"TRY_CAST(json_extract_string({sql}, '$') AS BIGINT)"

    def full_match(self, sql: str, pattern: str) -> str:
        return f"regexp_full_match({sql}, {self.string(pattern)})"

    def all_items(self, lst: str, var: str, cond: str) -> str:
        return f"coalesce(list_bool_and(list_transform({lst}, lambda {var}: {cond})), TRUE)"

    def bind(self, value: str, var: str, body: str) -> str:
        return f"(list_transform([{value}], lambda {var}: {body}))[1]"
