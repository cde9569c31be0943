"""Error answers shared by every page: the API's are JSON, the site's are its own pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found

#: How much of an over-large body is read and dropped before answering, so that a browser still
#: sending it sees the answer instead of a reset connection; a larger one is left unread.
DRAIN_LIMIT = 64 * 1024 * 1024

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """404: ``{"detail": "not found"}`` under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "not found"}, status=404)
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    """``status`` (400) with ``message``: JSON ``{"detail": message}`` under /api/, plain text
    elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def unreadable_body(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """400 (413 for an over-large one) naming what is wrong with a request body that Django
    refused to read: larger than ``CLUNEAL_MAX_REQUEST_BYTES``, too many fields or files, or a
    malformed multipart body. Nothing was read, so nothing was saved. Any other bad request
    gets Django's page."""
    if isinstance(exception, RequestDataTooBig):
        _drain(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return bad_request(
            request,
            f"The request is over this site's limit of {limit:,} bytes "
            "(CLUNEAL_MAX_REQUEST_BYTES); nothing was saved. Send less at a time.",
            413,
        )
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = f"The form has more than {limit:,} fields; nothing was saved."
    elif isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = f"The form has more than {limit:,} files; nothing was saved."
    elif isinstance(exception, MultiPartParserError):
        message = f"The form's data could not be read ({exception}); nothing was saved."
    else:
        return bad_request_page(request, exception)
    return bad_request(request, message)


def _drain(request: HttpRequest) -> None:
    """Read and drop what is left of the body, up to :data:`DRAIN_LIMIT` (see there)."""
    left = int(request.META.get("CONTENT_LENGTH") or 0)
    if left > DRAIN_LIMIT:
        return
    try:
        while left > 0 and (chunk := request.read(min(65_536, left))):
            left -= len(chunk)
    except OSError:  # the client went away
        pass
