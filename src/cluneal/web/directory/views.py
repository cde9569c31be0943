"""The public directory search: no login, and nothing about the searcher is stored.

The search is a GET form, so it sets no cookie for a visitor and writes no row: no audit
entry, no session, no query log in the database. Only approved listings are read.
"""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cluneal.knowledge.gazetteer import ATTRIBUTION, UnknownPlace
from cluneal.web.directory.models import Listing, Status
from cluneal.web.directory.search import (
    MAX_RADIUS_KM,
    SERVICES,
    UNITS,
    BadSearch,
    Search,
    nearest,
    parse_search,
)

FIELDS = ("q", "lat", "lon", "radius", "unit", "service", "language")
BOTH = "Search by a place or by coordinates, not both: clear one of them."
EMPTY = "Give a place (q) or coordinates (lat and lon)."


def published() -> list[Listing]:
    """Approved listings only: the one query the public pages make."""
    return list(Listing.objects.filter(status=Status.APPROVED))


def _read(request: HttpRequest) -> tuple[Search | None, dict[str, str], tuple[Any, ...]]:
    """The search asked for, or the errors by parameter and any place suggestions."""
    params = {key: request.GET.get(key, "")[:200] for key in FIELDS}
    if params["q"].strip() and (params["lat"].strip() or params["lon"].strip()):
        return None, {"lat": BOTH}, ()
    try:
        return parse_search(params), {}, ()
    except BadSearch as exc:
        return None, exc.errors, ()
    except UnknownPlace as exc:
        return None, {"q": exc.message}, exc.suggestions


def _wider(search: Search, beyond_km: float) -> float:
    """A radius that reaches the nearest listing, rounded up to a tidy number."""
    needed = beyond_km / UNITS[search.unit] * 1.05
    step = 10 ** max(0, math.floor(math.log10(needed)) - 1)
    return min(math.ceil(needed / step) * step, math.floor(MAX_RADIUS_KM / UNITS[search.unit]))


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    search, errors, suggestions = _read(request)
    listings = published()
    languages = sorted(
        {lang.casefold(): lang for item in listings for lang in item.languages}.values(),
        key=str.casefold,
    )
    context: dict[str, Any] = {
        "params": {key: request.GET.get(key, "")[:200] for key in FIELDS},
        "services": SERVICES,
        "languages": languages,
        "errors": errors,
        "suggestions": suggestions,
        "search": search,
        "attribution": ATTRIBUTION,
    }
    if search is not None:
        found, beyond = nearest(listings, search)
        context["results"] = [(item, search.distance(km)) for item, km in found]
        if beyond is not None:
            context["beyond"] = search.distance(beyond)
            context["wider"] = _wider(search, beyond)
    return render(request, "directory/search.html", context, status=400 if errors else 200)


@require_GET
def search_json(request: HttpRequest) -> JsonResponse:
    """``GET /directory/search.json``: the same search as the page, as JSON (docs/directory.md)."""
    search, errors, suggestions = _read(request)
    if search is None:
        body: dict[str, Any] = {
            "format": "cluneal-problems/1",
            "detail": "the search cannot be run",
            "problems": [
                {"path": field, "message": text} for field, text in (errors or {"q": EMPTY}).items()
            ],
        }
        if suggestions:
            body["suggestions"] = [p.query for p in suggestions]
        return JsonResponse(body, status=400)
    found, beyond = nearest(published(), search)
    return JsonResponse(
        {
            "origin": {
                "label": search.origin,
                "latitude": search.latitude,
                "longitude": search.longitude,
                "other_places_with_this_name": [p.query for p in search.namesakes],
            },
            "radius": search.radius,
            "unit": search.unit,
            "results": [_as_json(item, km, search) for item, km in found],
            "nearest_beyond": None if beyond is None else search.distance(beyond),
            "attribution": ATTRIBUTION,
        }
    )


def _as_json(item: Listing, km: float, search: Search) -> dict[str, Any]:
    return {
        "name": item.display_name,
        "specialty": item.specialty,
        "services": item.services,
        "languages": item.languages,
        "city": item.city,
        "country": item.country,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "distance": search.distance(km),
        "contact": item.contact_url,
        "note": item.note,
    }
