"""Middleware shared by every page: Content-Security-Policy (Django 5.2 has no built-in CSP),
the refusal of NUL characters in addresses and form values, and the audit and no-store of
responses that carry patient data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control

from cluneal.web.audit.log import patients_read, record_reads
from cluneal.web.core.errors import bad_request

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


NUL_MESSAGE = (
    "Bad request: the address or a form value contains a NUL character (U+0000), "
    "which no field accepts."
)


def has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RefuseNulCharacters:
    """400 for a NUL character in the path, the query string or a submitted form's values.

    No field of Cluneal accepts one, and PostgreSQL refuses it in text, so a value that reached
    a query with one would fail there (500) instead of being refused here. Form values are read
    only for views that take forms (CSRF-protected): the API and CDS Hooks views read their
    bodies themselves and refuse bad input there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        form = request.method == "POST" and not getattr(view, "csrf_exempt", False)
        if "\x00" in request.path or has_nul(request.GET) or (form and has_nul(request.POST)):
            return bad_request(request, NUL_MESSAGE)
        return None


class PatientDataResponses:
    """Responses that may carry patient data: their reads are audited, and no cache keeps them.

    A request that read a patient's data (``audit.log.reading``, called where patient-scoped
    views get their patient) gets its view entry here unless the view recorded one itself. Every
    such response, and every response to a signed-in user (the records, the audit trail,
    screening candidates, exports all need an account), carries ``Cache-Control: no-store``, so
    neither the browser nor a proxy keeps a copy. Public pages stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        read = bool(patients_read(request))
        if read:
            record_reads(request, response.status_code)
        if read or (
            settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        ):
            patch_cache_control(response, no_store=True)
        return response
