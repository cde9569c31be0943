"""The CDS Hooks services answer with the right cards, or none."""

from __future__ import annotations

import pytest
from django.test import Client

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"


@pytest.fixture
def client() -> Client:
    return Client()


def cards(response):
    assert response.status_code == 200, response.content
    return response.json()["cards"]


@pytest.mark.django_db
def test_discovery_lists_both_services_with_prefetch(client, ehr):
    response = client.get("/cds-services", **ehr.headers("/cds-services"))
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()["services"]}
    assert services["cluneal-patient-view"]["hook"] == "patient-view"
    assert services["cluneal-order-sign"]["hook"] == "order-sign"
    for s in services.values():
        assert set(s) >= {"hook", "title", "description", "id", "prefetch"}
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"


@pytest.mark.django_db
def test_back_pain_with_buttock_pain_and_no_evaluation_gets_an_info_card(client, ehr, fhir):
    body = fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK])
    [card] = cards(ehr.post(client, PV, body))
    assert card["indicator"] == "info"
    assert len(card["summary"]) <= 140
    assert "buttock or iliac-crest pain" in card["summary"]
    assert "Condition/c2" in card["detail"] and "Condition/c1" in card["detail"]
    assert "**S1** Kuniya 2014" in card["detail"]
    assert card["source"]["label"] == "Cluneal"
    [link] = card["links"]
    assert link["type"] == "absolute"
    assert link["url"].startswith("http://testserver/?age=")
    assert "sex=female" in link["url"]


@pytest.mark.parametrize(
    ("conditions", "procedures", "why"),
    [
        (["LBP"], [], "back pain alone is no feature of entrapment"),
        (["BUTTOCK"], [], "no back pain coded"),
        (["LBP", "BUTTOCK"], ["block"], "a cluneal block is already documented"),
    ],
)
@pytest.mark.django_db
def test_no_card_when_a_rule_does_not_apply(client, ehr, fhir, conditions, procedures, why):
    block = fhir.procedure("b1", fhir.CPT, "64450", "Superior cluneal nerve block")
    body = fhir.request(
        "patient-view",
        conditions=[getattr(fhir, c) for c in conditions],
        procedures=[block] if procedures else [],
    )
    assert cards(ehr.post(client, PV, body)) == [], why


@pytest.mark.parametrize(
    ("resource", "label"),
    [
        ("SI_PAIN", "a sacroiliac diagnosis or injection"),
        ("fusion", "a previous lumbar fusion"),
        ("graft", "an iliac crest bone graft"),
        ("sciatica", "leg symptoms without a radiculopathy diagnosis"),
    ],
)
@pytest.mark.django_db
def test_each_feature_raises_the_card(client, ehr, fhir, resource, label):
    extra = {
        "SI_PAIN": fhir.SI_PAIN,
        "fusion": fhir.procedure("f1", fhir.CPT, "22612", "Posterolateral lumbar fusion"),
        "graft": fhir.procedure("g1", fhir.CPT, "20937", "Bone graft harvest"),
        "sciatica": fhir.condition("s1", fhir.ICD, "M54.32", "Sciatica, left side"),
    }[resource]
    kind = "procedures" if extra["resourceType"] == "Procedure" else "conditions"
    body = fhir.request("patient-view", conditions=[fhir.LBP])
    body["prefetch"][kind]["entry"].append({"resource": extra})
    [card] = cards(ehr.post(client, PV, body))
    assert label in card["summary"]


@pytest.mark.django_db
def test_a_radiculopathy_diagnosis_removes_the_leg_symptom_feature(client, ehr, fhir):
    sciatica = fhir.condition("s1", fhir.ICD, "M54.32", "Sciatica, left side")
    radic = fhir.condition("r1", fhir.ICD, "M54.16", "Radiculopathy, lumbar region")
    body = fhir.request("patient-view", conditions=[fhir.LBP, sciatica, radic])
    assert cards(ehr.post(client, PV, body)) == []


@pytest.mark.django_db
def test_refuted_conditions_do_not_count(client, ehr, fhir):
    refuted = dict(fhir.BUTTOCK, verificationStatus={"coding": [{"code": "refuted"}]})
    body = fhir.request("patient-view", conditions=[fhir.LBP, refuted])
    assert cards(ehr.post(client, PV, body)) == []


