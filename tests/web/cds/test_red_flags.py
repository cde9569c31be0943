"""Red flags first: a chart with a red flag that still counts gets no cluneal card from either
service, and an urgent order is never interrupted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
TODAY = dt.date.today()

#: Red flags as EHRs code them: by ICD-10-CM (exact, or below a category), SNOMED CT, or words.
RED_FLAGS = [
    (ICD, "G83.4", "Cauda equina syndrome"),
    (SCT, "192970008", "Cauda equina syndrome (disorder)"),
    (ICD, "G95.20", "Unspecified cord compression"),
    (ICD, "M21.371", "Foot drop, right foot"),
    (ICD, "M46.26", "Osteomyelitis of vertebra, lumbar region"),
    (ICD, "M46.46", "Discitis, unspecified, lumbar region"),
    (ICD, "G06.1", "Intraspinal abscess and granuloma"),
    (ICD, "C79.51", "Secondary malignant neoplasm of bone"),
    (ICD, "C90.00", "Multiple myeloma not having achieved remission"),
    (ICD, "C50.911", "Malignant neoplasm of unspecified site of right female breast"),
    (SCT, "254837009", "Malignant neoplasm of breast (disorder)"),
    (ICD, "Z51.11", "Encounter for antineoplastic chemotherapy"),
    (ICD, "S32.010A", "Wedge compression fracture of first lumbar vertebra, initial encounter"),
    (ICD, "M80.08XA", "Age-related osteoporosis with current pathological fracture, vertebra(e)"),
    (SCT, "000001", "Spinal epidural abscess"),
]


@pytest.fixture
def client() -> Client:
    return Client()


def cards(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["cards"]


def _status(kind: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": f"http://terminology.hl7.org/CodeSystem/{kind}", "code": code}]}


def flag(fhir, system: str, code: str, display: str, *, days_ago: int = 30, **extra: Any):
    recorded = (TODAY - dt.timedelta(days=days_ago)).isoformat()
    return fhir.condition(
        "rf",
        system,
        code,
        display,
        recordedDate=recorded,
        clinicalStatus=_status("condition-clinical", "active"),
        **extra,
    )


def both_hooks(client, ehr, fhir, conditions) -> tuple[list[Any], list[Any]]:
    """The cards of both services for a chart that would otherwise get one from each."""
    drafts = [fhir.order("o1", fhir.CPT, "63047", "Lumbar laminectomy")]
    pv = cards(ehr.post(client, PV, fhir.request("patient-view", conditions=conditions)))
    body = fhir.request("order-sign", conditions=conditions, drafts=drafts)
    return pv, cards(ehr.post(client, OS, body))


@pytest.mark.django_db
def test_without_a_red_flag_both_services_answer(client, ehr, fhir):
    pv, os_ = both_hooks(client, ehr, fhir, [fhir.LBP, fhir.BUTTOCK, fhir.SI_PAIN])
    assert len(pv) == len(os_) == 1


@pytest.mark.parametrize(("system", "code", "display"), RED_FLAGS)
@pytest.mark.django_db
def test_an_active_red_flag_silences_both_services(client, ehr, fhir, system, code, display):
    red = flag(fhir, system, code, display)
    assert both_hooks(client, ehr, fhir, [fhir.LBP, fhir.BUTTOCK, fhir.SI_PAIN, red]) == ([], [])


@pytest.mark.parametrize(
    ("why", "extra"),
    [
        ("resolved", {"clinicalStatus": _status("condition-clinical", "resolved")}),
        ("inactive", {"clinicalStatus": _status("condition-clinical", "inactive")}),
        ("refuted", {"verificationStatus": _status("condition-ver-status", "refuted")}),
        (
            "entered in error",
            {"verificationStatus": _status("condition-ver-status", "entered-in-error")},
        ),
        ("abated", {"abatementDateTime": (TODAY - dt.timedelta(days=3)).isoformat()}),
    ],
)
@pytest.mark.parametrize(("system", "code", "display"), RED_FLAGS[::3])
@pytest.mark.django_db
def test_a_red_flag_that_is_gone_does_not_count(
    client, ehr, fhir, system, code, display, why, extra
):
    red = flag(fhir, system, code, display)
    red.update(extra)
    pv, os_ = both_hooks(client, ehr, fhir, [fhir.LBP, fhir.BUTTOCK, fhir.SI_PAIN, red])
    assert len(pv) == len(os_) == 1, why


@pytest.mark.parametrize(
    ("code", "display", "days_ago", "counts"),
    [
        ("C79.51", "Secondary malignant neoplasm of bone", 4 * 365, True),
        ("C79.51", "Secondary malignant neoplasm of bone", 6 * 365, False),
        ("M46.46", "Discitis, unspecified, lumbar region", 4 * 365, True),
        ("M46.46", "Discitis, unspecified, lumbar region", 6 * 365, False),
        ("G83.4", "Cauda equina syndrome", 300, True),
        ("G83.4", "Cauda equina syndrome", 400, False),
        ("S32.010A", "Wedge compression fracture of first lumbar vertebra", 300, True),
        ("S32.010A", "Wedge compression fracture of first lumbar vertebra", 800, False),
    ],
)
@pytest.mark.django_db
def test_a_red_flag_counts_within_its_window(client, ehr, fhir, code, display, days_ago, counts):
    red = flag(fhir, ICD, code, display, days_ago=days_ago)
    pv, os_ = both_hooks(client, ehr, fhir, [fhir.LBP, fhir.BUTTOCK, fhir.SI_PAIN, red])
    assert (pv, os_) == ([], []) if counts else len(pv) == len(os_) == 1


@pytest.mark.parametrize(
    "text",
    ["Family history of cancer", "Screening for malignant neoplasm of colon", "Fear of cancer"],
)
@pytest.mark.django_db
def test_words_that_only_mention_a_red_flag_do_not_count(client, ehr, fhir, text):
    mention = fhir.condition("m1", SCT, "000002", text)
    pv, os_ = both_hooks(client, ehr, fhir, [fhir.LBP, fhir.BUTTOCK, fhir.SI_PAIN, mention])
    assert len(pv) == len(os_) == 1


@pytest.mark.parametrize(
    ("priority", "card"),
    [("stat", False), ("asap", False), ("urgent", False), ("routine", True), (None, True)],
)
@pytest.mark.django_db
def test_an_urgent_order_is_never_interrupted(client, ehr, fhir, priority, card):
    draft = fhir.order("o1", fhir.CPT, "63047", "Lumbar laminectomy")
    if priority is not None:
        draft["priority"] = priority
    body = fhir.request("order-sign", conditions=[fhir.LBP, fhir.BUTTOCK], drafts=[draft])
    assert len(cards(ehr.post(client, OS, body))) == (1 if card else 0)


@pytest.mark.django_db
def test_a_routine_order_beside_a_stat_one_still_gets_its_card(client, ehr, fhir):
    stat = fhir.order("o1", fhir.CPT, "63047", "Lumbar laminectomy")
    stat["priority"] = "stat"
    routine = fhir.order("o2", fhir.CPT, "27279", "Sacroiliac joint fusion")
    body = fhir.request("order-sign", conditions=[fhir.LBP, fhir.SI_PAIN], drafts=[stat, routine])
    [card] = cards(ehr.post(client, OS, body))
    assert "ServiceRequest/o2" in card["detail"] and "ServiceRequest/o1" not in card["detail"]


@pytest.mark.django_db
def test_the_discovery_descriptions_say_so(client, ehr):
    response = client.get("/cds-services", **ehr.headers("/cds-services"))
    for service in response.json()["services"]:
        assert "red flag" in service["description"]
    order_sign = next(s for s in response.json()["services"] if s["hook"] == "order-sign")
    assert "urgent, asap or stat" in order_sign["description"]
