"""FHIR R4 resources for the events planted in a synthetic patient's record.

Each planted event is an ambulatory Encounter with what happened at it: conditions, procedures,
orders, pain scores (LOINC 72514-3) and a plain-text note, shaped like the Synthea resources they
sit beside. Codes come from the knowledge pack's code lists (:func:`coding`), so the planted
records use exactly the codes the project screens for.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack

Resource = dict[str, Any]
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
SNOMED_ENCOUNTER_FOR_PROBLEM = "185347001"  # as in the Synthea sample's Encounters
#: CPT for a sacroiliac joint injection with imaging guidance; not in the pack's code lists
#: (the pack recognises the injection by its words: screening feature ``si_injection``).
CPT_SI_INJECTION = "27096"
ZONE = "-05:00"


def coding(pack: KnowledgePack, list_id: str, system: str, code: str) -> dict[str, str]:
    """The coding of ``code`` as the pack's code list ``list_id`` gives it."""
    for c in pack.code_lists[list_id].codes:
        if c.system == system and c.code == code:
            out = {"system": v.CODE_SYSTEMS[system], "code": code}
            if c.display:
                out["display"] = c.display
            return out
    raise KeyError(f"{system} {code} is not in the pack's code list {list_id!r}")


def concept(text: str, *codings: dict[str, str]) -> dict[str, Any]:
    return {"coding": list(codings), "text": text} if codings else {"text": text}


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": TERMINOLOGY + system, "code": code}]}


@dataclass
class Chart:
    """The planted part of one patient's record, and how to date and key it."""

    rng: random.Random
    as_of: dt.date
    patient_id: str
    new_id: Callable[[], str]
    resources: list[Resource] = field(default_factory=list)
    #: Red flags a planted note asserts: (red flag, the note's day as an ordinal).
    note_red_flags: list[tuple[str, int]] = field(default_factory=list)

    def when(self, days_before: int, hour: int | None = None) -> str:
        day = self.as_of - dt.timedelta(days=days_before)
        hour = self.rng.randint(8, 16) if hour is None else hour
        return f"{day.isoformat()}T{hour:02d}:{self.rng.randrange(0, 60, 5):02d}:00{ZONE}"

    def _add(self, resource: Resource) -> Resource:
        self.resources.append(resource)
        return resource

    def _subject(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.patient_id}"}

    def encounter(self, days_before: int, reason: str) -> Encounter:
        start = self.when(days_before)
        end = start[:11] + f"{int(start[11:13]) + 1:02d}" + start[13:]
        eid = self.new_id()
        self._add(
            {
                "resourceType": "Encounter",
                "id": eid,
                "status": "finished",
                "class": {"system": TERMINOLOGY + "v3-ActCode", "code": "AMB"},
                "type": [
                    concept(
                        "Encounter for problem (procedure)",
                        {
                            "system": v.CODE_SYSTEMS["snomedct"],
                            "code": SNOMED_ENCOUNTER_FOR_PROBLEM,
                            "display": "Encounter for problem (procedure)",
                        },
                    )
                ],
                "subject": self._subject(),
                "period": {"start": start, "end": end},
                "reasonCode": [{"text": reason}],
            }
        )
        return Encounter(self, eid, start)


@dataclass
class Encounter:
    """What is recorded at one planted encounter."""

    chart: Chart
    id: str
    start: str

    def _base(self, rtype: str) -> Resource:
        return {
            "resourceType": rtype,
            "id": self.chart.new_id(),
        }

    def _ref(self) -> dict[str, str]:
        return {"reference": f"Encounter/{self.id}"}

    def condition(
        self,
        code: dict[str, Any],
        onset_days_before: int | None = None,
        abated_days_before: int | None = None,
    ) -> Resource:
        onset = self.start if onset_days_before is None else self.chart.when(onset_days_before)
        r = self._base("Condition")
        r["clinicalStatus"] = _status(
            "condition-clinical", "resolved" if abated_days_before is not None else "active"
        )
        r["verificationStatus"] = _status("condition-ver-status", "confirmed")
        r["category"] = [_status("condition-category", "encounter-diagnosis")]
        r.update(code=code, subject=self.chart._subject(), encounter=self._ref())
        r["onsetDateTime"] = onset
        if abated_days_before is not None:
            r["abatementDateTime"] = self.chart.when(abated_days_before)
        r["recordedDate"] = self.start
        return self.chart._add(r)

    def procedure(self, code: dict[str, Any], reason: Resource | None = None) -> Resource:
        r = self._base("Procedure")
        r.update(status="completed", code=code, subject=self.chart._subject())
        r["encounter"] = self._ref()
        end = f"{self.start[:11]}{int(self.start[11:13]) + 1:02d}{self.start[13:]}"
        r["performedPeriod"] = {"start": self.start, "end": end}
        if reason is not None:
            r["reasonReference"] = [{"reference": f"Condition/{reason['id']}"}]
        return self.chart._add(r)

    def order(self, code: dict[str, Any], status: str, reason: Resource | None = None) -> Resource:
        r = self._base("ServiceRequest")
        r.update(status=status, intent="order", code=code, subject=self.chart._subject())
        r["encounter"] = self._ref()
        r["authoredOn"] = self.start
        if reason is not None:
            r["reasonReference"] = [{"reference": f"Condition/{reason['id']}"}]
        return self.chart._add(r)

    def pain(self, pack: KnowledgePack, score: int, minutes_after: int = 0) -> Resource:
        start = int(self.start[11:13]) * 60 + int(self.start[14:16])
        hour, minute = divmod(start + minutes_after, 60)
        when = f"{self.start[:11]}{hour:02d}:{minute:02d}{self.start[16:]}"
        r = self._base("Observation")
        r["status"] = "final"
        r["category"] = [_status("observation-category", "survey")]
        r["code"] = concept(
            "Pain intensity (NRS 0-10)", coding(pack, "pain_nrs", "loinc", "72514-3")
        )
        r.update(subject=self.chart._subject(), encounter=self._ref())
        r["effectiveDateTime"] = when
        r["valueInteger"] = score
        return self.chart._add(r)

    def note(self, text: str) -> Resource:
        r = self._base("DocumentReference")
        r["status"] = "current"
        r["type"] = {
            "coding": [
                {
                    "system": v.CODE_SYSTEMS["loinc"],
                    "code": "34117-2",
                    "display": "History and physical note",
                },
                {
                    "system": v.CODE_SYSTEMS["loinc"],
                    "code": "51847-2",
                    "display": "Evaluation + Plan note",
                },
            ]
        }
        r["category"] = [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/"
                        "us-core-documentreference-category",
                        "code": "clinical-note",
                        "display": "Clinical Note",
                    }
                ]
            }
        ]
        r["subject"] = self.chart._subject()
        r["date"] = self.start
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        r["content"] = [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": data}}]
        r["context"] = {"encounter": [self._ref()], "period": {"start": self.start}}
        return self.chart._add(r)
