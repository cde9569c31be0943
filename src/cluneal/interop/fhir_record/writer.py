"""Writing a :class:`~cluneal.core.record.Record` as a FHIR R4 Bundle.

One resource per row (and the visit's questionnaire response, the NRS observations), in a fixed
order and with ids derived from the record's, so the same record always gives the same bundle.
What the format cannot carry is refused rather than dropped, and a bundle the import would
refuse is never handed out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from cluneal.core.record import BlockData, LinkData, Record, TreatmentData, VisitData
from cluneal.interop.fhir_record.codes import (
    BLOCK_CODE,
    BLOCK_EXTENSIONS,
    BUNDLE_TYPES,
    ENCOUNTER_CLASS,
    EXTENSION,
    GUIDANCE,
    LINK_EXTENSION,
    LINK_KINDS,
    MILLILITRES,
    NERVE_CONCEPTS,
    NRS_CODE,
    OUTCOME_CONCEPTS,
    QUESTIONNAIRE,
    SIDE_CONCEPTS,
    SURVEY,
    TREATMENT_CODES,
    TREATMENT_EXTENSIONS,
    VISIT_QUESTIONNAIRE,
    cluneal_concept,
    derived_id,
    full_url,
    reference,
    site_system,
)
from cluneal.interop.fhir_record.derived import condition, score_observations
from cluneal.interop.fhir_record.items import (
    INSTRUMENT_SHAPES,
    VISIT,
    Scalar,
    case_problems,
    encode,
    scalar_ok,
)
from cluneal.interop.fhir_record.reader import from_bundle
from cluneal.interop.fhir_record.status import NerveStatus
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Invalid, Node, Problems


def to_bundle(
    record: Record,
    *,
    statuses: Iterable[NerveStatus] = (),
    pack: KnowledgePack | None = None,
    bundle_type: str = "collection",
) -> dict[str, Any]:
    """The record as a FHIR R4 Bundle.

    ``bundle_type`` is ``collection`` (a file to move between sites) or ``searchset`` (what
    ``Patient/$everything`` answers). ``statuses`` (the engine's) become Conditions and ``pack``
    scores the questionnaires; both are derived and ignored by :func:`from_bundle`. Raises
    :class:`Invalid` if the record holds something the format cannot carry."""
    if bundle_type not in BUNDLE_TYPES:
        raise ValueError(f"bundle_type must be one of {', '.join(BUNDLE_TYPES)}")
    bad = Problems()
    writer = _Writer(record, pack, bad)
    resources = writer.resources(tuple(statuses))
    if bad.found:
        raise Invalid(bad.found, "record")
    entries: list[dict[str, Any]] = []
    for resource in resources:
        entry: dict[str, Any] = {"fullUrl": full_url(resource["id"]), "resource": resource}
        if bundle_type == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": bundle_type}
    if bundle_type == "searchset":
        bundle["total"] = len(entries)
    bundle["entry"] = entries
    try:
        from_bundle(bundle)  # never hand out a bundle that the import would refuse
    except Invalid as exc:
        raise Invalid(list(exc.problems), "record (its bundle would be refused)") from None
    return bundle


class _Writer:
    def __init__(self, record: Record, pack: KnowledgePack | None, bad: Problems) -> None:
        self.record = record
        self.pack = pack
        self.bad = bad
        self.subject = reference(record.patient.id)

    def resources(self, statuses: tuple[NerveStatus, ...]) -> list[dict[str, Any]]:
        out = [self.patient()]
        for i, visit in enumerate(self.record.visits):
            out += self.visit(i, visit)
        for i, block in enumerate(self.record.blocks):
            out += self.block(i, block)
        out += [self.treatment(i, t) for i, t in enumerate(self.record.treatments)]
        for i, link in enumerate(self.record.links):
            out += self.link(i, link)
        for s in statuses:
            if s.status in ("confirmed", "suspected"):
                body_site = self.body_site("statuses", s.nerve, s.side)
                out.append(condition(self.record.patient.id, self.subject, s, body_site))
        return out

    def patient(self) -> dict[str, Any]:
        p = self.record.patient
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": p.id,
            "identifier": [{"system": site_system(p.site_id), "value": p.record_number}],
            "gender": p.sex,
        }
        if p.birth_year is not None:
            resource["birthDate"] = f"{p.birth_year:04d}"
        if p.name:
            resource["name"] = [{"text": p.name}]
        if p.contact:
            resource["telecom"] = [{"system": "other", "value": p.contact}]
        return resource

    def nrs(self, rid: str, context: str, date: dt.date, value: int, **more: Any) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": rid,
            "status": "final",
            "category": [SURVEY, cluneal_concept(context)],
            "code": NRS_CODE,
            "subject": self.subject,
        }
        resource.update(more)
        resource["effectiveDateTime"] = date.isoformat()
        resource["valueInteger"] = value
        return resource

    def visit(self, i: int, visit: VisitData) -> list[dict[str, Any]]:
        path = f"visits[{i}]"
        content = {
            "history": visit.history,
            "body_map": visit.body_map,
            "exam": visit.exam,
            "questionnaires": visit.questionnaires,
            "notes": visit.notes,
        }
        bad_before = len(self.bad.found)
        items = encode(VISIT, {k: x for k, x in content.items() if x}, "", path, self.bad).get(
            "item", []
        )
        if len(self.bad.found) == bad_before:
            case_problems(
                Node(None, path, self.bad),
                history=visit.history,
                exam=visit.exam,
                questionnaires=visit.questionnaires,
            )
        qr_id = derived_id(visit.id, "visit-questionnaire")
        encounter = {
            "resourceType": "Encounter",
            "id": visit.id,
            "status": "finished",
            "class": ENCOUNTER_CLASS,
            "subject": self.subject,
            "period": {"start": visit.date.isoformat()},
        }
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": qr_id,
            "questionnaire": VISIT_QUESTIONNAIRE,
            "status": "completed",
            "subject": self.subject,
            "encounter": reference(visit.id),
            "authored": visit.date.isoformat(),
        }
        if items:
            response["item"] = items
        out = [encounter, response]
        if visit.current_nrs is not None:
            if not scalar_ok(Scalar("integer", 0, 10), visit.current_nrs):
                self.bad.add(f"{path}.current_nrs", "cannot be exported: not an NRS 0-10")
            out.append(
                self.nrs(
                    derived_id(visit.id, "nrs"),
                    "nrs-visit",
                    visit.date,
                    visit.current_nrs,
                    encounter=reference(visit.id),
                )
            )
        out += score_observations(
            self.pack,
            self.subject,
            qr_id,
            visit.date,
            visit.questionnaires,
            encounter=reference(visit.id),
        )
        return out

    def body_site(self, path: str, nerve: str, side: str) -> list[dict[str, Any]]:
        if nerve not in NERVE_CONCEPTS:
            self.bad.add(f"{path}.nerve", "cannot be exported: unknown nerve")
            return []
        if side not in SIDE_CONCEPTS:
            self.bad.add(f"{path}.side", "cannot be exported: unknown side")
            return []
        return [NERVE_CONCEPTS[nerve], SIDE_CONCEPTS[side]]

    def block(self, i: int, b: BlockData) -> list[dict[str, Any]]:
        path = f"blocks[{i}]"
        values: dict[str, Any] = {
            "nrs-before": b.nrs_before,
            "nrs-after": b.nrs_after,
            "minutes-after": b.minutes_after,
            "relief-days": None if b.relief_days is None else _number(b.relief_days),
            "relief-days-from-diary": b.relief_days_from_diary,
            "agent": b.agent or None,
            "volume-ml": None
            if b.volume_ml is None
            else {"value": _number(b.volume_ml), **MILLILITRES},
            "guidance": b.guidance or None,
        }
        for name, nrs in (("nrs_before", b.nrs_before), ("nrs_after", b.nrs_after)):
            if not scalar_ok(Scalar("integer", 0, 10), nrs):
                self.bad.add(f"{path}.{name}", "cannot be exported: not an NRS 0-10")
        if b.guidance and b.guidance not in GUIDANCE:
            self.bad.add(f"{path}.guidance", "cannot be exported: unknown guidance")
        procedure = {
            "resourceType": "Procedure",
            "id": b.id,
            "extension": [
                {"url": EXTENSION + name, BLOCK_EXTENSIONS[name]: value}
                for name, value in values.items()
                if value is not None
            ],
            "status": "completed",
            "code": BLOCK_CODE,
            "subject": self.subject,
            "performedDateTime": b.date.isoformat(),
            "bodySite": self.body_site(path, b.nerve, b.side),
        }
        part_of = {"partOf": [reference(b.id)]}
        return [
            procedure,
            self.nrs(
                derived_id(b.id, "nrs-before"), "nrs-before-block", b.date, b.nrs_before, **part_of
            ),
            self.nrs(
                derived_id(b.id, "nrs-after"), "nrs-after-block", b.date, b.nrs_after, **part_of
            ),
        ]

    def treatment(self, i: int, t: TreatmentData) -> dict[str, Any]:
        path = f"treatments[{i}]"
        if t.kind not in TREATMENT_CODES:
            self.bad.add(f"{path}.kind", "cannot be exported: unknown kind")
        if t.outcome and t.outcome not in OUTCOME_CONCEPTS:
            self.bad.add(f"{path}.outcome", "cannot be exported: unknown outcome")
        dates = {"recurrence-date": t.recurrence_date, "last-follow-up": t.last_follow_up}
        extension = [
            {"url": EXTENSION + name, TREATMENT_EXTENSIONS[name]: date.isoformat()}
            for name, date in dates.items()
            if date is not None
        ]
        resource: dict[str, Any] = {"resourceType": "Procedure", "id": t.id}
        if extension:
            resource["extension"] = extension
        resource |= {
            "status": "completed",
            "code": TREATMENT_CODES.get(t.kind, {}),
            "subject": self.subject,
            "performedDateTime": t.date.isoformat(),
            "bodySite": self.body_site(path, t.nerve, t.side),
        }
        if t.outcome:
            resource["outcome"] = OUTCOME_CONCEPTS.get(t.outcome, {})
        return resource

    def link(self, i: int, link: LinkData) -> list[dict[str, Any]]:
        path = f"links[{i}]"
        extension = [{"url": LINK_EXTENSION, "valueId": link.id}]
        part_of = {"partOf": [reference(link.block_id)]} if link.block_id else {}
        if link.kind not in LINK_KINDS:
            self.bad.add(f"{path}.kind", "cannot be exported: unknown kind")
            return []
        if link.kind == "diary" and link.answer is not None:
            self.bad.add(f"{path}.answer", "cannot be exported: a diary holds no answer")
        if link.kind != "diary" and link.entries:
            self.bad.add(f"{path}.entries", "cannot be exported: only a diary holds entries")
        out: list[dict[str, Any]] = []
        for k, day in enumerate(link.entries):
            if not scalar_ok(Scalar("integer", 0, 10), day.nrs):
                self.bad.add(f"{path}.entries[{k}].nrs", "cannot be exported: not an NRS 0-10")
            out.append(
                self.nrs(
                    derived_id(link.id, "diary", day.date.isoformat()),
                    "nrs-diary",
                    day.date,
                    day.nrs,
                    extension=extension,
                    **part_of,
                )
            )
        if link.answer is not None and link.kind != "diary":
            answer = link.answer
            shape = INSTRUMENT_SHAPES[link.kind]
            bad_before = len(self.bad.found)
            item = encode(shape, answer.values, link.kind, f"{path}.answer.values", self.bad)
            if len(self.bad.found) == bad_before:
                case_problems(
                    Node(None, f"{path}.answer", self.bad),
                    questionnaires={link.kind: answer.values},
                )
            qr_id = derived_id(link.id, "answer")
            out.append(
                {
                    "resourceType": "QuestionnaireResponse",
                    "id": qr_id,
                    "extension": extension,
                    "questionnaire": QUESTIONNAIRE + link.kind,
                    "status": "completed",
                    "subject": self.subject,
                    **part_of,
                    "authored": answer.date.isoformat(),
                    "item": [item],
                }
            )
            out += score_observations(
                self.pack, self.subject, qr_id, answer.date, {link.kind: answer.values}
            )
        return out


def _number(value: Decimal) -> float:
    return float(value)
