"""Reading Observations: pain NRS of a visit, of a block (which must agree with the block's
Procedure) or of a diary day; questionnaire scores are derived and skipped."""

from __future__ import annotations

import datetime as dt
import json

from cluneal.core.record import DiaryDay
from cluneal.interop.fhir_record.checks import absent, concept_key, fixed
from cluneal.interop.fhir_record.codes import (
    CLUNEAL,
    NRS_CODE,
    NRS_CONTEXTS,
    SCORE_NAMES,
    SURVEY,
    cluneal_concept,
)
from cluneal.interop.fhir_record.reading import COMMON, Reading
from cluneal.validation import Node


def read_observation(reading: Reading, res: Node) -> None:
    """An NRS observation by its second category; a score observation is skipped."""
    code = res.get("code")
    if isinstance(code.value, dict) and code.value != NRS_CODE:
        codings = code.value.get("coding")
        if isinstance(codings, list) and any(
            isinstance(c, dict) and c.get("system") == CLUNEAL and str(c.get("code")) in SCORE_NAMES
            for c in codings
        ):
            return  # a questionnaire score: derived, ignored on import
    res.obj(
        (
            *COMMON,
            "extension",
            "status",
            "category",
            "code",
            "subject",
            "encounter",
            "partOf",
            "effectiveDateTime",
            "valueInteger",
        )
    )
    fixed(res.get("status"), "final")
    if code.value != NRS_CODE:
        if not code.required():
            return
        if "72514-3" in json.dumps(code.value):
            code.fail(f"must be exactly {json.dumps(NRS_CODE)}")
        else:
            code.fail(
                "must be the pain NRS code (LOINC 72514-3) or a questionnaire score code of "
                f"{CLUNEAL} ({', '.join(SCORE_NAMES)})"
            )
        return
    context = None
    category = res.get("category")
    if category.required():
        pair = category.items(min_len=2, max_len=2)
        if len(pair) == 2:
            fixed(pair[0], SURVEY)
            context = concept_key(pair[1], {c: cluneal_concept(c) for c in NRS_CONTEXTS}, CLUNEAL)
    reading.subject(res)
    effective = res.get("effectiveDateTime")
    date = effective.date() if effective.required() else None
    value_node = res.get("valueInteger")
    nrs = value_node.integer(0, 10) if value_node.required() else None
    if context == "nrs-visit":
        _visit_nrs(reading, res, date, nrs)
    elif context in ("nrs-before-block", "nrs-after-block"):
        _block_nrs(reading, res, context, date, nrs)
    elif context == "nrs-diary":
        _diary(reading, res, date, nrs)


def _visit_nrs(reading: Reading, res: Node, date: dt.date | None, nrs: int | None) -> None:
    absent(res.get("partOf"), "for a visit's NRS")
    absent(res.get("extension"), "for a visit's NRS")
    url = reading.target(res.get("encounter"), "Encounter", "an Encounter")
    if url is None or url not in reading.visits:
        return
    visit = reading.visits[url]
    if visit.nrs_seen:
        res.get("encounter").fail("names a visit that already has its NRS observation")
        return
    visit.nrs_seen = True
    if date is not None and visit.date is not None and date != visit.date:
        res.get("effectiveDateTime").fail(
            f"must be the encounter's date ({visit.date.isoformat()})"
        )
    visit.current_nrs = nrs


def _block_nrs(
    reading: Reading, res: Node, context: str, date: dt.date | None, nrs: int | None
) -> None:
    """A block's NRS observation repeats the Procedure's extension: it must agree."""
    absent(res.get("encounter"), "for a block's NRS")
    absent(res.get("extension"), "for a block's NRS")
    part_of = res.get("partOf")
    if not part_of.required():
        return
    ok, url = reading.only_block(part_of)
    if not ok or url is None:
        return
    if (url, context) in reading.block_nrs:
        res.fail(f"repeats the {context} observation of the block")
        return
    reading.block_nrs.add((url, context))
    block = reading.blocks.get(url)
    if block is None:
        return
    if date is not None and date != block.date:
        res.get("effectiveDateTime").fail(f"must be the block's date ({block.date})")
    expected = block.nrs_before if context == "nrs-before-block" else block.nrs_after
    if nrs is not None and nrs != expected:
        name = "nrs-before" if context == "nrs-before-block" else "nrs-after"
        res.get("valueInteger").fail(f"must equal the block's {name} extension ({expected})")


def _diary(reading: Reading, res: Node, date: dt.date | None, nrs: int | None) -> None:
    absent(res.get("encounter"), "for a diary entry")
    link_id = reading.link_id(res)
    ok, block_url = reading.only_block(res.get("partOf"))
    if link_id is None or not ok or date is None or nrs is None:
        return
    link = reading.add_to_link(res, link_id, "diary", block_url)
    if any(day.date == date for day in link.entries):
        res.get("effectiveDateTime").fail("repeats a day of this diary")
        return
    link.entries.append(DiaryDay(date, nrs))
