"""The one mapping between the records' models and the plain record: a bulk read in a fixed
number of queries, the same record for a patient read alone or with others, and back."""

from __future__ import annotations

import datetime as dt

import pytest

from cluneal.core.record import case_of
from cluneal.web.records.mapping import create_record, record_of, records_of
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    LinkKind,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Visit,
)

pytestmark = pytest.mark.django_db
D0 = dt.date(2026, 11, 2)


def more_patients(cast, n: int) -> None:
    for k in range(n):
        p = Patient.objects.create(site=cast.site_a, record_number=f"M-{k:03d}", sex="male")
        Visit.objects.create(patient=p, date=D0, current_nrs=k % 10, history={"duration_months": 4})
        block = Block.objects.create(
            patient=p, date=D0, nerve="mcn", side="right", nrs_before=7, nrs_after=3
        )
        expires = cast.link.expires_at
        link = PatientLink.objects.create(
            patient=p, block=block, kind="diary", token_hash=f"{k:064x}", expires_at=expires
        )
        DiaryEntry.objects.create(link=link, date=D0 + dt.timedelta(days=1), nrs=2)


def test_any_number_of_patients_is_read_in_seven_queries(cast, django_assert_num_queries):
    more_patients(cast, 2)
    with django_assert_num_queries(7):
        few = list(records_of(Patient.objects.all()))
    for k in range(2, 12):
        Patient.objects.create(site=cast.site_a, record_number=f"X-{k:03d}")
    with django_assert_num_queries(7):
        many = list(records_of(Patient.objects.all()))
    assert (len(few), len(many)) == (3, 13)


def test_a_patient_read_with_others_is_the_record_read_alone(cast):
    more_patients(cast, 3)
    together = list(records_of(Patient.objects.filter(site=cast.site_a)))
    assert [r.patient.record_number for r in together] == ["A-001", "M-000", "M-001", "M-002"]
    for data in together:
        alone = record_of(Patient.objects.get(pk=data.patient.id))
        assert alone == data


def test_a_link_that_holds_nothing_is_left_out(cast):
    assert record_of(cast.patient).links == ()
    DiaryEntry.objects.create(link=cast.link, date=D0, nrs=3)
    (link,) = record_of(cast.patient).links
    assert (link.kind, link.block_id, [e.nrs for e in link.entries]) == (
        "diary",
        str(cast.block.pk),
        [3],
    )


def test_of_two_diaries_on_one_day_the_entry_saved_last_is_pain_today(cast):
    other_block = Block.objects.create(
        patient=cast.patient, date=D0, nerve="scn", side="right", nrs_before=8, nrs_after=2
    )
    other = PatientLink.objects.create(
        patient=cast.patient,
        block=other_block,
        kind=LinkKind.DIARY,
        token_hash="e" * 64,
        expires_at=cast.link.expires_at,
    )
    day = D0 + dt.timedelta(days=1)
    DiaryEntry.objects.create(link=other, date=day, nrs=6)
    DiaryEntry.objects.create(link=cast.link, date=day, nrs=1)
    assert case_of(record_of(cast.patient))["current_nrs"] == 1
    entry = DiaryEntry.objects.get(link=other)
    entry.nrs = 5
    entry.save()  # saved again: now the latest of the day
    assert case_of(record_of(cast.patient))["current_nrs"] == 5


def test_a_created_record_reads_back_as_the_same_case(cast):
    DiaryEntry.objects.create(link=cast.link, date=D0 + dt.timedelta(days=1), nrs=3)
    expires = cast.link.expires_at
    rmdq = PatientLink.objects.create(
        patient=cast.patient, kind=LinkKind.RMDQ, token_hash="d" * 64, expires_at=expires
    )
    QuestionnaireAnswer.objects.create(link=rmdq, instrument="rmdq", values=[True] * 24, date=D0)
    original = record_of(cast.patient)
    copy = create_record(original, cast.site_b)
    copied = record_of(copy)
    assert copied.patient.site_id == str(cast.site_b.pk)
    later = D0 + dt.timedelta(days=5)
    assert case_of(copied, later) == case_of(original, later)
    assert [(x.kind, len(x.entries), x.answer) for x in copied.links] == [
        (x.kind, len(x.entries), x.answer) for x in original.links
    ]
