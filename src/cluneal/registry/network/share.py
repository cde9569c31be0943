"""A share: the aggregate-only results of one installation's registry, as JSON.

What it holds is exactly what pooling needs (docs/registry-network.md lists every field):
cohort-flow counts per nerve, block-response counts, the life table of each time-to-recurrence
analysis, the 2 x 2 table of claim E6 and questionnaire change as n, means and SD. It holds no
record number, key, date of birth, free text or date of any patient: the only dates are the
entry period the sharer chose, and times are intervals (days or months since a block or a
treatment).

Small-cell suppression: a count from 1 to ``min_cell - 1`` is written as ``null`` (with the
statistics resting on it). A life table is shared only when its curve rests on at least
``min_cell`` nerve-sides; its rows are exact, because the pooled Kaplan-Meier curve is exact only
if every row is (see the documentation for the reasoning).

The content digest is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of the
share without its ``digest`` member. It detects an edited or damaged file; it is not a
signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry import blocks, comparison, flow, questionnaires, survival
from cluneal.registry.cohort import INSTRUMENTS, Cohort

FORMAT = "cluneal-registry-share/1"
#: The registry's own fixed definitions (relief bins, Kuniya's measures, the curves' units and
#: episodes, the outcome groups of E6): a change to any of them changes this name.
ANALYSES = "cluneal-registry-analyses/1"
FLOW_KEYS = (*flow.STEP_IDS, flow.UNCONFIRMED_TREATED)
E6_CELLS = ("long_good", "long_poor", "short_good", "short_poor")
KUNIYA_KEYS = ("blocked", "over_20mm", "over_50pct")
QUESTIONNAIRE_COUNTS = (
    "patients",
    "reached_mic_points",
    "reached_mic_percent",
    "worsened_mic_points",
)
QUESTIONNAIRE_STATS = ("baseline_mean", "follow_up_mean", "change_mean", "change_sd")
TOP_KEYS = (
    "format",
    "installation",
    "made_with",
    "definitions",
    "period",
    "min_cell",
    "patients",
    "flow",
    "blocks",
    "recurrence",
    "surgery_by_relief",
    "questionnaires",
    "digest",
)
DEFINITION_KEYS = (
    "analyses",
    "block_definition",
    "favourable_relief_days",
    "scn_window_mm",
    "mcn_window_mm",
    "mic",
)
BLOCK_DEFINITION_KEYS = (
    "id",
    "min_relief_percent",
    "inclusive",
    "min_minutes_after",
    "max_minutes_after",
)
BLOCK_KEYS = (
    "relief",
    "relief_undefined",
    "kuniya",
    "durations",
    "still_relieved",
    "duration_missing",
)


def definitions(pack: KnowledgePack) -> dict[str, Any]:
    """Every definition the shared numbers depend on; shares pool only when these are equal."""
    bd = pack.block_definition
    return {
        "analyses": ANALYSES,
        "block_definition": {
            "id": bd.id,
            "min_relief_percent": bd.min_relief_percent,
            "inclusive": bd.inclusive,
            "min_minutes_after": bd.min_minutes_after,
            "max_minutes_after": bd.max_minutes_after,
        },
        "favourable_relief_days": pack.settings.favourable_relief_days,
        "scn_window_mm": list(pack.settings.scn_window_mm),
        "mcn_window_mm": list(pack.settings.mcn_window_mm),
        "mic": {
            i: {
                "points": pack.instruments[i].parameters["mic_points"],
                "percent": pack.instruments[i].parameters["mic_percent"],
            }
            for i in INSTRUMENTS
        },
    }


class _Suppress:
    def __init__(self, min_cell: int) -> None:
        self.min_cell = min_cell

    def __call__(self, n: int) -> int | None:
        return None if self.min_cell > 1 and 0 < n < self.min_cell else n

    def all(self, values: Any) -> list[int | None]:
        return [self(int(x)) for x in values]


def make(
    cohort: Cohort,
    pack: KnowledgePack,
    *,
    label: str,
    min_cell: int,
    cluneal_version: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """The share of ``cohort`` (already selected by site and period), digest included."""
    s = _Suppress(min_cell)
    f = flow.cohort_flow(cohort, pack)
    c = blocks.counts_of(blocks.block_response(cohort, pack))
    e6 = comparison.compare(cohort, pack)
    t = e6.table
    share: dict[str, Any] = {
        "format": FORMAT,
        "installation": label,
        "made_with": {
            "cluneal": cluneal_version,
            "knowledge_pack": {"name": pack.name, "version": pack.version},
            "block_definition": pack.block_definition.label,
        },
        "definitions": definitions(pack),
        "period": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        },
        "min_cell": min_cell,
        "patients": s(f.patients),
        "flow": {g: {k: s(f.n(g, k)) for k in FLOW_KEYS} for g in flow.GROUPS},
        "blocks": {
            "relief": {n: s.all(c.relief[n]) for n in v.NERVES},
            "relief_undefined": {n: s(c.undefined[n]) for n in v.NERVES},
            "kuniya": {
                n: dict(zip(KUNIYA_KEYS, s.all(c.kuniya[n]), strict=True)) for n in v.NERVES
            },
            "durations": {n: s.all(c.durations[n]) for n in v.NERVES},
            "still_relieved": {n: s.all(c.still_relieved[n]) for n in v.NERVES},
            "duration_missing": {n: s(c.duration_missing[n]) for n in v.NERVES},
        },
        "recurrence": {
            kind: _curve(curve, s) for kind, curve in survival.curves(cohort, pack).items()
        },
        "surgery_by_relief": {
            "cells": dict(zip(E6_CELLS, s.all((t.a, t.b, t.c, t.d)), strict=True)),
            "excluded": {reason: s(n) for reason, n in e6.excluded},
        },
        "questionnaires": {
            q.instrument: _change(q.summary(), s) for q in questionnaires.changes(cohort, pack)
        },
    }
    share["digest"] = digest(share)
    return share


def _curve(curve: survival.Curve, s: _Suppress) -> dict[str, Any]:
    shared = curve.n == 0 or s(curve.n) is not None
    return {
        "unit": curve.unit,
        "nerve_sides": s(curve.n),
        "life_table": [list(row) for row in curve.life_table] if shared else None,
        "excluded": {reason: s(n) for reason, n in curve.excluded},
    }


def _change(q: questionnaires.ChangeSummary, s: _Suppress) -> dict[str, Any]:
    counts = (q.n, q.reached_points, q.reached_percent, q.worsened)
    out: dict[str, Any] = dict(zip(QUESTIONNAIRE_COUNTS, s.all(counts), strict=True))
    known = s(q.n) is not None
    for key in QUESTIONNAIRE_STATS:
        out[key] = getattr(q, key) if known else None
    return out


def canonical(share: Mapping[str, Any]) -> bytes:
    """The canonical JSON of a share without its digest: sorted keys, no spaces, UTF-8."""
    body = {k: val for k, val in share.items() if k != "digest"}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def digest(share: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical(share)).hexdigest()


def dumps(share: Mapping[str, Any]) -> bytes:
    """The share as a file: readable JSON (objects indented, lists of numbers on one line),
    keys sorted, so that the same share is always the same bytes."""
    return (_pretty(share, 0) + "\n").encode("utf-8")


def _pretty(value: Any, depth: int) -> str:
    if isinstance(value, Mapping) and value:
        pad = "  " * (depth + 1)
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_pretty(value[k], depth + 1)}"
            for k in sorted(value)
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and any(isinstance(x, list | Mapping) for x in value):
        pad = "  " * (depth + 1)
        return (
            "[\n"
            + ",\n".join(pad + _pretty(x, depth + 1) for x in value)
            + "\n"
            + "  " * depth
            + "]"
        )
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
