"""A trusted test EHR (its own ES384 key), token factory, resource builders and a FHIR server
on loopback for the CDS Hooks tests."""

from __future__ import annotations

import http.server
import ipaddress
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

ISSUER = "https://ehr.test.example/"
BASE = "http://testserver"
CPT = "http://www.ama-assn.org/go/cpt"
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


class Ehr:
    def __init__(self, key: ec.EllipticCurvePrivateKey, kid: str) -> None:
        self.key, self.kid = key, kid

    def token(self, path: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": BASE + path,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": self.kid})

    def headers(self, path: str, **overrides: Any) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token(path, **overrides)}"}

    def post(self, client: Client, path: str, body: Any, **overrides: Any):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return client.post(
            path, data, content_type="application/json", **self.headers(path, **overrides)
        )


@pytest.fixture
def ehr(settings, tmp_path: Path) -> Ehr:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="test-ehr-key", alg="ES384", use="sig")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS = {ISSUER: str(path)}
    settings.CLUNEAL_PUBLIC_URL = ""
    from cluneal.web.cds import auth

    auth._cache.clear()
    return Ehr(key, "test-ehr-key")


def coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def condition(rid: str, system: str, code: str, display: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "code": coding(system, code, display),
        "subject": {"reference": "Patient/p1"},
        **extra,
    }


def procedure(rid: str, system: str, code: str, display: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed",
        "code": coding(system, code, display),
        "subject": {"reference": "Patient/p1"},
        **extra,
    }


def order(rid: str, system: str, code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "code": coding(system, code, display),
        "subject": {"reference": "Patient/p1"},
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1961-04-02"}
LBP = condition("c1", SCT, "278860009", "Chronic low back pain (finding)")
BUTTOCK = condition("c2", SCT, "000000", "Pain in left buttock")
SI_PAIN = condition("c3", ICD, "M46.1", "Sacroiliitis, not elsewhere classified")


def request(hook: str, *, conditions=(), procedures=(), orders=(), drafts=None, prefetch=True):
    context: dict[str, Any] = {"userId": "Practitioner/example", "patientId": "p1"}
    if hook == "order-sign":
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in (drafts or [])],
        }
    body: dict[str, Any] = {"hookInstance": str(uuid.uuid4()), "hook": hook, "context": context}
    if prefetch:
        body["prefetch"] = {
            "patient": PATIENT,
            "conditions": bundle(*conditions),
            "procedures": bundle(*procedures),
            "orders": bundle(*orders),
        }
    return body


class FhirServer:
    """A FHIR server on loopback answering searches from a dict, checking the bearer token; a
    route ``{"$redirect": [status, url]}`` redirects. ``seen`` lists every request received."""

    def __init__(self, routes: dict[str, Any], token: str) -> None:
        self.routes, self.token, self.seen = routes, token, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append((self.path, self.headers.get("Authorization")))
                if self.headers.get("Authorization") != f"Bearer {outer.token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                body = outer.routes.get(self.path)
                if isinstance(body, dict) and "$redirect" in body:  # {"$redirect": [301, url]}
                    self.send_response(body["$redirect"][0])
                    self.send_header("Location", body["$redirect"][1])
                    self.end_headers()
                    return
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/fhir+json")
                self.end_headers()
                self.wfile.write(json.dumps(body or {}).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@pytest.fixture
def fhir_server(settings) -> Iterator[Any]:
    """Starts FHIR servers on loopback; each is configured as the test EHR's FHIR server
    (``allow=False``: it runs, but is not configured) and loopback as an allowed network."""
    servers: list[FhirServer] = []
    settings.CLUNEAL_CDS_FHIR_SERVERS = {ISSUER: []}
    settings.CLUNEAL_CDS_FHIR_NETWORKS = [LOOPBACK]

    def start(
        routes: dict[str, Any], token: str = "opaque-token", *, allow: bool = True
    ) -> FhirServer:
        server = FhirServer(routes, token)
        servers.append(server)
        if allow:
            settings.CLUNEAL_CDS_FHIR_SERVERS = {
                ISSUER: [*settings.CLUNEAL_CDS_FHIR_SERVERS[ISSUER], server.url]
            }
        return server

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def fhir() -> Any:
    """The builders above, for test modules (which cannot import this conftest)."""
    import types

    return types.SimpleNamespace(
        condition=condition,
        procedure=procedure,
        order=order,
        bundle=bundle,
        request=request,
        PATIENT=PATIENT,
        LBP=LBP,
        BUTTOCK=BUTTOCK,
        SI_PAIN=SI_PAIN,
        CPT=CPT,
        SCT=SCT,
        ICD=ICD,
        ISSUER=ISSUER,
        BASE=BASE,
    )
