"""A checked view to one SQL SELECT: each resource parsed once, its rows built as a list of structs.

The select tree becomes list algebra evaluated per resource, with no join: ``column`` gives one
row; ``forEach`` maps the rows of each item (``%rowIndex`` is the item's position); sibling
selects are a cross product (nested maps, flattened); ``unionAll`` concatenates; ``forEachOrNull``
gives a row of NULLs when there is no item; ``repeat`` (:mod:`.repeat`) walks the tree level by
level in a bounded fold and orders the nodes depth first. The lists are then unnested into rows.

The query has three levels: the resources, parsed and filtered, with the view's single-valued
columns (computed once per resource); the unnest of the rows; the columns in the view's order.
The common view, one ``forEach`` over plain columns, unnests the items themselves and computes
its columns after the unnest, as one would by hand.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from . import ir
from .dialect import Dialect
from .duckdb_sql import DuckDB
from .emit import Emitter, Env, Val
from .model import Column, Select, View
from .repeat import repeat_rows
from .rowset import Rows
from .schema import Schema
from .spark_sql import Spark


def column_error(name: str) -> str:
    return f"sqlonfhir: column {name} has several values; declare it with collection: true"


class Compiler:
    def __init__(self, view: View, dialect: Dialect) -> None:
        self.view = view
        self.d = dialect
        self.schema = Schema(view)
        self.em = Emitter(dialect, self.schema)

    def query(self, relation: str) -> str:
        d = self.d
        parsed = d.once(d.parse_json("resource", self.schema.struct((0,))))
        source = f"(SELECT {parsed} AS __r FROM {relation}) AS __s"
        root = Val("__r", False, "complex")
        env = Env(root, root, "0")
        conditions = [f"{d.field('__r', 'resourceType')} = {d.string(self.view.resource)}"]
        conditions += [self.em.single(self.em.emit(w, env)).sql for w in self.view.where]
        where = " AND ".join(conditions)
        parts = self.parts(self.view.select, env)
        order = [name for part in parts for name in part.names]
        inner = [
            f"{sql} AS {d.ident(name)}"
            for part in parts
            if part.single is not None
            for name, sql in zip(part.names, part.single, strict=True)
        ]
        if len(inner) == len(order):
            return f"SELECT {', '.join(inner)} FROM {source} WHERE {where}"
        # Single columns are computed once per resource, below the unnest of the rows.
        outer = {name: d.ident(name) for part in parts if part.single for name in part.names}
        arrays = [part for part in parts if part.single is None]
        each = self.unnested(arrays, root)
        if each is not None:
            items, columns = each
            exploded = f"{d.explode(items)} AS __f"
            outer.update(columns)
        else:
            rows = self.product(arrays)
            assert rows.array is not None
            exploded = f"{d.explode(rows.array)} AS __row"
            outer.update((name, d.field("__row", name)) for name in rows.names)
        items = ", ".join(f"{outer[name]} AS {d.ident(name)}" for name in order)
        resources = f"SELECT {', '.join([*inner, '__r'])} FROM {source} WHERE {where}"
        return f"SELECT {items} FROM (SELECT *, {exploded} FROM ({resources}) AS __u) AS __t"

    def unnested(self, arrays: list[Rows], root: Val) -> tuple[str, dict[str, str]] | None:
        """For the common view, one ``forEach`` of plain columns: the items to unnest as
        ``__f`` and each column on ``__f``, so that the engine unnests the items themselves."""
        if len(arrays) != 1 or arrays[0].each is None:
            return None
        items, kind, select = arrays[0].each
        if _uses_row_index(select):
            return None
        content = self.content(select, Env(Val("__f", False, kind), root, "0"))
        if content.single is None:
            return None
        return items, dict(zip(content.names, content.single, strict=True))

    # Selects.

    def content(self, select: Select, env: Env) -> Rows:
        """The rows of ``select`` on the focus of ``env``, its own iteration aside."""
        return self.product(self.parts(select, env))

    def parts(self, select: Select, env: Env) -> list[Rows]:
        """The rows of its columns, of each nested select and of its unionAll, to be crossed."""
        parts: list[Rows] = []
        if select.columns:
            names = tuple(c.name for c in select.columns)
            parts.append(Rows(names, tuple(self.column(c, env) for c in select.columns)))
        parts.extend(self.rows(sub, env) for sub in select.selects)
        if select.union:
            branches = [self.array(self.rows(branch, env)) for branch in select.union]
            names = tuple(c.name for c in select.union[0].output())
            parts.append(Rows(names, array=self.d.concat(branches)))
        return parts

    def rows(self, select: Select, env: Env) -> Rows:
        if select.for_each is not None:
            foci = self.em.emit(select.for_each, env)
            items = self.em.listify(foci)
            rows = self.each(items, foci.kind, select, env)
            if not select.or_null:
                return replace(rows, each=(items, foci.kind, select))
            null_focus = Val(self.d.item(items, "0"), False, foci.kind)
            nulls = self.null_row(select, Env(null_focus, env.root, "0"))
            empty = f"{self.d.size(items)} = 0"
            array = f"CASE WHEN {empty} THEN {self.array(nulls)} ELSE {self.array(rows)} END"
            or_null = f"CASE WHEN {empty} THEN {self.d.array([null_focus.sql])} ELSE {items} END"
            return Rows(rows.names, array=array, each=(or_null, foci.kind, select))
        if select.repeat is not None:
            return repeat_rows(self, select, env)
        return self.content(select, env)

    def each(self, items: str, kind: str, select: Select, env: Env, node: bool = False) -> Rows:
        """The rows of ``select`` for each item of the list ``items``."""
        var, index = self.em.fresh(), self.em.fresh()
        focus = Val(self.d.field(var, "node") if node else var, False, kind)
        inner = self.content(select, Env(focus, env.root, self.d.position(index)))
        if inner.single is not None:
            body = self.d.struct(list(zip(inner.names, inner.single, strict=True)))
            return Rows(inner.names, array=self.d.transform(items, var, body, index))
        assert inner.array is not None
        array = self.d.flatten(self.d.transform(items, var, inner.array, index))
        return Rows(inner.names, array=array)

    def null_row(self, select: Select, env: Env) -> Rows:
        """The row of ``forEachOrNull`` when there is no item: every column on a NULL focus."""
        names = [c.name for c in select.columns]
        values = [self.column(c, env) for c in select.columns]
        subs = [*select.selects, *select.union[:1]]
        for sub in subs:
            sub_env = env
            if sub.for_each is not None:
                foci = self.em.emit(sub.for_each, env)
                focus = Val(self.d.item(self.em.listify(foci), "0"), False, foci.kind)
                sub_env = Env(focus, env.root, "0")
            elif sub.repeat is not None:
                node = self.schema.struct((sub.repeat.root,))
                sub_env = Env(
                    Val(f"CAST(NULL AS {self.d.type(node)})", False, "complex"), env.root, "0"
                )
            row = self.null_row(sub, sub_env)
            names.extend(row.names)
            values.extend(row.single or ())
        return Rows(tuple(names), tuple(values))

    def column(self, column: Column, env: Env) -> str:
        val = self.em.emit(column.expr, env)
        d = self.d
        if column.collection:
            items = self.em.listify(val)
            if val.kind != column.kind:
                var = self.em.fresh()
                items = d.transform(items, var, d.cast(var, column.kind))
            return items
        sql = self.em.single(val, column_error(column.name)).sql
        return sql if val.kind == column.kind else d.cast(sql, column.kind)

    # Row lists.

    def array(self, rows: Rows) -> str:
        if rows.array is not None:
            return rows.array
        assert rows.single is not None
        return self.d.array([self.d.struct(list(zip(rows.names, rows.single, strict=True)))])

    def product(self, parts: list[Rows]) -> Rows:
        """Every combination of one row of each part, columns in the parts' order."""
        names = tuple(n for part in parts for n in part.names)
        lists = [(part, self.em.fresh()) for part in parts if part.single is None]
        fields: list[tuple[str, str]] = []
        for part in parts:
            if part.single is not None:
                fields.extend(zip(part.names, part.single, strict=True))
            else:
                var = next(v for p, v in lists if p is part)
                fields.extend((n, self.d.field(var, n)) for n in part.names)
        if not lists:
            return Rows(names, tuple(sql for _, sql in fields))
        array = self.d.struct(fields)
        for depth, (part, var) in enumerate(reversed(lists)):
            assert part.array is not None
            array = self.d.transform(part.array, var, array)
            if depth > 0:
                array = self.d.flatten(array)
        return Rows(names, array=array)


def _uses_row_index(select: Select) -> bool:
    exprs = [column.expr for column in select.columns]
    if any(isinstance(node, ir.RowIndex) for expr in exprs for node in ir.walk(expr)):
        return True
    return any(_uses_row_index(sub) for sub in (*select.selects, *select.union))


DIALECTS: dict[str, Dialect] = {"duckdb": DuckDB(), "spark": Spark()}


def compile_sql(view: View, dialect: Literal["duckdb", "spark"], relation: str) -> str:
    """One SQL SELECT giving the rows of ``view`` over ``relation``, in ``dialect``."""
    return Compiler(view, DIALECTS[dialect]).query(relation)
