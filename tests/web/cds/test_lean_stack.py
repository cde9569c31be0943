"""The CDS endpoints run behind only the middleware they need (``settings.CDS_MIDDLEWARE``), and
answer their CPU time per stage as Server-Timing only when asked to."""

from __future__ import annotations

import inspect
import io
import json
import sys
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.db import close_old_connections

from cluneal.web import wsgi

PV = "/cds-services/cluneal-patient-view"


def call(path: str, headers: dict[str, str], body: bytes = b"", host: str = "testserver"):
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json" if body else "",
        **headers,
    }
    started: list[Any] = []
    # As Django's test client does: the test's database connection is not closed per request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = wsgi.application(environ, lambda status, head: started.append((status, head)))
        content = b"".join(chunks)
        chunks.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    status, head = started[0]
    return int(status.split()[0]), dict(head), content


def test_the_cds_stack_is_the_full_one_less_what_the_cds_endpoints_do_not_use():
    names = [type(m).__name__ for m in _chain(wsgi.cds_application)]
    assert names == [m.rsplit(".", 1)[1] for m in settings.CDS_MIDDLEWARE]
    assert names[0] == "ServerTiming"
    kept = [m for m in settings.CDS_MIDDLEWARE if m in settings.MIDDLEWARE]
    assert kept == [m for m in settings.MIDDLEWARE if m in settings.CDS_MIDDLEWARE], "same order"
    for dropped in ("SessionMiddleware", "AuthenticationMiddleware", "MessageMiddleware"):
        assert dropped not in names


def _chain(handler: Any) -> list[Any]:
    """The middleware instances of a Django handler, outermost first."""
    out, node = [], handler._middleware_chain
    while True:
        inner = inspect.getclosurevars(node).nonlocals.get("get_response")
        if inner is None or not hasattr(inner, "get_response"):
            return out
        out.append(inner)
        node = inner.get_response


@pytest.mark.django_db
def test_a_cds_answer_through_the_wsgi_application_keeps_the_security_headers(ehr, fhir):
    body = json.dumps(fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK])).encode()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ehr.token(PV)}"}
    status, head, content = call(PV, auth, body)
    assert status == 200, content
    assert len(json.loads(content)["cards"]) == 1
    assert head["X-Content-Type-Options"] == "nosniff"
    assert head["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in head
    assert "Set-Cookie" not in head and "Server-Timing" not in head


@pytest.mark.django_db
def test_a_host_not_allowed_is_refused_by_the_cds_stack_too(ehr):
    status, _, _ = call("/cds-services", ehr.headers("/cds-services"), host="evil.example")
    assert status == 400


@pytest.mark.django_db
def test_server_timing_names_every_stage_when_asked(ehr, fhir, settings):
    settings.CLUNEAL_CDS_SERVER_TIMING = True
    body = json.dumps(fhir.request("patient-view", conditions=[fhir.LBP])).encode()
    _, head, _ = call(PV, {"HTTP_AUTHORIZATION": f"Bearer {ehr.token(PV)}"}, body)
    stages = [part.split(";")[0] for part in head["Server-Timing"].split(", ")]
    assert stages == [
        *("jwt", "parse", "schema", "fetch", "notes", "fhir", "engine", "cards", "json", "db"),
        "django",
    ]
