"""Strict reader of the pack's settings: the thresholds, each with the evidence for its default."""

from __future__ import annotations

from typing import cast

from cluneal.knowledge.model import BlockDefinition, Setting, Settings
from cluneal.knowledge.refs import SourceRefs
from cluneal.validation import Node

SETTING_IDS = (
    "block_definition",
    "scn_window_mm",
    "mcn_window_mm",
    "blocks_before_surgery",
    "maintenance_max_nrs",
    "escalate_min_nrs",
    "favourable_relief_days",
)


def read_settings(
    section: Node, refs: SourceRefs, definitions: dict[str, BlockDefinition]
) -> tuple[Settings | None, dict[str, Setting]]:
    notes: dict[str, Setting] = {}
    values: dict[str, object] = {}
    if not section.obj(SETTING_IDS):
        section.required()
        return None, notes
    for key in SETTING_IDS:
        n = section.get(key)
        if not n.obj(("value", "label", "rationale", "sources")):
            n.required()
            continue
        value = setting_value(key, n.get("value"), definitions)
        label, rationale = (
            n.get("label").string(non_empty=True),
            n.get("rationale").string(non_empty=True),
        )
        for part in ("value", "label", "rationale"):
            n.get(part).required()
        sources = refs.read(n.get("sources"))
        if value is not None and label and rationale:
            values[key] = value
            notes[key] = Setting(key, value, label, rationale, sources)
    if len(values) != len(SETTING_IDS):
        return None, notes
    return Settings(**values), notes  # type: ignore[arg-type]


def setting_value(key: str, n: Node, definitions: dict[str, BlockDefinition]) -> object:
    if key == "block_definition":
        return n.enum(tuple(definitions)) if definitions else n.string(non_empty=True)
    if key.endswith("_window_mm"):
        bounds = [x.number(0, 1000) for x in n.items(min_len=2, max_len=2)]
        if len(bounds) == 2 and None not in bounds:
            low, high = cast(list[float], bounds)
            if low <= high:
                return (low, high)
            n.fail("the lower bound must not exceed the upper bound")
        return None
    if key == "favourable_relief_days":
        return n.number(0)
    high = 10 if key.endswith("_nrs") else 100
    return n.integer(0 if key.endswith("_nrs") else 1, high)
