"""The calculator's form, in the query string, mapped to a ``cluneal-case/1`` case.

The calculator keeps its whole state in the URL: nothing is stored, a result can be shared or
bookmarked, and the EHR card can link to a calculator already filled from the record. Values
that are not numbers are passed to the core as given, so that its validator names the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from cluneal.knowledge import vocabulary as v

MAX_BLOCKS = 6
MAX_TREATMENTS = 3
TRISTATE = {"yes": True, "no": False}


@dataclass
class CalculatorForm:
    """The submitted values, kept for re-rendering the form, and the case they make."""

    data: QueryDict
    case: dict[str, Any] = field(default_factory=dict)
    filled: bool = False

    def value(self, name: str) -> str:
        return self.data.get(name, "").strip()

    def values(self, name: str) -> list[str]:
        return [x for x in self.data.getlist(name) if x]


def _number(raw: str) -> Any:
    if raw == "":
        return None
    try:
        number = float(raw)
    except ValueError:
        return raw  # the core reports "must be a number"
    return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", raw) else number


def _tristate(raw: str) -> bool | None:
    return TRISTATE.get(raw)


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: x for k, x in d.items() if x is not None and x != {}}


def build_case(data: QueryDict) -> CalculatorForm:
    form = CalculatorForm(data)
    f = form.value
    history: dict[str, Any] = {
        "duration_months": _number(f("duration_months")),
        "leg_numbness_or_tingling": _tristate(f("leg_tingling")),
    }
    left, right = form.values("pain_left"), form.values("pain_right")
    if left or right:
        history["pain_sites"] = {"left": left, "right": right}
    aggravated = form.values("aggravated")
    if aggravated or f("aggravated_none"):
        history["aggravated_by"] = aggravated
    for key, name in (
        ("prior_procedures", "prior"),
        ("planned_procedures", "planned"),
        ("conditions", "conditions"),
        ("red_flags", "red_flags"),
    ):
        chosen = form.values(name)
        if chosen:
            history[key] = chosen
    exam: dict[str, dict[str, Any]] = {}
    for side in v.SIDES:
        for nerve in v.NERVES:
            p = f"{side}_{nerve}_"
            finding = _drop_empty(
                {
                    "tender": _tristate(f(p + "tender")),
                    "distance_mm": _number(f(p + "distance")),
                    "reproduces_complaint": _tristate(f(p + "reproduces")),
                    "radiation_on_pressure": _tristate(f(p + "radiation")),
                }
            )
            if finding:
                exam.setdefault(side, {})[nerve] = finding
    blocks = []
    for i in range(MAX_BLOCKS):
        row = {
            "date": f(f"b{i}_date") or None,
            "nerve": f(f"b{i}_nerve") or None,
            "side": f(f"b{i}_side") or None,
            "nrs_before": _number(f(f"b{i}_before")),
            "nrs_after": _number(f(f"b{i}_after")),
            "minutes_after": _number(f(f"b{i}_minutes")),
            "relief_days": _number(f(f"b{i}_days")),
        }
        if any(x is not None for x in row.values()):
            blocks.append(_drop_empty(row))
    treatments = []
    for i in range(MAX_TREATMENTS):
        row = {
            "date": f(f"t{i}_date") or None,
            "kind": f(f"t{i}_kind") or None,
            "nerve": f(f"t{i}_nerve") or None,
            "side": f(f"t{i}_side") or None,
            "outcome": f(f"t{i}_outcome") or None,
        }
        if any(x is not None for x in row.values()):
            treatments.append(_drop_empty(row))
    questionnaires: dict[str, Any] = {}
    startback = [_number(f(f"sb{i}")) for i in range(1, 10)]
    if any(x is not None for x in startback):
        questionnaires["startback"] = startback
    odi = [_number(f(f"odi{i}")) for i in range(1, 11)]
    if any(x is not None for x in odi):
        questionnaires["odi"] = odi
    ticked = set(form.values("rmdq"))
    if ticked or f("rmdq_done"):
        questionnaires["rmdq"] = [str(i) in ticked for i in range(1, 25)]
    case = _drop_empty(
        {
            "patient": _drop_empty({"age": _number(f("age")), "sex": f("sex") or None}),
            "history": _drop_empty(history),
            "exam": exam,
            "current_nrs": _number(f("current_nrs")),
            "questionnaires": questionnaires,
        }
    )
    if blocks:
        case["blocks"] = blocks
    if treatments:
        case["treatments"] = treatments
    form.filled = bool(case)
    form.case = {"format": "cluneal-case/1", **case}
    return form


FIELD_FOR_PATH = [
    (re.compile(r"^patient\.(age|sex)$"), r"\1"),
    (re.compile(r"^history\.duration_months$"), "duration_months"),
    (re.compile(r"^current_nrs$"), "current_nrs"),
    (re.compile(r"^exam\.(left|right)\.(scn|mcn)\.distance_mm$"), r"\1_\2_distance"),
    (re.compile(r"^blocks\[(\d)\]\.nrs_before$"), r"b\1_before"),
    (re.compile(r"^blocks\[(\d)\]\.nrs_after$"), r"b\1_after"),
    (re.compile(r"^blocks\[(\d)\]\.minutes_after$"), r"b\1_minutes"),
    (re.compile(r"^blocks\[(\d)\]\.relief_days$"), r"b\1_days"),
    (re.compile(r"^blocks\[(\d)\]\.(date|nerve|side)$"), r"b\1_\2"),
    (re.compile(r"^treatments\[(\d)\]\.(date|kind|nerve|side|outcome)$"), r"t\1_\2"),
    (re.compile(r"^questionnaires\.startback\[(\d)\]$"), "sb{n}"),
    (re.compile(r"^questionnaires\.odi\[(\d)\]$"), "odi{n}"),
]


def field_for(path: str) -> str | None:
    """The form field that a problem's JSON path points at, so the error shows beside it."""
    for pattern, template in FIELD_FOR_PATH:
        m = pattern.match(path)
        if m:
            if "{n}" in template:
                return template.format(n=int(m.group(1)) + 1)
            return m.expand(template)
    return None


