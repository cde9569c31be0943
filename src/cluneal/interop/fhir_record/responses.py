"""Reading QuestionnaireResponses: the visit's (history, body map, exam, questionnaires, notes
as items) or a questionnaire a patient answered through a link."""

from __future__ import annotations

from typing import Any

from cluneal.core.record import AnswerData
from cluneal.interop.fhir_record.checks import fixed
from cluneal.interop.fhir_record.codes import (
    INSTRUMENTS,
    LIMITS,
    QUESTIONNAIRE,
    VISIT_QUESTIONNAIRE,
)
from cluneal.interop.fhir_record.items import (
    INSTRUMENT_SHAPES,
    VISIT,
    case_problems,
    decode,
    decode_group,
    is_item,
)
from cluneal.interop.fhir_record.reading import COMMON, Reading
from cluneal.validation import Node


def read_response(reading: Reading, res: Node) -> None:
    """The response by its questionnaire: the visit's, or an instrument's."""
    questionnaire = res.get("questionnaire")
    instruments = {QUESTIONNAIRE + k: k for k in INSTRUMENTS}
    if not questionnaire.required():
        return
    if questionnaire.value == VISIT_QUESTIONNAIRE:
        _visit_response(reading, res)
    elif isinstance(questionnaire.value, str) and questionnaire.value in instruments:
        _answer(reading, res, instruments[str(questionnaire.value)])
    else:
        questionnaire.fail("must be one of " + ", ".join([VISIT_QUESTIONNAIRE, *instruments]))


def _visit_response(reading: Reading, res: Node) -> None:
    res.obj((*COMMON, "questionnaire", "status", "subject", "encounter", "authored", "item"))
    fixed(res.get("status"), "completed")
    reading.subject(res)
    url = reading.target(res.get("encounter"), "Encounter", "an Encounter")
    authored = res.get("authored")
    date = authored.date() if authored.required() else None
    before = len(reading.problems.found)
    content = decode_group(VISIT, res.get("item"), "")
    decoded = len(reading.problems.found) == before
    notes = content.get("notes")
    if isinstance(notes, str) and len(notes) > LIMITS["notes"]:
        res.get("item").fail(f"notes: must be at most {LIMITS['notes']} characters")
    if url is None or url not in reading.visits:
        return
    visit = reading.visits[url]
    if url in reading.visit_responses:
        res.get("encounter").fail("names a visit that already has its questionnaire response")
        return
    reading.visit_responses.add(url)
    if date is not None and visit.date is not None and date != visit.date:
        authored.fail(f"must be the encounter's date ({visit.date.isoformat()})")
    if decoded:
        case_problems(
            res.get("item"),
            history=content.get("history") or {},
            exam=content.get("exam") or {},
            questionnaires=content.get("questionnaires") or {},
        )
    visit.content = content


def _answer(reading: Reading, res: Node, instrument: str) -> None:
    """A link's answer: its items are the instrument's, checked by the core as well."""
    res.obj(
        (
            *COMMON,
            "extension",
            "questionnaire",
            "status",
            "subject",
            "partOf",
            "authored",
            "item",
        )
    )
    fixed(res.get("status"), "completed")
    reading.subject(res)
    link_id = reading.link_id(res)
    ok, block_url = reading.only_block(res.get("partOf"))
    authored = res.get("authored")
    date = authored.date() if authored.required() else None
    values: Any = None
    items = res.get("item")
    if items.required():
        top = items.items(min_len=1, max_len=1)
        if len(top) == 1 and is_item(top[0]):
            if top[0].get("linkId").value != instrument:
                top[0].get("linkId").fail(f'must be "{instrument}"')
            else:
                before = len(reading.problems.found)
                values = decode(INSTRUMENT_SHAPES[instrument], top[0], instrument)
                if len(reading.problems.found) == before:
                    case_problems(items, questionnaires={instrument: values})
    if link_id is None or not ok or date is None or values is None:
        return
    link = reading.add_to_link(res, link_id, instrument, block_url)
    if link.answer is not None:
        res.get("extension").fail(f"names a link already answered ({link.where})")
        return
    link.answer = AnswerData(values=values, date=date)
