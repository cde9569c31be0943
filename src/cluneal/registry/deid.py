"""De-identification of a site's records for research: HIPAA Safe Harbor, with shifted dates.

What goes in is the whole record (:class:`cluneal.core.record.Record`), of which only the coded
and numeric fields are read: the name, contact, record number, site, notes, free-text agent and
patient links are never read. What comes out is one row per patient, visit, block and
treatment, in the columns of :mod:`cluneal.registry.dictionary`, with

- a research id and a date offset per patient, both HMAC-SHA256 of the record's random key
  (``PatientData.id``) under the site's secret, so that repeated exports agree and nothing can
  be traced back without the secret;
- every date (visits, blocks, treatments and their follow-up) moved by the patient's offset
  (-182 to +182 days, never 0), which keeps the intervals within a patient exact;
- ages instead of years of birth, 90 and over as one category ``90+``;
- JSON content checked value by value against the case format's vocabulary: anything that is
  not a known code, a boolean or a number in range is left out, never copied.

Pure: no Django, no database; the knowledge pack only scores the questionnaires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from cluneal.core import parse_case
from cluneal.core.case import CASE_FORMAT, Questionnaires
from cluneal.core.record import BlockData, Record, TreatmentData, VisitData
from cluneal.core.scores import odi, rmdq, startback
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry import dictionary as d
from cluneal.validation import Invalid

#: Offsets are drawn from -OFFSET_DAYS..-1 and 1..OFFSET_DAYS (364 values, uniform).
OFFSET_DAYS = 182
#: Safe Harbor 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated into one category.
OLDEST_AGE = 89
Table = list[dict[str, Any]]


def new_secret() -> str:
    """A site's secret: 256 random bits, hex."""
    return secrets.token_hex(32)


def _digest(secret: str, purpose: str, key: str) -> bytes:
    message = f"cluneal-{purpose}:{key}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).digest()


def research_id(secret: str, key: str) -> str:
    return "R" + _digest(secret, "research-id", key)[:8].hex()


def date_offset(secret: str, key: str) -> int:
    """The patient's shift in days: -182..-1 or 1..182, the same in every export."""
    n = int.from_bytes(_digest(secret, "date-offset", key)[:8], "big") % (2 * OFFSET_DAYS)
    return n - OFFSET_DAYS if n < OFFSET_DAYS else n - OFFSET_DAYS + 1


def age_label(birth_year: int | None, on: dt.date) -> str | None:
    """Age in years on a (real) date from the year of birth; ``90+`` above 89."""
    if birth_year is None or birth_year > on.year:
        return None
    age = on.year - birth_year
    return f"{OLDEST_AGE + 1}+" if age > OLDEST_AGE else str(age)


# -- checking JSON values one by one ----------------------------------------------------------


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: Any, low: float = 0, high: float = math.inf) -> float | None:
    if isinstance(value, Decimal):  # the record's volumes and relief durations
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and low <= value <= high else None


