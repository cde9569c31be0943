"""Error answers shared by every page: the API's are JSON, the site's are its own pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.defaults import page_not_found

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """404: ``{"detail": "not found"}`` under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "not found"}, status=404)
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 with ``message``: JSON ``{"detail": message}`` under /api/, plain text elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
