"""``POST /api/v1/notes``: the concepts found in a clinical note (``cluneal-notes/1``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse

from cluneal import jsontext
from cluneal.nlp.finding import FORMAT, NOTES, NoteError, notes_document
from cluneal.nlp.text import MAX_CHARS, check_text, decode_note

#: Text without the control characters that mark binary data (tab and line breaks are fine).
NOTE_TEXT = {
    "type": "string",
    "maxLength": MAX_CHARS,
    "pattern": "^[^\\x00-\\x08\\x0e-\\x1a\\x1c-\\x1f]*$",
}
NOTES_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": NOTE_TEXT},
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": NOTE_TEXT},
                    "additionalProperties": False,
                }
            },
        },
    },
    "responses": {
        200: {  # an int, as Django Ninja keys its own (see api.CASE_BODY)
            "description": f"The findings ({FORMAT})",
            "content": {"application/json": {"schema": NOTES.schema()}},
        },
        "400": {"description": "The body is binary, not UTF-8, too long or not the JSON asked"},
        "413": {"description": "The body is over the site's size limit"},
        "415": {"description": "The body is neither text/plain nor application/json"},
        "422": {"description": 'The JSON is not an object {"text": "..."} with a string'},
    },
}


def _bad(detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def request_body(request: HttpRequest) -> bytes | JsonResponse:
    """The body, or a 413 naming the limit when it is larger than the site accepts."""
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _bad(
            f"the body is over the limit of {limit:,} bytes (CLUNEAL_MAX_REQUEST_BYTES)", 413
        )


def notes(request: HttpRequest) -> JsonResponse:
    """Find concepts in the note sent as text/plain, or as JSON ``{"text": "..."}``."""
    from cluneal.nlp.pipeline import find

    content_type = request.content_type or ""
    raw = request_body(request)
    if isinstance(raw, JsonResponse):
        return raw
    try:
        if content_type == "text/plain":
            text = decode_note(raw, "the body")
        elif content_type == "application/json":
            body = jsontext.loads(decode_note(raw, "the body") or "null")
            if not isinstance(body, dict) or set(body) != {"text"}:
                return _bad('send the JSON object {"text": "..."}', 422)
            if not isinstance(body["text"], str):
                return _bad("text: must be a string", 422)
            text = check_text(body["text"], "text")
        else:
            return _bad("send the note as text/plain or application/json", 415)
        findings = find([text])[0]
    except NoteError as exc:
        return _bad(str(exc))
    except jsontext.JsonTextError as exc:
        return _bad(f"the body is {exc.problem}")
    return JsonResponse(notes_document(findings))
