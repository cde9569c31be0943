"""``repeat``: the nodes reached by the paths from the focus, again and again, depth first.

No struct type can hold a tree of unknown depth, so the nodes stay JSON text (their places are
raw in the schema) and each is parsed when it is reached. SQL has no loop over a row's data, so
the walk is a fold of bounded length: each step parses the children of the last level (the
frontier). A node at depth k+1 sits inside its first-level ancestor under k occurrences of the
paths' last keys, so one more than the number of those occurrences in the first level's JSON text
bounds the depth. Each node carries its path of (branch, position) pairs; sorting by it gives the
depth-first order that ``%rowIndex`` numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ir
from .elements import UNKNOWN
from .emit import Env, Val
from .model import Select
from .rowset import Rows
from .sqltypes import ListOf, Prim, Raw, SqlType, Struct

if TYPE_CHECKING:
    from .query import Compiler


def repeat_rows(c: Compiler, select: Select, env: Env) -> Rows:
    spec = select.repeat
    assert spec is not None
    d, em = c.d, c.em
    if spec.node_type == UNKNOWN:
        return _nothing(c, select, env)
    node = c.schema.struct((spec.root,))
    item = Struct((("key", ListOf(Prim("integer"))), ("node", node)))
    state = Struct((("frontier", ListOf(item)), ("done", ListOf(item))))
    seeds = [
        (branch, em.emit(seed, env))
        for branch, seed in enumerate(spec.seeds)
        if not isinstance(seed, ir.Nothing)
    ]
    if not seeds:
        return _nothing(c, select, env)
    seed_items = d.concat([_nodes(c, em.listify(s), branch, None, node) for branch, s in seeds])
    acc, parent = em.fresh(), em.fresh()
    parent_key = d.field(parent, "key")
    node_env = Env(Val(d.field(parent, "node"), False, "complex"), env.root, "0")
    children = d.concat(
        [
            _nodes(c, em.listify(em.emit(step, node_env)), branch, parent_key, node)
            for branch, step in enumerate(spec.steps)
            if not isinstance(step, ir.Nothing)
        ]
    )
    frontier = d.field(acc, "frontier")
    next_level = d.flatten(d.transform(frontier, parent, children))
    done = d.concat([d.field(acc, "done"), frontier])
    step = d.struct([("frontier", next_level), ("done", done)])
    init = d.struct([("frontier", seed_items), ("done", d.empty(ListOf(item)))])
    folded = d.iterate(_depth_bound(c, seeds, spec.keys), init, state, acc, step)
    # The bound is at least the depth, so the last frontier is empty: all nodes are done.
    nodes = d.sort(d.field(folded, "done"))
    return c.each(nodes, "complex", select, env, node=True)


def _nothing(c: Compiler, select: Select, env: Env) -> Rows:
    """No rows, typed as the rows of ``select``."""
    nulls = c.null_row(select, Env(Val("NULL", False, "complex"), env.root, "0"))
    var = c.em.fresh()
    return Rows(nulls.names, array=c.d.filter(c.array(nulls), var, "FALSE"))


def _nodes(c: Compiler, texts: str, branch: int, parent_key: str | None, node: SqlType) -> str:
    """Each JSON text of ``texts`` parsed as a node, keyed by its place in the tree."""
    d = c.d
    var, index = c.em.fresh(), c.em.fresh()
    step = d.array([str(branch), d.convert(d.position(index), "integer")])
    key = step if parent_key is None else d.concat([parent_key, step])
    parsed = var if isinstance(node, Raw) else d.parse_json(var, node)
    body = d.struct([("key", key), ("node", parsed)])
    return d.transform(texts, var, body, index)


def _depth_bound(c: Compiler, seeds: list[tuple[int, Val]], keys: tuple[str, ...]) -> str:
    """One more than the number of times the keys occur in the seeds' JSON text."""
    text = " || ".join(c.d.join(c.em.listify(s), "") for _, s in seeds)
    counts = []
    for key in keys:
        quoted = c.d.string(f'"{key}"')
        removed = f"(length({text}) - length(replace({text}, {quoted}, '')))"
        counts.append(c.d.int_div(removed, str(len(key) + 2)))
    return "(1 + " + " + ".join(counts or ["0"]) + ")"
