"""JWT authentication, bad requests, and the feedback endpoint with the spec's examples."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from cluneal.web.cds.auth import AuthError, verify
from cluneal.web.cds.models import CardFeedback

PV = "/cds-services/cluneal-patient-view"
SPEC = "external/cds-hooks-2.0.1"


@pytest.fixture
def client() -> Client:
    return Client()


def test_the_spec_example_jwt_verifies_against_the_spec_key_set(settings, shared):
    token = (
        (shared / SPEC / "28-jwt-authorization-header.txt").read_text().split("Bearer ")[1].strip()
    )
    payload = json.loads((shared / SPEC / "25-jwt-payload.json").read_text())
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS = {
        payload["iss"]: str(shared / SPEC / "26-jwks-public.json")
    }
    claims = verify(token, payload["aud"], verify_exp=False)
    assert claims == payload
    with pytest.raises(AuthError, match="expired"):
        verify(token, payload["aud"])


def test_the_sandbox_key_set_loads_and_refuses_a_token_signed_by_another_key(settings, shared):
    sandbox = json.loads((shared / "external/cds-hooks-sandbox/jwks.json").read_text())
    kid = sandbox["keys"][0]["kid"]
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS = {
        "https://sandbox.cds-hooks.org": str(shared / "external/cds-hooks-sandbox/jwks.json")
    }
    impostor = ec.generate_private_key(ec.SECP384R1())
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "https://sandbox.cds-hooks.org",
            "aud": "http://testserver/cds-services",
            "iat": now,
            "exp": now + 60,
            "jti": "x",
        },
        impostor,
        algorithm="ES384",
        headers={"kid": kid},
    )
    with pytest.raises(AuthError, match="Signature verification failed"):
        verify(token, "http://testserver/cds-services")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"iss": "https://mallory.example/"}, 401),
        ({"aud": "https://elsewhere.example/cds-services/cluneal-patient-view"}, 401),
        ({"exp": int(time.time()) - 3600}, 401),
        ({"iat": int(time.time()) + 3600}, 401),
        ({"jti": None}, 401),
    ],
)
def test_bad_tokens_get_401_without_detail(client, ehr, fhir, change, status):
    response = ehr.post(client, PV, fhir.request("patient-view"), **change)
    assert response.status_code == status
    assert response.json() == {"detail": "unauthorized"}


@pytest.mark.django_db
def test_an_unsigned_request_gets_401(client, fhir):
    response = client.post(
        PV, json.dumps(fhir.request("patient-view")), content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get("/cds-services").status_code == 401


@pytest.mark.django_db
def test_tokens_signed_with_hs256_or_none_are_refused(client, ehr, fhir):
    now = int(time.time())
    claims = {"iss": fhir.ISSUER, "aud": fhir.BASE + PV, "iat": now, "exp": now + 60, "jti": "j"}
    for token in (
        jwt.encode(claims, "s" * 48, algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
    ):
        response = client.post(
            PV,
            json.dumps(fhir.request("patient-view")),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 401


@pytest.mark.django_db
def test_a_replayed_jti_gets_401(client, ehr, fhir):
    token = ehr.token(PV, jti="once-only")
    body = json.dumps(fhir.request("patient-view"))
    first = client.post(
        PV, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    second = client.post(
        PV, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert (first.status_code, second.status_code) == (200, 401)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"hook": ', 400),
        ("[]", 400),
        (json.dumps({"hook": "order-sign", "hookInstance": "x", "context": {}}), 400),
        (
            json.dumps({"hook": "patient-view", "hookInstance": "x", "context": {"userId": "u"}}),
            400,
        ),
    ],
)
def test_malformed_or_wrong_hook_requests_get_400(client, ehr, body, status):
    assert ehr.post(client, PV, body).status_code == status


@pytest.mark.django_db
def test_a_huge_body_gets_413(client, ehr, fhir, settings):
    settings.CLUNEAL_CDS_MAX_BYTES = 20_000
    body = fhir.request("patient-view")
    body["prefetch"]["conditions"]["entry"] = [{"resource": fhir.LBP}] * 500
    assert ehr.post(client, PV, body).status_code == 413


@pytest.mark.django_db
def test_an_unknown_service_gets_404(client, ehr, fhir):
    path = "/cds-services/nope"
    assert ehr.post(client, path, fhir.request("patient-view")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "example",
    [
        "21-feedback-suggestion-accepted.json",
        "22-feedback-overridden.json",
        "23-feedback-overridden-with-overrideReason.json",
    ],
)
def test_the_spec_feedback_examples_are_stored(client, ehr, shared, example):
    text = (shared / SPEC / example).read_text()
    path = PV + "/feedback"
    response = ehr.post(client, path, text)
    assert response.status_code == 200
    expected = json.loads(text)["feedback"][0]
    stored = CardFeedback.objects.get()
    assert str(stored.card) == expected["card"]
    assert stored.outcome == expected["outcome"]
    reason = expected.get("overrideReason", {})
    assert stored.override_code == reason.get("reason", {}).get("code", "")
    assert stored.override_comment == reason.get("userComment", "")
    assert stored.accepted_suggestions == [s["id"] for s in expected.get("acceptedSuggestions", [])]


@pytest.mark.django_db
def test_bad_feedback_gets_400_and_stores_nothing(client, ehr):
    path = PV + "/feedback"
    for body in (
        {"feedback": []},
        {"feedback": [{"card": "x", "outcome": "ignored"}]},
        {"feedback": [{"card": "x", "outcome": "accepted", "outcomeTimestamp": "never"}]},
    ):
        assert ehr.post(client, path, body).status_code == 400
    assert CardFeedback.objects.count() == 0


@pytest.mark.django_db
def test_the_acceptance_page_shows_the_rate_per_service(client, ehr, shared, fhir, root):
    path = PV + "/feedback"
    for name in (
        "21-feedback-suggestion-accepted.json",
        "22-feedback-overridden.json",
        "23-feedback-overridden-with-overrideReason.json",
    ):
        ehr.post(client, path, (shared / SPEC / name).read_text())
    client.force_login(root)
    html = client.get("/site/cds").content.decode()
    assert 'data-service="cluneal-patient-view"' in html
    assert "33.3%" in html  # 1 accepted of 3 answered
    assert "d7ecf885: 1" in html


@pytest.mark.django_db
def test_the_acceptance_page_is_for_administrators(client):
    assert client.get("/site/cds").status_code == 302
