"""The database as plain records, and back: the one mapping between the records' models and
:class:`cluneal.core.record.Record`.

:func:`records_of` reads any number of patients in seven queries of plain values (no model
instances), so that a site of many thousand patients is read quickly; :func:`record_of` is one
patient. :func:`create_record` writes a record as a new patient (the FHIR import).

Links that hold nothing (neither a diary entry nor an answer) are left out of a record: without
their token they could never be used elsewhere.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cluneal.core.record import (
    AnswerData,
    BlockData,
    DiaryDay,
    LinkData,
    PatientData,
    Record,
    TreatmentData,
    VisitData,
)
from cluneal.web.accounts.models import Site
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Treatment,
    Visit,
)

VISIT = ("id", "date", "history", "body_map", "exam", "questionnaires", "current_nrs", "notes")
BLOCK = (
    "id",
    "date",
    "nerve",
    "side",
    "nrs_before",
    "nrs_after",
    "agent",
    "volume_ml",
    "guidance",
    "minutes_after",
    "relief_days",
    "relief_days_from_diary",
)
TREATMENT = ("id", "date", "kind", "nerve", "side", "outcome", "recurrence_date", "last_follow_up")


def _events(
    model: Any, fields: tuple[str, ...], patients: QuerySet[Patient]
) -> dict[Any, list[tuple[Any, ...]]]:
    """The patients' visits, blocks or treatments as rows of ``fields``, grouped by patient, in
    the order they happened."""
    out: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    rows = model.objects.filter(patient__in=patients.values("pk")).order_by("date", "created_at")
    for row in rows.values_list("patient_id", *fields):
        out[row[0]].append(row)
    return out


def _visit(r: tuple[Any, ...]) -> VisitData:
    return VisitData(str(r[1]), r[2], r[3] or {}, r[4] or {}, r[5] or {}, r[6] or {}, r[7], r[8])


def _block(r: tuple[Any, ...]) -> BlockData:
    return BlockData(str(r[1]), *r[2:])


def _treatment(r: tuple[Any, ...]) -> TreatmentData:
    return TreatmentData(str(r[1]), *r[2:])


def _links(patients: QuerySet[Patient]) -> dict[Any, list[LinkData]]:
    """The patients' links that hold something, grouped by patient, in the order issued."""
    entries: dict[Any, list[DiaryDay]] = defaultdict(list)
    for link_id, date, nrs, recorded_at in (
        DiaryEntry.objects.filter(link__patient__in=patients.values("pk"))
        .order_by("date")
        .values_list("link_id", "date", "nrs", "recorded_at")
    ):
        entries[link_id].append(DiaryDay(date, nrs, recorded_at))
    answers = {
        link_id: (instrument, AnswerData(list(values), date))
        for link_id, instrument, values, date in QuestionnaireAnswer.objects.filter(
            link__patient__in=patients.values("pk")
        ).values_list("link_id", "instrument", "values", "date")
    }
    links: dict[Any, list[LinkData]] = defaultdict(list)
    for link_id, pid, kind, block_id in (
        PatientLink.objects.filter(patient__in=patients.values("pk"))
        .order_by("created_at", "pk")
        .values_list("id", "patient_id", "kind", "block_id")
    ):
        days, answered = tuple(entries.get(link_id, ())), answers.get(link_id)
        if not days and answered is None:
            continue
        links[pid].append(
            LinkData(
                id=str(link_id),
                kind=answered[0] if answered is not None else kind,
                block_id=str(block_id) if block_id else None,
                entries=days,
                answer=answered[1] if answered is not None else None,
            )
        )
    return links


def records_of(patients: QuerySet[Patient]) -> Iterator[Record]:
    """Every patient of the query set as a record, in the query set's order.

    The seven queries run when the first record is asked for; each record is then made from
    their rows only when it is asked for, so that a reader who takes one record at a time
    (the registry) never holds a large site's records all at once."""
    people = list(
        patients.values_list(
            "id", "site_id", "record_number", "birth_year", "sex", "name", "contact"
        )
    )
    visits = _events(Visit, VISIT, patients)
    blocks = _events(Block, BLOCK, patients)
    treatments = _events(Treatment, TREATMENT, patients)
    links = _links(patients)
    for pid, site_id, number, birth_year, sex, name, contact in people:
        yield Record(
            patient=PatientData(str(pid), str(site_id), number, birth_year, sex, name, contact),
            visits=tuple(_visit(r) for r in visits.pop(pid, ())),
            blocks=tuple(_block(r) for r in blocks.pop(pid, ())),
            treatments=tuple(_treatment(r) for r in treatments.pop(pid, ())),
            links=tuple(links.pop(pid, ())),
        )


def record_of(patient: Patient) -> Record:
    """Everything the database holds about ``patient``, as plain data."""
    return next(records_of(Patient.objects.filter(pk=patient.pk)))


def create_record(data: Record, site: Site) -> Patient:
    """A new patient at ``site`` with the rows of the record (call it in a transaction).

    Authorship at the source is unknown here (``created_by`` is left empty: the audit entry
    names who imported). Links get a random token hash that no token matches and are closed
    (expired now): a patient's link cannot be carried to another site."""
    p = data.patient
    patient = Patient.objects.create(
        site=site,
        record_number=p.record_number,
        birth_year=p.birth_year,
        sex=p.sex,
        name=p.name,
        contact=p.contact,
    )
    for x in data.visits:
        Visit.objects.create(
            patient=patient,
            date=x.date,
            history=x.history,
            body_map=x.body_map,
            exam=x.exam,
            questionnaires=x.questionnaires,
            current_nrs=x.current_nrs,
            notes=x.notes,
        )
    blocks: dict[str, Block] = {}
    for b in data.blocks:
        blocks[b.id] = Block.objects.create(
            patient=patient, **{name: getattr(b, name) for name in BLOCK if name != "id"}
        )
    for t in data.treatments:
        Treatment.objects.create(
            patient=patient, **{name: getattr(t, name) for name in TREATMENT if name != "id"}
        )
    now = timezone.now()
    for link_data in data.links:
        link = PatientLink.objects.create(
            patient=patient,
            block=blocks[link_data.block_id] if link_data.block_id else None,
            kind=link_data.kind,
            token_hash=secrets.token_hex(32),
            expires_at=now,
            completed_at=now if link_data.answer is not None else None,
        )
        for day in link_data.entries:
            DiaryEntry.objects.create(link=link, date=day.date, nrs=day.nrs)
        if link_data.answer is not None:
            QuestionnaireAnswer.objects.create(
                link=link,
                instrument=link_data.kind,
                values=link_data.answer.values,
                date=link_data.answer.date,
            )
    return patient