def _yes_no(value: object) -> str:
    return {True: "yes", False: "no"}.get(value, "")  # type: ignore[call-overload]


def form_data(case: dict[str, Any]) -> QueryDict:
    """The form fields that show ``case``: the inverse of :func:`build_case`.

    Used to edit a stored visit with the same form, and to open the calculator already filled
    from a record (the EHR card links to ``/?`` + ``form_data(case).urlencode()``).
    """
    q = QueryDict(mutable=True)

    def put(name: str, value: object) -> None:
        if value is not None and value != "":
            q[name] = str(value)

    patient = case.get("patient") or {}
    put("age", patient.get("age"))
    put("sex", patient.get("sex"))
    history = case.get("history") or {}
    put("duration_months", history.get("duration_months"))
    put("leg_tingling", _yes_no(history.get("leg_numbness_or_tingling")))
    for side, sites in (history.get("pain_sites") or {}).items():
        q.setlist(f"pain_{side}", list(sites or []))
    aggravated = history.get("aggravated_by")
    if aggravated is not None:
        q.setlist("aggravated", list(aggravated))
        if not aggravated:
            q["aggravated_none"] = "1"
    for key, name in (
        ("prior_procedures", "prior"),
        ("planned_procedures", "planned"),
        ("conditions", "conditions"),
        ("red_flags", "red_flags"),
    ):
        if history.get(key):
            q.setlist(name, list(history[key]))
    for side, nerves in (case.get("exam") or {}).items():
        for nerve, finding in (nerves or {}).items():
            finding = finding or {}
            p = f"{side}_{nerve}_"
            put(p + "tender", _yes_no(finding.get("tender")))
            put(p + "distance", finding.get("distance_mm"))
            put(p + "reproduces", _yes_no(finding.get("reproduces_complaint")))
            put(p + "radiation", _yes_no(finding.get("radiation_on_pressure")))
    for i, b in enumerate((case.get("blocks") or [])[:MAX_BLOCKS]):
        for key, name in (
            ("date", "date"),
            ("nerve", "nerve"),
            ("side", "side"),
            ("nrs_before", "before"),
            ("nrs_after", "after"),
            ("minutes_after", "minutes"),
            ("relief_days", "days"),
        ):
            put(f"b{i}_{name}", b.get(key))
    for i, t in enumerate((case.get("treatments") or [])[:MAX_TREATMENTS]):
        for key in ("date", "kind", "nerve", "side", "outcome"):
            put(f"t{i}_{key}", t.get(key))
    put("current_nrs", case.get("current_nrs"))
    questionnaires = case.get("questionnaires") or {}
    for i, answer in enumerate(questionnaires.get("startback") or [], start=1):
        put(f"sb{i}", answer)
    for i, answer in enumerate(questionnaires.get("odi") or [], start=1):
        put(f"odi{i}", answer)
    rmdq = questionnaires.get("rmdq")
    if rmdq is not None:
        q["rmdq_done"] = "1"
        q.setlist("rmdq", [str(i) for i, ticked in enumerate(rmdq, start=1) if ticked])
    return q
