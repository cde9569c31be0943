"""The database as a registry cohort: blocks, diaries, treatments and scores come across as the
record holds them; unreadable stored data is counted, not fatal."""

from __future__ import annotations

import datetime as dt

from cluneal.knowledge.loader import active_pack
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    LinkKind,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Visit,
)
from cluneal.web.registry.cohort import cohort_for

D0 = dt.date(2025, 3, 3)


def test_every_patient_of_the_chosen_sites_and_only_those(cast):
    cohort = cohort_for([cast.site_a], active_pack())
    assert len(cohort.patients) == 3 and {p.site for p in cohort.patients} == {"Site A"}
    assert cohort.sites == ("Site A",)
    assert len(cohort_for([cast.site_a, cast.site_b], active_pack()).patients) == 9


def test_blocks_and_treatments_come_across_with_their_follow_up(cast):
    cohort = cohort_for([cast.site_b], active_pack())
    p = min(cohort.patients, key=lambda p: p.blocks[0].relief_days)
    assert [(b.nrs_before, b.nrs_after, b.relief_days, b.relief_ongoing) for b in p.blocks] == [
        (8, 2, 1.0, False),
        (8, 2, 1.0, False),
    ]
    (t,) = p.treatments
    assert (t.kind, t.outcome, t.recurrence_date, t.last_follow_up) == (
        "surgical_release",
        "pain_free",
        None,
        D0 + dt.timedelta(days=180),
    )
    assert [(s.instrument, s.value) for s in p.scores] == [("nrs", 8.0), ("nrs", 3.0)]
    assert p.entry == D0 and p.last_contact == D0 + dt.timedelta(days=200)


def test_a_diary_that_stopped_while_relieved_makes_the_duration_a_lower_bound(cast):
    cohort = cohort_for([cast.site_a], active_pack())
    diary = next(p for p in cohort.patients if any(b.relief_days == 2 for b in p.blocks))
    assert diary.blocks[0].relief_ongoing is True
    assert D0 + dt.timedelta(days=2) in diary.contacts


def test_a_diary_that_shows_the_pain_back_is_an_observed_recurrence(cast):
    block = Block.objects.get(patient__record_number="A-002")
    link = PatientLink.objects.get(block=block)
    DiaryEntry.objects.create(link=link, date=D0 + dt.timedelta(days=3), nrs=7)
    cohort = cohort_for([cast.site_a], active_pack())
    diary = next(p for p in cohort.patients if any(b.relief_days == 2 for b in p.blocks))
    assert diary.blocks[0].relief_ongoing is False


def test_questionnaires_from_visits_and_links_are_scored_by_the_core(cast):
    p = Patient.objects.get(record_number="A-003")
    Visit.objects.create(
        patient=p,
        date=D0,
        questionnaires={
            "rmdq": [True] * 10 + [False] * 14,
            "odi": [3, 3, 3, 3, 3, 3, 3, 3, 3, None],
        },
    )
    link = PatientLink.objects.create(
        patient=p,
        kind=LinkKind.RMDQ,
        token_hash="f" * 64,
        expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    QuestionnaireAnswer.objects.create(
        link=link, instrument="rmdq", values=[True] * 4 + [False] * 20, date=D0 + dt.timedelta(30)
    )
    cohort = cohort_for([cast.site_a], active_pack())
    scores = next(x for x in cohort.patients if any(s.instrument == "odi" for s in x.scores))
    assert sorted((s.instrument, s.value, s.date) for s in scores.scores) == [
        ("odi", 60.0, D0),
        ("rmdq", 4.0, D0 + dt.timedelta(30)),
        ("rmdq", 10.0, D0),
    ]


def test_an_examination_the_core_cannot_read_is_skipped_and_counted(cast):
    p = Patient.objects.get(record_number="A-003")
    Visit.objects.create(patient=p, date=D0, exam={"left": {"scn": {"tender": "very"}}})
    cohort = cohort_for([cast.site_a], active_pack())
    assert cohort.unreadable == ("a visit's examination",)
    response = cast.client("carol").get("/registry/")
    assert response.status_code == 200
    assert "1 × a visit&#x27;s examination" in response.content.decode()
