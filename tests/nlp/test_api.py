"""``POST /api/v1/notes`` as a view: text/plain or JSON in, cluneal-notes/1 out."""

from __future__ import annotations

import json

from django.test import RequestFactory

from cluneal.web.api.notes import notes


def post(body: bytes | str, content_type: str) -> tuple[int, dict[str, object]]:
    # Django's factory drops the content type of an empty body unless it is given as a header.
    request = RequestFactory().post(
        "/api/v1/notes", data=body, content_type=content_type, CONTENT_TYPE=content_type
    )
    response = notes(request)
    return response.status_code, json.loads(response.content)


def test_it_finds_concepts_in_a_plain_text_note() -> None:
    status, body = post("Possible SIJ dysfunction.", "text/plain")
    assert status == 200 and body["format"] == "cluneal-notes/1"
    (finding,) = body["findings"]  # type: ignore[misc]
    assert finding["concept"] == "sacroiliac_joint_pain" and finding["uncertain"] is True


def test_it_takes_json_with_a_text() -> None:
    status, body = post(json.dumps({"text": "Lumbago."}), "application/json")
    assert status == 200 and len(body["findings"]) == 1  # type: ignore[arg-type]


def test_it_rejects_json_without_the_text() -> None:
    assert post(json.dumps({"note": "x"}), "application/json")[0] == 422
    assert post("{", "application/json")[0] == 400


def test_it_rejects_binary_and_other_types() -> None:
    assert post(bytes(range(256)), "text/plain")[0] == 400
    assert post("caf\xe9".encode("latin-1"), "text/plain")[0] == 400
    assert post("x", "application/xml")[0] == 415


def test_an_empty_note_has_no_findings() -> None:
    assert post("", "text/plain") == (200, {"format": "cluneal-notes/1", "findings": []})


def test_a_missing_body_is_rejected() -> None:
    request = RequestFactory().post("/api/v1/notes")
    assert notes(request).status_code == 415


def test_a_10_mb_note_is_refused_with_a_clear_error() -> None:
    status, body = post("low back pain " * 800_000, "text/plain")
    assert status == 413
    assert "limit" in json.dumps(body)
