"""One size limit for the CDS endpoints, ``CLUNEAL_CDS_MAX_BYTES``, answered with a JSON 413
however the body arrives: with a true Content-Length, chunked (no Content-Length, the server
marking where the stream ends, as gunicorn does), or with a Content-Length that lies. Django's
own limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 1 MB) plays no part.

Requests are built as WSGI environs and run through Django's handler, so the body is read from
a real stream; the stream's position shows how much was read."""

from __future__ import annotations

import io
import json
import sys
import uuid
from typing import Any

import pytest
from django.test.client import ClientHandler

from cluneal.web.cds.models import CardFeedback, IssuedCard

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"
FEEDBACK = PV + "/feedback"
LIMIT = 50_000


def call(ehr: Any, path: str, body: bytes, **environ: Any) -> tuple[Any, io.BytesIO]:
    stream = io.BytesIO(body)
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        **ehr.headers(path),
    }
    env.update(environ)
    env = {k: v for k, v in env.items() if v is not None}
    return ClientHandler(enforce_csrf_checks=False)(env), stream


def request_of(fhir: Any, path: str, size: int) -> bytes:
    """A valid body for ``path`` of exactly ``size`` bytes (padded with an extension)."""
    if path == FEEDBACK:
        body: dict[str, Any] = {
            "feedback": [
                {
                    "card": str(uuid.uuid4()),
                    "outcome": "accepted",
                    "outcomeTimestamp": "2021-12-11T10:05:31Z",
                }
            ]
        }
    else:
        body = fhir.request("patient-view" if path == PV else "order-sign")
    body["extension"] = {"pad": ""}
    raw = json.dumps(body).encode()
    body["extension"]["pad"] = "x" * (size - len(raw))
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


TOO_LARGE = f"the body is over the limit of {LIMIT:,} bytes (CLUNEAL_CDS_MAX_BYTES)"


@pytest.fixture
def limit(settings) -> int:
    settings.CLUNEAL_CDS_MAX_BYTES = LIMIT
    return LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PV, OS, FEEDBACK])
def test_a_body_over_the_limit_gets_a_json_413_however_it_arrives(ehr, fhir, limit, path):
    over = request_of(fhir, path, limit + 1)
    far_over = request_of(fhir, path, 3 * limit)
    ways = {
        "Content-Length, one byte over": (over, {}),
        "Content-Length, far over": (far_over, {}),
        "chunked, one byte over": (over, {"CONTENT_LENGTH": None, "wsgi.input_terminated": True}),
        "chunked, far over": (far_over, {"CONTENT_LENGTH": None, "wsgi.input_terminated": True}),
        "chunked, Content-Length empty": (
            far_over,
            {"CONTENT_LENGTH": "", "wsgi.input_terminated": True},
        ),
        "Content-Length lying larger": (b"{}", {"CONTENT_LENGTH": str(limit + 1)}),
        "Content-Length lying far larger": (b"{}", {"CONTENT_LENGTH": str(10**30)}),
    }
    for way, (body, environ) in ways.items():
        response, stream = call(ehr, path, body, **environ)
        assert response.status_code == 413, way
        assert response["Content-Type"] == "application/json", way
        assert json.loads(response.content) == {"detail": TOO_LARGE}, way
        assert stream.tell() <= limit + 1, f"{way}: read {stream.tell()} bytes"
    assert IssuedCard.objects.count() == CardFeedback.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PV, OS, FEEDBACK])
def test_a_body_at_the_limit_is_answered_however_it_arrives(ehr, fhir, limit, path):
    at = request_of(fhir, path, limit)
    for environ in ({}, {"CONTENT_LENGTH": None, "wsgi.input_terminated": True}):
        response, _ = call(ehr, path, at, **environ)
        assert response.status_code == 200, (environ, response.content[:300])


@pytest.mark.django_db
def test_a_content_length_lying_smaller_reads_no_further_than_it_says(ehr, fhir, limit):
    """HTTP ends the body where Content-Length says; what follows is never read."""
    body = request_of(fhir, PV, 3 * limit)
    for length in (0, 10, limit):
        response, stream = call(ehr, PV, body, CONTENT_LENGTH=str(length))
        assert response.status_code == 400
        assert json.loads(response.content)["detail"] == "the body is not valid JSON"
        assert stream.tell() == length


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-1", "1e3", " 12", "12 ", "0x10", "²", "1.0"])
def test_a_content_length_that_is_not_a_number_gets_400(ehr, fhir, length):
    response, stream = call(ehr, PV, request_of(fhir, PV, 20_000), CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert json.loads(response.content) == {"detail": "the Content-Length header is not a number"}
    assert stream.tell() == 0


@pytest.mark.django_db
def test_without_content_length_or_an_ending_stream_the_body_is_empty(ehr, fhir):
    """A server that neither gives a length nor marks the end (plain WSGI): reading could
    block, so the body counts as empty."""
    response, stream = call(ehr, PV, request_of(fhir, PV, 20_000), CONTENT_LENGTH=None)
    assert response.status_code == 400
    assert stream.tell() == 0


@pytest.mark.django_db
def test_the_cds_limit_not_djangos_applies(ehr, fhir, settings):
    """A 2 MB request is over Django's 1 MB limit and under the CDS 5 MB default: answered."""
    settings.CLUNEAL_CDS_MAX_BYTES = 5_000_000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1_000_000
    for path in (PV, OS, FEEDBACK):
        body = request_of(fhir, path, 2_000_000)
        for environ in ({}, {"CONTENT_LENGTH": None, "wsgi.input_terminated": True}):
            response, _ = call(ehr, path, body, **environ)
            assert response.status_code == 200, (path, environ, response.content[:300])
        response, _ = call(ehr, path, request_of(fhir, path, 5_000_001))
        assert response.status_code == 413
        limit = "the body is over the limit of 5,000,000 bytes (CLUNEAL_CDS_MAX_BYTES)"
        assert json.loads(response.content) == {"detail": limit}


@pytest.mark.django_db
def test_a_large_body_without_a_valid_token_is_refused_unread(fhir, ehr):
    body = request_of(fhir, PV, 3_000_000)
    response, stream = call(ehr, PV, body, HTTP_AUTHORIZATION="Bearer nope")
    assert (response.status_code, json.loads(response.content)) == (401, {"detail": "unauthorized"})
    assert stream.tell() == 0