@pytest.mark.parametrize(
    ("draft", "planned"),
    [
        (("27279", "Arthrodesis, sacroiliac joint, percutaneous"), "si joint fusion"),
        (("22633", "Lumbar fusion"), "lumbar fusion"),
        (("63047", "Lumbar laminectomy"), "lumbar decompression"),
    ],
)
@pytest.mark.django_db
def test_signing_a_fusion_for_buttock_pain_gets_a_warning_with_a_block_order(
    client, ehr, fhir, draft, planned
):
    drafts = [fhir.order("o1", fhir.CPT, *draft)]
    body = fhir.request("order-sign", conditions=[fhir.LBP, fhir.BUTTOCK], drafts=drafts)
    [card] = cards(ehr.post(client, OS, body))
    assert card["indicator"] == "warning"
    assert planned in card["summary"]
    assert "ServiceRequest/o1" in card["detail"]
    assert "E10" in card["detail"]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "create"
    order = action["resource"]
    assert order["resourceType"] == "ServiceRequest"
    assert order["subject"] == {"reference": "Patient/p1"}
    assert {c["code"] for c in order["code"]["coding"]} == {"64450", "cluneal-nerve-block"}
    reasons = {r["code"] for r in card["overrideReasons"]}
    assert "cluneal-excluded" in reasons
    assert card["selectionBehavior"] == "at-most-one"


@pytest.mark.django_db
def test_a_fusion_without_buttock_or_sacroiliac_pain_gets_no_card(client, ehr, fhir):
    drafts = [fhir.order("o1", fhir.CPT, "22612", "Lumbar fusion")]
    body = fhir.request("order-sign", conditions=[fhir.LBP], drafts=drafts)
    assert cards(ehr.post(client, OS, body)) == []


@pytest.mark.django_db
def test_a_documented_cluneal_block_silences_the_warning(client, ehr, fhir):
    drafts = [fhir.order("o1", fhir.CPT, "27280", "Open sacroiliac fusion")]
    block = fhir.procedure("b1", fhir.CPT, "64450", "Middle cluneal nerve block")
    body = fhir.request("order-sign", conditions=[fhir.SI_PAIN], procedures=[block], drafts=drafts)
    assert cards(ehr.post(client, OS, body)) == []


@pytest.mark.django_db
def test_orders_that_are_not_surgery_get_no_card(client, ehr, fhir, shared):
    import json

    text = (shared / "external/cds-hooks-library/order-sign.md").read_text()
    start = text.index("```json", text.index("Example (R4)")) + len("```json")
    example = json.loads(text[start : text.index("```", start)])
    body = fhir.request("order-sign", conditions=[fhir.LBP, fhir.BUTTOCK])
    body["context"]["draftOrders"] = example["context"]["draftOrders"]
    assert cards(ehr.post(client, OS, body)) == []


@pytest.mark.django_db
def test_missing_prefetch_is_fetched_from_the_fhir_server(client, ehr, fhir, fhir_server):
    server = fhir_server(
        {
            "/fhir/Patient/p1": fhir.PATIENT,
            "/fhir/Condition?patient=p1": fhir.bundle(fhir.LBP, fhir.BUTTOCK),
            "/fhir/Procedure?patient=p1": fhir.bundle(),
            "/fhir/ServiceRequest?patient=p1": fhir.bundle(),
        }
    )
    body = fhir.request("patient-view", prefetch=False)
    body["fhirServer"] = server.url
    body["fhirAuthorization"] = {
        "access_token": "opaque-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "x",
    }
    [card] = cards(ehr.post(client, PV, body))
    assert card["indicator"] == "info"
    assert all(auth == "Bearer opaque-token" for _, auth in server.seen)


@pytest.mark.django_db
def test_it_answers_412_when_data_is_missing_and_cannot_be_fetched(client, ehr, fhir, fhir_server):
    body = fhir.request("patient-view", prefetch=False)
    assert ehr.post(client, PV, body).status_code == 412
    server = fhir_server({}, token="another-token")
    body["fhirServer"] = server.url
    body["fhirAuthorization"] = {"access_token": "opaque-token"}
    assert ehr.post(client, PV, body).status_code == 412


@pytest.mark.django_db
def test_the_spec_patient_view_example_is_answered_from_the_fhir_server(
    client, ehr, fhir, fhir_server, shared
):
    import json

    example = json.loads(
        (shared / "external/cds-hooks-2.0.1/02-request-patient-view-with-prefetch.json").read_text()
    )
    server = fhir_server(
        {
            "/fhir/Patient/1288992": example["prefetch"]["patientToGreet"],
            "/fhir/Condition?patient=1288992": fhir.bundle(fhir.LBP, fhir.SI_PAIN),
            "/fhir/Procedure?patient=1288992": fhir.bundle(),
            "/fhir/ServiceRequest?patient=1288992": fhir.bundle(),
        },
        token=example["fhirAuthorization"]["access_token"],
    )
    example["fhirServer"] = server.url  # the example's server is not reachable from here
    [card] = cards(ehr.post(client, PV, example))
    assert "sacroiliac" in card["summary"]


def test_the_integrators_page_shows_this_servers_discovery_url(client, settings):
    settings.CLUNEAL_PUBLIC_URL = "https://cluneal.example.org"
    html = client.get("/integrators").content.decode()
    assert '<code id="discovery-url">https://cluneal.example.org/cds-services</code>' in html
    assert "cluneal-order-sign" in html and "CLUNEAL_CDS_TRUSTED_ISSUERS" in html
