"""Every source id a CDS card or a screening reason cites is one the knowledge pack holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cluneal.core import assess, parse_case
from cluneal.core.screening import RED_FLAG, RED_FLAG_NOTE, Hit, score_patient
from cluneal.interop import cds
from cluneal.interop.fhir_case import read_fhir
from cluneal.knowledge.loader import default_pack

PACK = default_pack()
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
BRACKETS = re.compile(r"\[([A-Za-z0-9, ]+)\]")
BOLD = re.compile(r"\*\*([A-Z]+\d+[a-z]?)\*\*")


def cited(text: str) -> set[str]:
    ids = {i.strip() for group in BRACKETS.findall(text) for i in group.split(",")}
    return ids | set(BOLD.findall(text))


def condition(rid: str, code: str, text: str) -> dict:
    return {
        "resourceType": "Condition",
        "id": rid,
        "code": {"coding": [{"system": ICD, "code": code}], "text": text},
    }


CHARTS = {
    "buttock": [condition("c1", "M54.50", "Low back pain"), condition("c2", "X", "Buttock pain")],
    "sacroiliac": [condition("c1", "M54.50", "Low back pain"), condition("c3", "M46.1", "SI")],
    "fusion": [
        condition("c1", "M54.50", "Low back pain"),
        {
            "resourceType": "Procedure",
            "id": "p1",
            "code": {"coding": [{"system": CPT, "code": "22612"}]},
        },
        condition("c2", "M54.42", "Lumbago with sciatica, left side"),
    ],
}


@pytest.mark.parametrize("chart", CHARTS)
def test_cards_cite_only_sources_the_pack_holds(chart):
    drafts = [
        {
            "resourceType": "ServiceRequest",
            "id": "o1",
            "code": {"coding": [{"system": CPT, "code": "27279"}]},
        }
    ]
    findings = read_fhir(CHARTS[chart], PACK, draft_orders=drafts, today=dt.date(2026, 12, 1))
    assessment = assess(parse_case(findings.case), PACK)
    made = cds.patient_view_cards(findings, assessment, PACK, "http://x", "")
    made += cds.order_sign_cards(findings, assessment, PACK, "http://x", "p", cds.block_order)
    assert made
    for card in made:
        ids = cited(card["detail"])
        assert ids and ids <= set(PACK.sources), ids - set(PACK.sources)


def test_screening_reasons_cite_only_sources_the_pack_holds():
    features = [r.feature for r in PACK.screening.rules]
    hits = [Hit(f, f"Condition/{i}") for i, f in enumerate(features)]
    reasons = list(score_patient("p", hits, False, PACK).reasons)
    flags = [
        Hit(RED_FLAG + r.id, f"Condition/r{i}") for i, r in enumerate(PACK.red_flag_rules.rules)
    ]
    flags += [Hit(RED_FLAG_NOTE + f, f"DocumentReference/{f}", "words") for f in PACK.red_flags]
    reasons += score_patient("q", flags, False, PACK).reasons
    assert len(reasons) == len(features) + len(flags)
    for reason in reasons:
        ids = cited(reason)
        assert ids and ids <= set(PACK.sources), (reason, ids - set(PACK.sources))
