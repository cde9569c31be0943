"""A record as a core case: the only bridge between the database and the engine.

The case of a record "as of" a date merges what the visits up to that date say: for each
history field, the latest visit that recorded it; for each nerve and side, the latest finding;
every block and treatment up to that date; pain today from the latest visit or diary entry;
each questionnaire from the latest visit or patient link that gave it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cluneal.core import Case, assess, parse_case
from cluneal.core.assessment import Assessment
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.reader import Invalid
from cluneal.web.records import bodymap
from cluneal.web.records.models import DiaryEntry, Patient, QuestionnaireAnswer


def _number(value: Any) -> Any:
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def case_json(patient: Patient, as_of: dt.date | None = None) -> dict[str, Any]:
    visits = [v for v in patient.visits.all() if as_of is None or v.date <= as_of]
    history: dict[str, Any] = {}
    exam: dict[str, dict[str, Any]] = {}
    questionnaires: dict[str, tuple[dt.date, Any]] = {}
    nrs: tuple[dt.date, int] | None = None
    for visit in sorted(visits, key=lambda v: (v.date, v.created_at)):
        for key, value in (visit.history or {}).items():
            if value is not None:
                history[key] = value
        sites = bodymap.pain_sites(visit.body_map or {})
        if sites is not None:
            history["pain_sites"] = sites
        for side, nerves in (visit.exam or {}).items():
            for nerve, finding in (nerves or {}).items():
                if finding:
                    exam.setdefault(side, {})[nerve] = finding
        for name, values in (visit.questionnaires or {}).items():
            questionnaires[name] = (visit.date, values)
        if visit.current_nrs is not None:
            nrs = (visit.date, visit.current_nrs)
    answers = QuestionnaireAnswer.objects.filter(link__patient=patient)
    for answer in answers:
        if as_of is None or answer.date <= as_of:
            held = questionnaires.get(answer.instrument)
            if held is None or held[0] <= answer.date:
                questionnaires[answer.instrument] = (answer.date, answer.values)
    entries = DiaryEntry.objects.filter(link__patient=patient).order_by("date", "recorded_at")
    for entry in entries:
        if (as_of is None or entry.date <= as_of) and (nrs is None or entry.date >= nrs[0]):
            nrs = (entry.date, entry.nrs)
    reference = as_of or dt.date.today()
    patient_json: dict[str, Any] = {"sex": patient.sex}
    if patient.birth_year:
        patient_json["age"] = max(0, min(120, reference.year - patient.birth_year))
    case: dict[str, Any] = {
        "format": "cluneal-case/1",
        "id": patient.record_number,
        "patient": patient_json,
        "history": history,
        "exam": exam,
        "blocks": [
            {
                "date": b.date.isoformat(),
                "nerve": b.nerve,
                "side": b.side,
                "nrs_before": b.nrs_before,
                "nrs_after": b.nrs_after,
                "minutes_after": b.minutes_after,
                "relief_days": _number(b.relief_days),
            }
            for b in patient.blocks.all()
            if as_of is None or b.date <= as_of
        ],
        "treatments": [
            {
                "date": t.date.isoformat(),
                "kind": t.kind,
                "nerve": t.nerve,
                "side": t.side,
                "outcome": t.outcome or None,
            }
            for t in patient.treatments.all()
            if as_of is None or t.date <= as_of
        ],
        "questionnaires": {name: values for name, (_, values) in questionnaires.items()},
    }
    if nrs is not None:
        case["current_nrs"] = nrs[1]
    return case


def record_case(patient: Patient, as_of: dt.date | None = None) -> Case:
    """The record as a validated core case; raises :class:`Invalid` if stored data is bad."""
    return parse_case(case_json(patient, as_of))


def record_assessment(
    patient: Patient, as_of: dt.date | None = None
) -> tuple[Assessment | None, list[str]]:
    try:
        return assess(record_case(patient, as_of), active_pack()), []
    except Invalid as exc:
        return None, [str(p) for p in exc.problems]
