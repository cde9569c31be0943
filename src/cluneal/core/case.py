"""The case (``cluneal-case/1``): typed values, strict parsing and serialisation.

``None`` always means "not known / not examined", never ``False`` or an empty list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.reader import Invalid, Node, Problems

CASE_FORMAT = "cluneal-case/1"
RMDQ_ITEMS = 24


@dataclass(frozen=True)
class Patient:
    age: int | None = None
    sex: str | None = None


@dataclass(frozen=True)
class History:
    duration_months: float | None = None
    #: ``None`` when not recorded; otherwise both sides, a missing side meaning no pain there.
    pain_sites: Mapping[str, tuple[str, ...]] | None = None
    aggravated_by: tuple[str, ...] | None = None
    leg_numbness_or_tingling: bool | None = None
    prior_procedures: tuple[str, ...] | None = None
    planned_procedures: tuple[str, ...] | None = None
    conditions: tuple[str, ...] | None = None
    red_flags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Finding:
    """A tender-point finding for one nerve on one side."""

    tender: bool | None = None
    distance_mm: float | None = None
    reproduces_complaint: bool | None = None
    radiation_on_pressure: bool | None = None


@dataclass(frozen=True)
class Block:
    date: dt.date
    nerve: str
    side: str
    nrs_before: int
    nrs_after: int
    minutes_after: float | None = None
    relief_days: float | None = None

    @property
    def relief_percent(self) -> float | None:
        """``(before - after) / before * 100``; ``None`` when there was no pain before."""
        if self.nrs_before <= 0:
            return None
        return (self.nrs_before - self.nrs_after) / self.nrs_before * 100


@dataclass(frozen=True)
class Treatment:
    date: dt.date
    kind: str
    nerve: str
    side: str
    outcome: str | None = None


@dataclass(frozen=True)
class Questionnaires:
    startback: tuple[int, ...] | None = None
    odi: tuple[int | None, ...] | None = None
    rmdq: tuple[bool | None, ...] | None = None


@dataclass(frozen=True)
class Case:
    id: str | None = None
    patient: Patient = field(default_factory=Patient)
    history: History = field(default_factory=History)
    #: ``exam[side][nerve]``; a missing entry means not examined.
    exam: Mapping[str, Mapping[str, Finding]] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    current_nrs: int | None = None
    questionnaires: Questionnaires = field(default_factory=Questionnaires)

    def finding(self, nerve: str, side: str) -> Finding | None:
        return self.exam.get(side, {}).get(nerve)

    def blocks_on(self, nerve: str, side: str) -> list[Block]:
        return [b for b in self.blocks if b.nerve == nerve and b.side == side]

    def pain_on(self, side: str) -> tuple[str, ...] | None:
        sites = self.history.pain_sites
        return None if sites is None else sites.get(side, ())

    def to_json(self) -> dict[str, Any]:
        return case_to_json(self)


# -- parsing -------------------------------------------------------------------------------------


def parse_case(data: Any) -> Case:
    """Read a case, or raise :class:`Invalid` listing every problem by its JSON path."""
    problems = Problems()
    root = Node(data, "", problems)
    if not isinstance(data, dict):
        root.fail("a case must be a JSON object")
        raise Invalid(problems.found, "case")
    root.obj(
        (
            "format",
            "id",
            "patient",
            "history",
            "exam",
            "blocks",
            "treatments",
            "current_nrs",
            "questionnaires",
        )
    )
    fmt = root.get("format")
    if fmt.required() and fmt.value != CASE_FORMAT:
        fmt.fail(f'must be "{CASE_FORMAT}"')
    case = Case(
        id=root.get("id").string(),
        patient=_patient(root.get("patient")),
        history=_history(root.get("history")),
        exam=_exam(root.get("exam")),
        blocks=tuple(b for b in map(_block, root.get("blocks").items()) if b),
        treatments=tuple(t for t in map(_treatment, root.get("treatments").items()) if t),
        current_nrs=root.get("current_nrs").integer(0, 10),
        questionnaires=_questionnaires(root.get("questionnaires")),
    )
    problems.raise_if_any("case")
    return case


def _patient(n: Node) -> Patient:
    if not n.obj(("age", "sex")):
        return Patient()
    return Patient(age=n.get("age").integer(0, 120), sex=n.get("sex").enum(v.SEXES))


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _history(n: Node) -> History:
    allowed = (
        "duration_months",
        "pain_sites",
        "aggravated_by",
        "leg_numbness_or_tingling",
        "prior_procedures",
        "planned_procedures",
        "conditions",
        "red_flags",
    )
    if not n.obj(allowed):
        return History()
    sites_node = n.get("pain_sites")
    pain_sites: dict[str, tuple[str, ...]] | None = None
    if sites_node.obj(v.SIDES):
        pain_sites = {
            side: tuple(sites_node.get(side).strings(allowed=v.PAIN_SITES) or ())
            for side in v.SIDES
        }
    return History(
        duration_months=n.get("duration_months").number(0),
        pain_sites=pain_sites,
        aggravated_by=_tuple(n.get("aggravated_by").strings(allowed=v.AGGRAVATING)),
        leg_numbness_or_tingling=n.get("leg_numbness_or_tingling").boolean(),
        prior_procedures=_tuple(n.get("prior_procedures").strings(allowed=v.PROCEDURES)),
        planned_procedures=_tuple(n.get("planned_procedures").strings(allowed=v.PROCEDURES)),
        conditions=_tuple(n.get("conditions").strings(allowed=v.CONDITIONS)),
        red_flags=_tuple(n.get("red_flags").strings(allowed=v.RED_FLAGS)),
    )


def _exam(n: Node) -> dict[str, dict[str, Finding]]:
    out: dict[str, dict[str, Finding]] = {}
    if not n.obj(v.SIDES):
        return out
    for side in v.SIDES:
        side_node = n.get(side)
        if not side_node.obj(v.NERVES):
            continue
        for nerve in v.NERVES:
            f = side_node.get(nerve)
            if f.obj(("tender", "distance_mm", "reproduces_complaint", "radiation_on_pressure")):
                out.setdefault(side, {})[nerve] = Finding(
                    tender=f.get("tender").boolean(),
                    distance_mm=f.get("distance_mm").number(0),
                    reproduces_complaint=f.get("reproduces_complaint").boolean(),
                    radiation_on_pressure=f.get("radiation_on_pressure").boolean(),
                )
    return out


def _entry(n: Node, allowed: tuple[str, ...]) -> bool:
    """A list entry must be an object (``null`` is not a block or a treatment)."""
    if n.missing:
        n.fail("must be an object")
        return False
    return n.obj(allowed)


def _block(n: Node) -> Block | None:
    allowed = (
        "date",
        "nerve",
        "side",
        "nrs_before",
        "nrs_after",
        "minutes_after",
        "relief_days",
    )
    if not _entry(n, allowed):
        return None
    for key in ("date", "nerve", "side", "nrs_before", "nrs_after"):
        n.get(key).required()
    date, nerve, side = (
        n.get("date").date(),
        n.get("nerve").enum(v.NERVES),
        n.get("side").enum(v.SIDES),
    )
    before, after = n.get("nrs_before").integer(0, 10), n.get("nrs_after").integer(0, 10)
    minutes, days = n.get("minutes_after").number(0), n.get("relief_days").number(0)
    if date is None or nerve is None or side is None or before is None or after is None:
        return None
    return Block(date, nerve, side, before, after, minutes, days)


def _treatment(n: Node) -> Treatment | None:
    if not _entry(n, ("date", "kind", "nerve", "side", "outcome")):
        return None
    for key in ("date", "kind", "nerve", "side"):
        n.get(key).required()
    date, kind = n.get("date").date(), n.get("kind").enum(v.TREATMENT_KINDS)
    nerve, side = n.get("nerve").enum(v.NERVES), n.get("side").enum(v.SIDES)
    outcome = n.get("outcome").enum(v.OUTCOMES)
    if date is None or kind is None or nerve is None or side is None:
        return None
    return Treatment(date, kind, nerve, side, outcome)


def _questionnaires(n: Node) -> Questionnaires:
    if not n.obj(("startback", "odi", "rmdq")):
        return Questionnaires()
    startback: tuple[int, ...] | None = None
    sb = n.get("startback")
    if not sb.missing:
        items = sb.items(min_len=9, max_len=9)
        answers = [
            item.integer(1, 5) if i == 8 else item.integer(0, 1) for i, item in enumerate(items)
        ]
        for item, answer in zip(items, answers, strict=True):
            if answer is None and item.missing:
                item.fail("must be answered (0 or 1; item 9: 1 to 5)")
        if len(items) == 9 and None not in answers:
            startback = tuple(a for a in answers if a is not None)
    odi: tuple[int | None, ...] | None = None
    odi_node = n.get("odi")
    if not odi_node.missing:
        sections = odi_node.items(min_len=10, max_len=10)
        odi = tuple(s.integer(0, 5) for s in sections)
    rmdq: tuple[bool | None, ...] | None = None
    rmdq_node = n.get("rmdq")
    if not rmdq_node.missing:
        rmdq = tuple(item.boolean() for item in rmdq_node.items(max_len=RMDQ_ITEMS))
    return Questionnaires(startback, odi, rmdq)


# -- serialisation -------------------------------------------------------------------------------


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in d.items() if val is not None}


def case_to_json(case: Case) -> dict[str, Any]:
    """The case as ``cluneal-case/1`` JSON; ``parse_case(case_to_json(c)) == c``."""
    h = case.history
    history = _drop_none(
        {
            "duration_months": h.duration_months,
            "pain_sites": None
            if h.pain_sites is None
            else {side: list(sites) for side, sites in h.pain_sites.items()},
            "aggravated_by": None if h.aggravated_by is None else list(h.aggravated_by),
            "leg_numbness_or_tingling": h.leg_numbness_or_tingling,
            "prior_procedures": None if h.prior_procedures is None else list(h.prior_procedures),
            "planned_procedures": None
            if h.planned_procedures is None
            else list(h.planned_procedures),
            "conditions": None if h.conditions is None else list(h.conditions),
            "red_flags": None if h.red_flags is None else list(h.red_flags),
        }
    )
    exam = {
        side: {nerve: _drop_none(vars(f)) for nerve, f in nerves.items()}
        for side, nerves in case.exam.items()
    }
    q = case.questionnaires
    questionnaires = _drop_none(
        {
            "startback": None if q.startback is None else list(q.startback),
            "odi": None if q.odi is None else list(q.odi),
            "rmdq": None if q.rmdq is None else list(q.rmdq),
        }
    )
    return _drop_none(
        {
            "format": CASE_FORMAT,
            "id": case.id,
            "patient": _drop_none(vars(case.patient)) or None,
            "history": history or None,
            "exam": exam or None,
            "blocks": [_drop_none({**vars(b), "date": b.date.isoformat()}) for b in case.blocks]
            or None,
            "treatments": [
                _drop_none({**vars(t), "date": t.date.isoformat()}) for t in case.treatments
            ]
            or None,
            "current_nrs": case.current_nrs,
            "questionnaires": questionnaires or None,
        }
    )
