"""Reading Procedures: a block (CPT 64450, its figures in extensions) or a treatment (its kind's
code, the outcome, and its follow-up dates in extensions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from cluneal.core.record import BlockData, TreatmentData
from cluneal.interop.fhir_record.checks import bounded_text, concept_key, fixed, one_decimal
from cluneal.interop.fhir_record.codes import (
    BLOCK_EXTENSIONS,
    CLUNEAL,
    EXTENSION,
    GUIDANCE,
    LIMITS,
    MAX_MINUTES,
    MILLILITRES,
    NERVE_CONCEPTS,
    OUTCOME_CONCEPTS,
    PROCEDURE_CODES,
    SIDE_CONCEPTS,
    SNOMED,
    TREATMENT_EXTENSIONS,
    full_url,
)
from cluneal.interop.fhir_record.reading import COMMON, Reading
from cluneal.validation import Node


def read_procedure(reading: Reading, res: Node) -> None:
    """What block and treatment share: the code, date, nerve and side."""
    rid = str(res.value.get("id"))
    kind = concept_key(res.get("code"), PROCEDURE_CODES, CLUNEAL)
    is_block = kind == "block"
    extra = ("extension",) if is_block else ("extension", "outcome")
    res.obj((*COMMON, "status", "code", "subject", "performedDateTime", "bodySite", *extra))
    fixed(res.get("status"), "completed")
    reading.subject(res)
    performed = res.get("performedDateTime")
    date = performed.date() if performed.required() else None
    nerve = side = None
    sites = res.get("bodySite")
    if sites.required():
        pair = sites.items(min_len=2, max_len=2)
        if len(pair) == 2:
            nerve = concept_key(pair[0], NERVE_CONCEPTS, CLUNEAL)
            side = concept_key(pair[1], SIDE_CONCEPTS, SNOMED)
    if kind is None or date is None or nerve is None or side is None:
        return
    if is_block:
        _block(reading, res, rid, date, nerve, side)
    else:
        _treatment(reading, res, TreatmentData(rid, date, kind, nerve, side))


def _treatment(reading: Reading, res: Node, found: TreatmentData) -> None:
    """The outcome and follow-up dates, held to the rules of the record's treatment form: a
    follow-up date is not before the treatment, and a recurrence goes with 'recurred'."""
    outcome: str | None = ""
    if res.get("outcome").value is not None:
        outcome = concept_key(res.get("outcome"), OUTCOME_CONCEPTS, CLUNEAL)
    ext = read_extensions(res.get("extension"), TREATMENT_EXTENSIONS)
    dates: dict[str, dt.date | None] = dict.fromkeys(TREATMENT_EXTENSIONS)
    for name, node in ext.items():
        date = dates[name] = node.date()
        if date is not None and date < found.date:
            node.fail(f"must not be before the treatment's date ({found.date.isoformat()})")
    recurrence = ext.get("recurrence-date")
    if recurrence is not None and outcome is not None and outcome != "recurred":
        recurrence.fail("must be left out unless the outcome is recurred")
    reading.treatments.append(
        replace(
            found,
            outcome=outcome or "",
            recurrence_date=dates["recurrence-date"],
            last_follow_up=dates["last-follow-up"],
        )
    )


def _block(reading: Reading, res: Node, rid: str, date: dt.date, nerve: str, side: str) -> None:
    ext = read_extensions(res.get("extension"), BLOCK_EXTENSIONS)
    before = ext["nrs-before"].integer(0, 10) if "nrs-before" in ext else None
    after = ext["nrs-after"].integer(0, 10) if "nrs-after" in ext else None
    for name in ("nrs-before", "nrs-after"):
        if name not in ext:
            res.get("extension").fail(f"must include the {EXTENSION}{name} extension")
    minutes = ext["minutes-after"].integer(0, MAX_MINUTES) if "minutes-after" in ext else None
    relief = one_decimal(ext["relief-days"]) if "relief-days" in ext else None
    from_diary = (
        ext["relief-days-from-diary"].boolean() if "relief-days-from-diary" in ext else None
    )
    agent = bounded_text(ext["agent"], LIMITS["agent"]) if "agent" in ext else None
    volume = None
    if "volume-ml" in ext and ext["volume-ml"].obj(("value", *MILLILITRES)):
        quantity = ext["volume-ml"]
        for k, expected in MILLILITRES.items():
            fixed(quantity.get(k), expected)
        if quantity.get("value").required():
            volume = one_decimal(quantity.get("value"))
    guidance = ext["guidance"].enum(GUIDANCE) if "guidance" in ext else None
    if before is None or after is None:
        return
    reading.blocks[full_url(rid)] = BlockData(
        id=rid,
        date=date,
        nerve=nerve,
        side=side,
        nrs_before=before,
        nrs_after=after,
        agent=agent or "",
        volume_ml=volume,
        guidance=guidance or "",
        minutes_after=minutes,
        relief_days=relief,
        relief_days_from_diary=bool(from_diary),
    )


def read_extensions(node: Node, table: Mapping[str, str]) -> dict[str, Node]:
    """The Cluneal extensions of ``table`` (name -> value[x] key) by name, each as its value's
    node; any other extension is a problem, since what is not read would be lost."""
    out: dict[str, Node] = {}
    for ext in node.items():
        if not isinstance(ext.value, dict):
            ext.fail("must be an object (an Extension)")
            continue
        url = ext.get("url")
        name = url.value[len(EXTENSION) :] if isinstance(url.value, str) else None
        if not url.required():
            continue
        if name is None or not str(url.value).startswith(EXTENSION) or name not in table:
            url.fail("must be one of " + ", ".join(EXTENSION + n for n in table))
            continue
        if name in out:
            url.fail("repeats an extension")
            continue
        key = table[name]
        ext.obj(("url", key))
        if ext.get(key).required():
            out[name] = ext.get(key)
    return out
