"""The services on real-shaped data: every Synthea patient of the sample, as an EHR would send
them in prefetch; a card only where the rules apply."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.test import Client

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"


@pytest.fixture(scope="module")
def synthea(shared):
    folder = shared / "external/synthea-bulk-10"
    patients = {}
    by_patient: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for line in (folder / "Patient.000.ndjson").read_text().splitlines():
        p = json.loads(line)
        patients[p["id"]] = p
    for kind in ("Condition", "Procedure"):
        for line in (folder / f"{kind}.000.ndjson").read_text().splitlines():
            r = json.loads(line)
            pid = r["subject"]["reference"].split("/")[-1].replace("urn:uuid:", "")
            by_patient[pid][kind].append(r)
    return patients, by_patient


def prefetch(fhir, patient, resources):
    return {
        "patient": patient,
        "conditions": fhir.bundle(*resources["Condition"]),
        "procedures": fhir.bundle(*resources["Procedure"]),
        "orders": fhir.bundle(),
    }


@pytest.mark.django_db
def test_no_synthea_patient_gets_a_card_as_recorded(ehr, fhir, synthea):
    patients, by_patient = synthea
    client = Client()
    assert len(patients) == 13
    for pid, patient in patients.items():
        body = fhir.request("patient-view")
        body["context"]["patientId"] = pid
        body["prefetch"] = prefetch(fhir, patient, by_patient[pid])
        response = ehr.post(client, PV, body)
        assert response.status_code == 200
        # Two have chronic low back pain coded, but nothing points to cluneal entrapment.
        assert response.json()["cards"] == [], pid


@pytest.mark.django_db
def test_a_synthea_back_pain_patient_with_buttock_pain_gets_the_cards(ehr, fhir, synthea):
    patients, by_patient = synthea
    [pid] = [
        pid
        for pid, r in by_patient.items()
        if any(c["code"]["coding"][0]["code"] == "278860009" for c in r["Condition"])
    ][:1]
    resources = {k: list(v) for k, v in by_patient[pid].items()}
    resources["Condition"].append(fhir.condition("extra", fhir.SCT, "0", "Pain in right buttock"))
    client = Client()
    body = fhir.request("patient-view")
    body["context"]["patientId"] = pid
    body["prefetch"] = prefetch(fhir, patients[pid], resources)
    [card] = ehr.post(client, PV, body).json()["cards"]
    assert "Chronic low back pain" in card["detail"]
    body = fhir.request("order-sign", drafts=[fhir.order("o9", fhir.CPT, "27279", "SI fusion")])
    body["context"]["patientId"] = pid
    body["prefetch"] = prefetch(fhir, patients[pid], resources)
    [warning] = ehr.post(client, OS, body).json()["cards"]
    assert warning["indicator"] == "warning"
    assert (
        f"Patient/{pid}"
        == warning["suggestions"][0]["actions"][0]["resource"]["subject"]["reference"]
    )
