"""Source ids cited across a knowledge pack, checked at the end of a load; and id uniqueness."""

from __future__ import annotations

from cluneal.validation import Node


class SourceRefs:
    """Source ids cited anywhere in the pack, checked against ``sources`` at the end."""

    def __init__(self) -> None:
        self.refs: list[tuple[Node, str]] = []

    def read(self, node: Node, *, required: bool = True) -> tuple[str, ...]:
        ids = node.strings()
        if ids is None:
            if required:
                node.required()
            return ()
        if required and not ids:
            node.fail("must cite at least one source")
        for i, sid in enumerate(ids):
            self.refs.append((Node(sid, f"{node.path}[{i}]", node.problems), sid))
        return tuple(ids)

    def check(self, known: set[str]) -> None:
        for node, sid in self.refs:
            if sid not in known:
                node.fail(f"unknown source id {sid!r}")


def unique_ids(nodes: list[Node], ids: list[str | None]) -> None:
    seen: set[str] = set()
    for node, ident in zip(nodes, ids, strict=True):
        if ident is not None and ident in seen:
            node.get("id").fail(f"duplicate id {ident!r}")
        if ident is not None:
            seen.add(ident)
