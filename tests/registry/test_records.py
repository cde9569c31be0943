"""Plain records as the registry's cohort: exams parsed, questionnaires scored, a diary's relief
still ongoing when it stopped, unreadable data counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from cluneal.knowledge.loader import default_pack
from cluneal.registry import records as records_module
from cluneal.registry.records import Parsed, cohort_of, patient_of

PACK = default_pack()
D0 = dt.date(2025, 3, 3)
SITES = {"s1": "Site A", "s2": "Site B"}


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def record(key: str = "p", site: str = "s1", **parts) -> Record:
    return Record(PatientData(key, site, f"N-{key}"), **parts)


def test_every_record_is_a_patient_of_its_site_in_the_order_given():
    cohort = cohort_of([record("b", "s2"), record("a")], SITES, PACK)
    assert [(p.key, p.site) for p in cohort.patients] == [("b", "Site B"), ("a", "Site A")]
    assert cohort.sites == ("Site A", "Site B")


def test_a_diary_that_stopped_while_relieved_makes_the_relief_a_lower_bound():
    diary = {"relief_days_from_diary": True}
    stopped = BlockData("b1", D0, "scn", "left", 8, 2, relief_days=Decimal(2), **diary)
    ended = BlockData("b2", D0, "scn", "right", 8, 2, relief_days=Decimal(1), **diary)
    links = (
        LinkData("l1", "diary", "b1", (DiaryDay(day(1), 2), DiaryDay(day(2), 2))),
        LinkData("l2", "diary", "b2", (DiaryDay(day(1), 2), DiaryDay(day(2), 8))),
    )
    (patient,) = cohort_of([record(blocks=(stopped, ended), links=links)], SITES, PACK).patients
    assert [(b.relief_days, b.relief_ongoing) for b in patient.blocks] == [
        (2.0, True),
        (1.0, False),
    ]
    assert patient.contacts == (day(1), day(2), day(1), day(2))


def test_visits_give_exams_and_scores_and_links_give_scores_and_contacts():
    exam = {"left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}}
    rmdq = [True] * 6 + [False] * 18
    visit = VisitData("v", D0, exam=exam, questionnaires={"rmdq": rmdq}, current_nrs=7)
    answer = LinkData("l", "rmdq", None, answer=AnswerData([True] * 2 + [False] * 22, day(30)))
    (patient,) = cohort_of([record(visits=(visit,), links=(answer,))], SITES, PACK).patients
    assert [(e.nerve, e.side, e.finding.tender) for e in patient.exams] == [("scn", "left", True)]
    assert [(s.date, s.instrument, s.value) for s in patient.scores] == [
        (D0, "nrs", 7.0),
        (D0, "rmdq", 6.0),
        (day(30), "rmdq", 2.0),
    ]
    assert patient.contacts == (day(30),)


def test_a_treatment_without_outcome_has_none():
    treatment = TreatmentData("t", D0, "surgical_release", "scn", "left")
    (patient,) = cohort_of([record(treatments=(treatment,))], SITES, PACK).patients
    assert patient.treatments[0].outcome is None


def test_unreadable_data_is_counted_and_the_rest_kept():
    bad = VisitData("v", D0, exam={"left": {"scn": {"tender": "yes"}}}, current_nrs=5)
    answer = LinkData("l", "odi", None, answer=AnswerData(["a lot"], D0))
    cohort = cohort_of([record(visits=(bad,), links=(answer,))], SITES, PACK)
    assert cohort.unreadable == ("a visit's examination", "a questionnaire answered by link")
    assert [s.instrument for s in cohort.patients[0].scores] == ["nrs"]


def test_the_same_content_is_parsed_once_and_read_alike_and_bad_content_counted_each_time():
    exam = {"left": {"scn": {"tender": True, "distance_mm": 70}}}
    bad = {"left": {"scn": {"tender": "yes"}}}
    visits = [VisitData(f"v{k}", day(k), exam=dict(exam)) for k in range(3)]
    visits += [VisitData(f"b{k}", day(k), exam=bad) for k in range(2)]
    records = [record(str(k), visits=(v,)) for k, v in enumerate(visits)]
    parsed = Parsed()
    calls = []
    original = records_module._parse
    records_module._parse = lambda section, value: calls.append(section) or original(section, value)
    try:
        cohort = cohort_of(records, SITES, PACK)
        readings = [patient_of(r, "Site A", PACK, [], parsed) for r in records[:3]]
    finally:
        records_module._parse = original
    assert [[(e.nerve, e.side, e.finding.tender) for e in p.exams] for p in cohort.patients] == [
        [("scn", "left", True)]
    ] * 3 + [[]] * 2
    assert cohort.unreadable == ("a visit's examination",) * 2
    assert calls == ["exam", "exam", "exam"]  # two contents in the cohort, one in the reading
    first = [e.finding for e in cohort.patients[0].exams]
    assert all([e.finding for e in r.exams] == first for r in readings)
