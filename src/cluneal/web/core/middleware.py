"""Middleware shared by every page: Content-Security-Policy (Django 5.2 has no built-in CSP)
and the refusal of NUL characters in addresses and form values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

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


def _has_nul(data: QueryDict) -> bool:
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
        if "\x00" in request.path or _has_nul(request.GET) or (form and _has_nul(request.POST)):
            return bad_request(request, NUL_MESSAGE)
        return None