def _integer(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def _code(value: Any, allowed: tuple[str, ...]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _codes(value: Any, allowed: tuple[str, ...]) -> str | None:
    """A list of codes as ``a;b``; ``none`` for an empty list; None when anything in it is not
    a known code (the whole value is then treated as not recorded)."""
    if not isinstance(value, list | tuple):
        return None
    if not all(isinstance(x, str) and x in allowed for x in value):
        return None
    kept = [code for code in allowed if code in value]
    return d.SEPARATOR.join(kept) if kept else d.NONE_CODE


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _pain(visit: VisitData, side: str) -> str | None:
    """Regions drawn on either view (or recorded as case-format pain sites) on one side."""
    body_map, history = _mapping(visit.body_map), _mapping(visit.history)
    drawn: list[Any] = []
    recorded = False
    for view in ("back", "front"):
        sides = _mapping(body_map.get(view))
        if view in body_map:
            recorded = True
        regions = sides.get(side, [])
        if not isinstance(regions, list):
            return None
        drawn += regions
    sites = _mapping(history.get("pain_sites"))
    if "pain_sites" in history:
        recorded = True
        listed = sites.get(side, [])
        if not isinstance(listed, list):
            return None
        drawn += listed
    return _codes(drawn, d.PAIN_REGIONS) if recorded else None


def _exam(exam: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for side in v.SIDES:
        for nerve in v.NERVES:
            finding = _mapping(_mapping(exam.get(side)).get(nerve))
            prefix = f"exam_{side}_{nerve}"
            out[f"{prefix}_tender"] = _bool(finding.get("tender"))
            out[f"{prefix}_distance_mm"] = _number(finding.get("distance_mm"))
            out[f"{prefix}_reproduces_complaint"] = _bool(finding.get("reproduces_complaint"))
            out[f"{prefix}_radiation_on_pressure"] = _bool(finding.get("radiation_on_pressure"))
    return out


INSTRUMENTS = ("startback", "odi", "rmdq")


def _parsed(answers: Mapping[str, Any]) -> Questionnaires | None:
    try:
        case = parse_case({"format": CASE_FORMAT, "questionnaires": dict(answers)})
    except Invalid:
        return None
    return case.questionnaires


def _questionnaires(questionnaires: Mapping[str, Any]) -> Questionnaires:
    """The valid case-format answers among the known instruments; an invalid instrument is
    left out without losing the others."""
    given = {name: questionnaires[name] for name in INSTRUMENTS if name in questionnaires}
    whole = _parsed(given)
    if whole is not None:
        return whole
    parts = {name: _parsed({name: answers}) for name, answers in given.items()}
    return Questionnaires(
        startback=(q.startback if (q := parts.get("startback")) else None),
        odi=(q.odi if (q := parts.get("odi")) else None),
        rmdq=(q.rmdq if (q := parts.get("rmdq")) else None),
    )


def _scores(questionnaires: Mapping[str, Any], pack: KnowledgePack) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(
        ("startback_total", "startback_psychosocial", "startback_risk"), None
    )
    out.update(odi_percent=None, odi_answered=None, rmdq_score=None)
    q = _questionnaires(questionnaires)
    if q.startback is not None:
        s = startback(q.startback, pack)
        out.update(
            startback_total=s["total"],
            startback_psychosocial=s["psychosocial"],
            startback_risk=s["risk"],
        )
    if q.odi is not None:
        o = odi(q.odi)
        out.update(odi_percent=o["percent"], odi_answered=o["answered"])
    if q.rmdq is not None:
        out["rmdq_score"] = rmdq(q.rmdq)["score"]
    return out


# -- rows ---------------------------------------------------------------------------------------


def _visit_row(
    rid: str, number: int, visit: VisitData, birth_year: int | None, offset: int, pack: Any
) -> dict[str, Any]:
    history = _mapping(visit.history)
    row: dict[str, Any] = {
        "research_id": rid,
        "visit_number": number,
        "visit_date": visit.date + dt.timedelta(days=offset),
        "age": age_label(birth_year, visit.date),
        "current_nrs": _integer(visit.current_nrs, 0, 10),
        "duration_months": _number(history.get("duration_months")),
        "pain_left": _pain(visit, "left"),
        "pain_right": _pain(visit, "right"),
        "aggravated_by": _codes(history.get("aggravated_by"), v.AGGRAVATING),
        "leg_numbness_or_tingling": _bool(history.get("leg_numbness_or_tingling")),
        "prior_procedures": _codes(history.get("prior_procedures"), v.PROCEDURES),
        "planned_procedures": _codes(history.get("planned_procedures"), v.PROCEDURES),
        "conditions": _codes(history.get("conditions"), v.CONDITIONS),
        "red_flags": _codes(history.get("red_flags"), v.RED_FLAGS),
    }
    row.update(_exam(_mapping(visit.exam)))
    row.update(_scores(_mapping(visit.questionnaires), pack))
    return row


def _block_row(rid: str, number: int, block: BlockData, offset: int) -> dict[str, Any]:
    return {
        "research_id": rid,
        "block_number": number,
        "block_date": block.date + dt.timedelta(days=offset),
        "nerve": _code(block.nerve, v.NERVES),
        "side": _code(block.side, v.SIDES),
        "guidance": _code(block.guidance, d.GUIDANCE),
        "volume_ml": _number(block.volume_ml),
        "nrs_before": _integer(block.nrs_before, 0, 10),
        "nrs_after": _integer(block.nrs_after, 0, 10),
        "minutes_after": _integer(block.minutes_after, 0, 10**9),
        "relief_days": _number(block.relief_days),
        "relief_days_from_diary": _bool(block.relief_days_from_diary),
    }


def _shift(day: dt.date | None, offset: int) -> dt.date | None:
    return None if day is None else day + dt.timedelta(days=offset)


def _treatment_row(rid: str, number: int, t: TreatmentData, offset: int) -> dict[str, Any]:
    return {
        "research_id": rid,
        "treatment_number": number,
        "treatment_date": t.date + dt.timedelta(days=offset),
        "kind": _code(t.kind, v.TREATMENT_KINDS),
        "nerve": _code(t.nerve, v.NERVES),
        "side": _code(t.side, v.SIDES),
        "outcome": _code(t.outcome, v.OUTCOMES),
        "recurrence_date": _shift(t.recurrence_date, offset),
        "last_follow_up": _shift(t.last_follow_up, offset),
    }


def _by_date(items: Iterable[Any]) -> list[Any]:
    # Stable: events of the same day keep the order they were given in (their creation order).
    return sorted(items, key=lambda item: item.date)


def _first(pair: tuple[str, Record]) -> str:
    return pair[0]


def deidentify(records: Iterable[Record], secret: str, pack: KnowledgePack) -> dict[str, Table]:
    """The export's tables, each row checked against the data dictionary; rows are ordered by
    research id, so that no order of the record (record number, creation) shows through."""
    tables: dict[str, Table] = {name: [] for name in d.TABLES}
    keyed = sorted(((research_id(secret, r.patient.id), r) for r in records), key=_first)
    for rid, record in keyed:
        patient = record.patient
        offset = date_offset(secret, patient.id)
        visits, blocks = _by_date(record.visits), _by_date(record.blocks)
        treatments = _by_date(record.treatments)
        dates = [e.date for e in (*visits, *blocks, *treatments)]
        tables["patients"].append(
            {
                "research_id": rid,
                "sex": _code(patient.sex, v.SEXES),
                "age_at_first_contact": age_label(patient.birth_year, min(dates))
                if dates
                else None,
                "visits": len(visits),
                "blocks": len(blocks),
                "treatments": len(treatments),
            }
        )
        for n, visit in enumerate(visits, start=1):
            tables["visits"].append(_visit_row(rid, n, visit, patient.birth_year, offset, pack))
        for n, block in enumerate(blocks, start=1):
            tables["blocks"].append(_block_row(rid, n, block, offset))
        for n, treatment in enumerate(treatments, start=1):
            tables["treatments"].append(_treatment_row(rid, n, treatment, offset))
    for name, rows in tables.items():
        for row in rows:
            d.check_row(name, row)
    return tables
