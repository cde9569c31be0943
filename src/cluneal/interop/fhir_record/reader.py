"""Reading a Bundle back into a :class:`~cluneal.core.record.Record`, strictly.

:func:`from_bundle` checks the bundle and its entries, reads the Patient and the Encounters here,
and hands the other resources to :mod:`.procedures`, :mod:`.responses` and
:mod:`.observations` (Encounters and Procedures first: the rest refer to them). Every problem is
recorded by its JSON path and nothing is returned of an invalid bundle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final

from cluneal.core.record import LinkData, PatientData, Record, VisitData
from cluneal.interop.fhir_record.checks import absent, bounded_text, fixed
from cluneal.interop.fhir_record.codes import (
    BLOCK_CODE,
    BUNDLE_TYPES,
    ENCOUNTER_CLASS,
    LIMITS,
    LOWER_UUID,
    MIN_BIRTH_YEAR,
    full_url,
)
from cluneal.interop.fhir_record.observations import read_observation
from cluneal.interop.fhir_record.procedures import read_procedure
from cluneal.interop.fhir_record.reading import COMMON, Reading, VisitDraft
from cluneal.interop.fhir_record.responses import read_response
from cluneal.knowledge import vocabulary as v
from cluneal.validation import Node, Problem, Problems

RESOURCE_TYPES: Final = (
    "Patient",
    "Encounter",
    "Procedure",
    "Observation",
    "QuestionnaireResponse",
    "Condition",
)
_SITE_SYSTEM: Final = re.compile(rf"urn:cluneal:site:({LOWER_UUID.pattern}):record-number")
_YEAR: Final = re.compile(r"\d{4}")
_ENTRY: Final = re.compile(r"entry\[(\d+)\]")


def from_bundle(bundle: Any) -> Record:
    """The record a Bundle holds; raises :class:`Invalid` listing every problem by its path."""
    problems = Problems()
    record = _Reader(problems).read(Node(bundle, "", problems))
    problems.found.sort(key=_entry_order)
    problems.raise_if_any("FHIR bundle")
    assert record is not None
    return record


def _position(path: str) -> int:
    """The entry a path is in (-1 for the bundle itself)."""
    match = _ENTRY.match(path)
    return int(match.group(1)) if match else -1


def _entry_order(p: Problem) -> int:
    return _position(p.path)


class _Reader(Reading):
    """The bundle, its entries, the Patient and the Encounters; the record at the end."""

    # -- the bundle -------------------------------------------------------------------------

    def read(self, root: Node) -> Record | None:
        if not isinstance(root.value, dict):
            root.fail("must be a FHIR Bundle (a JSON object)")
            return None
        if not fixed(root.get("resourceType"), "Bundle"):
            return None
        root.obj(("resourceType", "id", "meta", "type", "timestamp", "total", "entry"))
        bundle_type = root.get("type")
        if bundle_type.required():
            bundle_type.enum(BUNDLE_TYPES)
        if root.get("total").value is not None:
            if bundle_type.value == "searchset":
                root.get("total").integer(0)
            else:
                root.get("total").fail("must be left out (only a searchset has a total)")
        resources = self.index_entries(root, bundle_type.value == "searchset")
        patients = [n for kind, n in resources if kind == "Patient"]
        if not patients:
            root.get("entry").fail("must include the Patient")
        for extra in patients[1:]:
            extra.fail("is a second Patient: a bundle holds the record of one patient")
        patient = self.patient(patients[0]) if patients else None
        readers: dict[str, Callable[[Node], None]] = {
            "Encounter": self.encounter,
            "Procedure": partial(read_procedure, self),
            "QuestionnaireResponse": partial(read_response, self),
            "Observation": partial(read_observation, self),
        }
        for kind in ("Encounter", "Procedure", "QuestionnaireResponse", "Observation"):
            for resource_kind, node in resources:
                if resource_kind == kind:
                    readers[kind](node)
        if patient is None or self.problems.found:
            return None
        return Record(
            patient=patient,
            visits=tuple(self.visit_data(x) for x in self.visits.values()),
            blocks=tuple(self.blocks.values()),
            treatments=tuple(self.treatments),
            links=tuple(
                LinkData(
                    id=link.id,
                    kind=link.kind,
                    block_id=self.blocks[link.block_url].id if link.block_url else None,
                    entries=tuple(link.entries),
                    answer=link.answer,
                )
                for link in sorted(self.links.values(), key=lambda x: _position(x.where))
            ),
        )

    def index_entries(self, root: Node, searchset: bool) -> list[tuple[str, Node]]:
        found: list[tuple[str, Node]] = []
        for entry in root.get("entry").items():
            if not isinstance(entry.value, dict):
                entry.fail("must be an object (a bundle entry)")
                continue
            entry.obj(("fullUrl", "resource", "search"))
            search = entry.get("search")
            if not searchset:
                absent(search, "(only a searchset's entries have search)")
            elif search.obj(("mode", "score")):
                search.get("mode").enum(("match", "include", "outcome"))
                search.get("score").number(0, 1)
            resource = entry.get("resource")
            if not resource.required():
                continue
            if not isinstance(resource.value, dict):
                resource.fail("must be an object (a FHIR resource)")
                continue
            kind_node = resource.get("resourceType")
            kind = kind_node.enum(RESOURCE_TYPES) if kind_node.required() else None
            rid_node = resource.get("id")
            rid = rid_node.string() if rid_node.required() else None
            if rid is not None and not LOWER_UUID.fullmatch(rid):
                rid_node.fail("must be a lower-case UUID")
                rid = None
            full = entry.get("fullUrl")
            if full.required() and rid is not None and full.value != full_url(rid):
                full.fail(f'must be "{full_url(rid)}" (urn:uuid: and the resource\'s id)')
            elif rid is not None and kind is not None:
                if full.value in self.index:
                    full.fail("repeats the fullUrl of an earlier entry")
                else:
                    self.index[full_url(rid)] = (kind, resource)
            if kind is not None:
                found.append((kind, resource))
                if (
                    kind == "Procedure"
                    and rid is not None
                    and resource.value.get("code") == BLOCK_CODE
                ):
                    self.block_urls.add(full_url(rid))
        return found

    # -- references -------------------------------------------------------------------------

    # -- resources --------------------------------------------------------------------------

    def patient(self, res: Node) -> PatientData | None:
        res.obj((*COMMON, "identifier", "gender", "birthDate", "name", "telecom"))
        url = full_url(str(res.value.get("id")))
        self.patient_url = url if self.index.get(url, ("",))[0] == "Patient" else None
        site_id = record_number = None
        identifiers = res.get("identifier")
        if identifiers.required():
            items = identifiers.items(min_len=1, max_len=1)
            if items and not isinstance(items[0].value, dict):
                items[0].fail("must be an object (an Identifier)")
            elif items and items[0].obj(("system", "value")):
                system, value = items[0].get("system"), items[0].get("value")
                if system.required() and isinstance(system.value, str):
                    match = _SITE_SYSTEM.fullmatch(system.value)
                    if match:
                        site_id = match.group(1)
                    else:
                        system.fail("must be urn:cluneal:site:<site uuid>:record-number")
                elif system.value is not None:
                    system.fail("must be a string")
                if value.required():
                    record_number = bounded_text(value, LIMITS["record_number"])
        sex = res.get("gender").enum(v.SEXES) or "unknown"
        birth_year = None
        birth = res.get("birthDate")
        if birth.value is not None:
            year = birth.value if isinstance(birth.value, str) else ""
            this_year = dt.date.today().year
            if _YEAR.fullmatch(year) and MIN_BIRTH_YEAR <= int(year) <= this_year:
                birth_year = int(year)
            else:
                birth.fail(
                    f"must be a year from {MIN_BIRTH_YEAR} to {this_year} (YYYY): "
                    "Cluneal keeps the year of birth only"
                )
        name = self.single(res.get("name"), ("text",), "text", LIMITS["name"])
        contact = self.single(
            res.get("telecom"), ("system", "value"), "value", LIMITS["contact"], {"system": "other"}
        )
        if site_id is None or record_number is None or self.patient_url is None:
            return None
        return PatientData(
            id=self.patient_url.removeprefix("urn:uuid:"),
            site_id=site_id,
            record_number=record_number,
            birth_year=birth_year,
            sex=sex,
            name=name or "",
            contact=contact or "",
        )

    @staticmethod
    def single(
        node: Node,
        allowed: tuple[str, ...],
        key: str,
        limit: int,
        fixed_values: Mapping[str, str] | None = None,
    ) -> str | None:
        """The text of a list's only element (a name, a contact), if there is one."""
        items = node.items(min_len=1, max_len=1) if node.value is not None else []
        if not items:
            return None
        if not isinstance(items[0].value, dict):
            items[0].fail("must be an object")
            return None
        items[0].obj(allowed)
        for k, expected in (fixed_values or {}).items():
            fixed(items[0].get(k), expected)
        value = items[0].get(key)
        return bounded_text(value, limit) if value.required() else None

    def encounter(self, res: Node) -> None:
        res.obj((*COMMON, "status", "class", "subject", "period"))
        fixed(res.get("status"), "finished")
        fixed(res.get("class"), ENCOUNTER_CLASS)
        self.subject(res)
        period = res.get("period")
        date = None
        if period.required() and period.obj(("start",)):
            start = period.get("start")
            date = start.date() if start.required() else None
        rid = str(res.value.get("id"))
        self.visits[full_url(rid)] = VisitDraft(id=rid, date=date)

    def visit_data(self, visit: VisitDraft) -> VisitData:
        content = visit.content or {}
        assert visit.date is not None
        return VisitData(
            id=visit.id,
            date=visit.date,
            history=content.get("history") or {},
            body_map=content.get("body_map") or {},
            exam=content.get("exam") or {},
            questionnaires=content.get("questionnaires") or {},
            current_nrs=visit.current_nrs,
            notes=content.get("notes") or "",
        )
