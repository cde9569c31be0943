"""The database as a registry cohort: the only bridge between the records and the analytics.

Six queries read the sites' patients, visits, blocks, treatments, diary entries and
questionnaire answers as plain values (no model instances), so that a large site is read
quickly. Examinations and questionnaires are parsed by the core's own case parser and scored
by its own scoring, so the registry and the record never disagree. Stored data the parser
rejects is skipped and counted (never identified: researchers see the result).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from cluneal.core import parse_case
from cluneal.core.case import CASE_FORMAT
from cluneal.core.scores import score_all
from cluneal.knowledge.model import KnowledgePack
from cluneal.knowledge.reader import Invalid
from cluneal.registry.cohort import (
    BlockRecord,
    Cohort,
    Exam,
    PatientRecord,
    Score,
    TreatmentRecord,
)
from cluneal.web.accounts.models import Site
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    Patient,
    QuestionnaireAnswer,
    Treatment,
    Visit,
)


def _float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


class _Builder:
    def __init__(self, pack: KnowledgePack) -> None:
        self.pack = pack
        self.visits: dict[Any, list[dt.date]] = defaultdict(list)
        self.exams: dict[Any, list[Exam]] = defaultdict(list)
        self.blocks: dict[Any, list[BlockRecord]] = defaultdict(list)
        self.treatments: dict[Any, list[TreatmentRecord]] = defaultdict(list)
        self.scores: dict[Any, list[Score]] = defaultdict(list)
        self.contacts: dict[Any, list[dt.date]] = defaultdict(list)
        self.unreadable: list[str] = []

    def visit(self, pid: Any, date: dt.date, exam: Any, questionnaires: Any, nrs: Any) -> None:
        self.visits[pid].append(date)
        if nrs is not None:
            self.scores[pid].append(Score(date, "nrs", float(nrs)))
        if exam:
            try:
                case = parse_case({"format": CASE_FORMAT, "exam": exam})
            except Invalid:
                self.unreadable.append("a visit's examination")
            else:
                for side, nerves in case.exam.items():
                    for nerve, finding in nerves.items():
                        self.exams[pid].append(Exam(date, nerve, side, finding))
        if questionnaires:
            self.questionnaires(pid, date, questionnaires, "a visit's questionnaires")

    def questionnaires(self, pid: Any, date: dt.date, values: Any, what: str) -> None:
        try:
            case = parse_case({"format": CASE_FORMAT, "questionnaires": values})
        except Invalid:
            self.unreadable.append(what)
            return
        scores = score_all(case.questionnaires, self.pack)
        if "rmdq" in scores:
            self.scores[pid].append(Score(date, "rmdq", float(scores["rmdq"]["score"])))
        if "odi" in scores and scores["odi"]["percent"] is not None:
            self.scores[pid].append(Score(date, "odi", float(scores["odi"]["percent"])))

    def patient(self, pid: Any, site: str) -> PatientRecord:
        return PatientRecord(
            key=str(pid),
            site=site,
            visits=tuple(self.visits[pid]),
            exams=tuple(self.exams[pid]),
            blocks=tuple(self.blocks[pid]),
            treatments=tuple(self.treatments[pid]),
            scores=tuple(self.scores[pid]),
            contacts=tuple(self.contacts[pid]),
        )


def _ongoing(
    date: dt.date, relief: Decimal | None, from_diary: bool, diary: dict[dt.date, int]
) -> bool:
    """Whether a diary-derived duration is a lower bound: the diary counts relief days until
    the first day without relief (an entry: the pain is back) or the first day missing from
    the diary (no entry: still relieved when the reports stopped); see records/diary.py."""
    if not from_diary or relief is None:
        return False
    return date + dt.timedelta(days=int(relief) + 1) not in diary


def cohort_for(sites: Sequence[Site], pack: KnowledgePack) -> Cohort:
    """Every patient of ``sites`` as registry values (select a period with
    :meth:`Cohort.select`)."""
    b = _Builder(pack)
    names = {s.pk: s.name for s in sites}
    in_sites = {"patient__site__in": list(names)}
    patients = list(Patient.objects.filter(site__in=list(names)).values_list("id", "site_id"))
    for pid, date, exam, questionnaires, nrs in Visit.objects.filter(**in_sites).values_list(
        "patient_id", "date", "exam", "questionnaires", "current_nrs"
    ):
        b.visit(pid, date, exam, questionnaires, nrs)
    diaries: dict[Any, dict[dt.date, int]] = defaultdict(dict)
    for pid, block_id, date, nrs in DiaryEntry.objects.filter(
        link__patient__site__in=list(names)
    ).values_list("link__patient_id", "link__block_id", "date", "nrs"):
        b.contacts[pid].append(date)
        if block_id is not None:
            diaries[block_id][date] = nrs
    for row in Block.objects.filter(**in_sites).values_list(
        "id",
        "patient_id",
        "date",
        "nerve",
        "side",
        "nrs_before",
        "nrs_after",
        "minutes_after",
        "relief_days",
        "relief_days_from_diary",
    ):
        bid, pid, date, nerve, side, before, after, minutes, relief, from_diary = row
        b.blocks[pid].append(
            BlockRecord(
                date,
                nerve,
                side,
                before,
                after,
                _float(minutes),
                _float(relief),
                _ongoing(date, relief, from_diary, diaries[bid]),
            )
        )
    for pid, *fields in Treatment.objects.filter(**in_sites).values_list(
        "patient_id",
        "date",
        "kind",
        "nerve",
        "side",
        "outcome",
        "recurrence_date",
        "last_follow_up",
    ):
        date, kind, nerve, side, outcome, recurrence, follow_up = fields
        b.treatments[pid].append(
            TreatmentRecord(date, kind, nerve, side, outcome or None, recurrence, follow_up)
        )
    for pid, instrument, values, date in QuestionnaireAnswer.objects.filter(
        link__patient__site__in=list(names)
    ).values_list("link__patient_id", "instrument", "values", "date"):
        b.contacts[pid].append(date)
        b.questionnaires(pid, date, {instrument: values}, "a questionnaire answered by link")
    return Cohort(
        patients=tuple(b.patient(pid, names[site_id]) for pid, site_id in patients),
        sites=tuple(s.name for s in sites),
        unreadable=tuple(b.unreadable),
    )
