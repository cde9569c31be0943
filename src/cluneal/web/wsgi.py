"""WSGI entry point for gunicorn (``cluneal serve``) or any other WSGI server.

Requests to the CDS Hooks endpoints (``/cds-services`` and below) go to a second Django handler
built with ``settings.CDS_MIDDLEWARE``, the few middleware they need: an EHR calls them hundreds
of times a second, each call authenticated by its own JWT, and none uses a session, a user, a
message or a CSRF token. Every other request goes through the full ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluneal.web.settings")
CDS_PREFIX = "/cds-services"

django_application = get_wsgi_application()


def _cds_handler() -> Any:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    class CdsHandler(WSGIHandler):
        def load_middleware(self, is_async: bool = False) -> None:
            full = settings.MIDDLEWARE
            settings.MIDDLEWARE = settings.CDS_MIDDLEWARE  # read by Django's loader only
            try:
                super().load_middleware(is_async)
            finally:
                settings.MIDDLEWARE = full

    return CdsHandler()


cds_application = _cds_handler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == CDS_PREFIX or path.startswith(CDS_PREFIX + "/"):
        return cds_application(environ, start_response)  # type: ignore[no-any-return]
    return django_application(environ, start_response)  # type: ignore[no-any-return]
