"""The calculator page, its live result fragment, and the evidence page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cluneal.core import assess, parse_case
from cluneal.core.assessment import Assessment
from cluneal.core.case import Case
from cluneal.core.scores import odi_caution
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.loader import PackError, active_pack, with_settings
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Invalid, Problem
from cluneal.web.calculator import choices
from cluneal.web.calculator.diagram import diagram_context
from cluneal.web.calculator.form import MAX_BLOCKS, MAX_TREATMENTS, build_case, field_for


def _pack(request: HttpRequest) -> tuple[KnowledgePack, list[Problem]]:
    pack = active_pack()
    definition = request.GET.get("block_definition", "").strip()
    if definition and definition != pack.settings.block_definition:
        try:
            return with_settings(pack, {"block_definition": definition}), []
        except PackError as exc:
            return pack, list(exc.problems)
    return pack, []


def _result_context(request: HttpRequest) -> dict[str, Any]:
    pack, problems = _pack(request)
    form = build_case(request.GET)
    case: Case | None = None
    assessment: Assessment | None = None
    try:
        case = parse_case(form.case)
    except Invalid as exc:
        problems += list(exc.problems)
    if case is not None and form.filled and not problems:
        assessment = assess(case, pack)
    return {
        "pack": pack,
        "form": form,
        "assessment": assessment,
        "problems": problems,
        "field_errors": {f: p.message for p in problems if (f := field_for(p.path))},
        "view": present(assessment, pack) if assessment else None,
        "diagram": diagram_context(dict(case.exam) if case else {}, pack.settings),
    }


def present(a: Assessment, pack: KnowledgePack) -> dict[str, Any]:
    """The assessment arranged for the page: a grid by nerve and side, criteria by side."""
    nerves = {(n.nerve, n.side): n for n in a.nerves}
    rows = [
        {
            "nerve": nerve,
            "cells": [
                {
                    "n": nerves[(nerve, side)],
                    "stage": pack.pathway.stages[nerves[(nerve, side)].stage],
                }
                for side in v.SIDES
            ],
        }
        for nerve in v.NERVES
    ]
    titles = {c.id: c.title for c in pack.criteria}
    criteria = [
        {"side": side, "sets": [(c, titles.get(c.id, c.id)) for c in a.criteria if c.side == side]}
        for side in v.SIDES
    ]
    differentials = {d.id: d for d in pack.differentials}
    return {
        "rows": rows,
        "criteria": criteria,
        "differentials": [(d, differentials.get(d.id or "")) for d in a.differentials],
        "scores": [
            (pack.instruments[k], s, odi_caution(s, pack) if k == "odi" else None)
            for k, s in a.scores.items()
        ],
    }


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    context = _result_context(request)
    context.update(
        choices=choices.CHOICES,
        block_rows=_rows(request, "b", MAX_BLOCKS, ("date", "nerve", "side", "before", "after")),
        treatment_rows=_rows(request, "t", MAX_TREATMENTS, ("date", "kind", "nerve", "side")),
        startback_items=list(enumerate(pack_items(context["pack"], "startback"), start=1)),
        odi_items=list(enumerate(pack_items(context["pack"], "odi"), start=1)),
        rmdq_items=list(range(1, 25)),
    )
    return render(request, "calculator/calculator.html", context)


@require_GET
def result(request: HttpRequest) -> HttpResponse:
    """The result fragment that the page fetches as the clinician types."""
    return render(request, "calculator/result.html", _result_context(request))


@require_GET
def evidence(request: HttpRequest) -> HttpResponse:
    pack = active_pack()
    return render(request, "calculator/evidence.html", {"pack": pack})


def pack_items(pack: KnowledgePack, instrument: str) -> tuple[str, ...]:
    inst = pack.instruments[instrument]
    return inst.item_labels or tuple(f"Item {i}" for i in range(1, inst.items + 1))


def _rows(
    request: HttpRequest, prefix: str, limit: int, keys: tuple[str, ...]
) -> list[tuple[int, bool]]:
    """Every row, and whether it starts visible: the filled ones and one empty row after them
    (the page's "add another" button reveals the rest)."""
    filled = [i for i in range(limit) if any(request.GET.get(f"{prefix}{i}_{k}") for k in keys)]
    shown = min(limit, (max(filled) + 2) if filled else 1)
    return [(i, i < shown) for i in range(limit)]
