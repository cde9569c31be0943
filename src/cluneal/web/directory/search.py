"""A directory search: where from, how far, which service and language; ranked by distance.

Plain Python (no Django), so that the HTML page and the JSON endpoint read their parameters
the same way and the rules are tested without a database. Nothing here records the search.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cluneal.knowledge.gazetteer import KM_PER_MILE, Place, UnknownPlace, haversine_km, resolve

#: What a listed clinician offers (issue 7): codes stored on listings, labels shown to people.
SERVICES: tuple[tuple[str, str], ...] = (
    ("scn_block", "Superior cluneal nerve (SCN) block"),
    ("mcn_block", "Middle cluneal nerve (MCN) block"),
    ("ultrasound_block", "Ultrasound-guided block"),
    ("surgical_release", "Surgical release"),
    ("radiofrequency", "Radiofrequency"),
)
SERVICE_LABELS = dict(SERVICES)
UNITS = {"km": 1.0, "mi": KM_PER_MILE}
#: In the unit chosen: 100 km, or 100 miles.
DEFAULT_RADIUS = 100.0
#: Half the Earth's circumference: every place on Earth is within this distance.
MAX_RADIUS_KM = 20_040.0
MAX_RESULTS = 50
_COORDINATES = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")


class BadSearch(ValueError):
    """Parameters that cannot be searched; ``errors`` maps each parameter to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Search:
    latitude: float
    longitude: float
    origin: str  # what the results are near, in words
    radius: float  # in ``unit``
    unit: str
    service: str
    language: str
    place: Place | None = None
    namesakes: tuple[Place, ...] = ()

    @property
    def radius_km(self) -> float:
        return self.radius * UNITS[self.unit]

    def distance(self, km: float) -> float:
        """A distance in the search's unit, rounded the way it is shown."""
        value = km / UNITS[self.unit]
        return round(value, 1) if value < 10 else float(round(value))


class Located(Protocol):
    latitude: float
    longitude: float
    services: list[str]
    languages: list[str]


L = TypeVar("L", bound=Located)


def parse_search(params: Mapping[str, str]) -> Search | None:
    """Read a search from query parameters; ``None`` when no place was asked for yet.

    ``q`` is a place name or "lat, lon"; ``lat`` and ``lon`` give coordinates directly;
    ``radius`` and ``unit`` (km or mi) the distance; ``service`` and ``language`` filter.
    Raises :class:`BadSearch` naming every bad parameter, or :class:`UnknownPlace`.
    """
    errors: dict[str, str] = {}
    unit = params.get("unit", "").strip() or "km"
    if unit not in UNITS:
        errors["unit"] = "Choose km or mi."
        unit = "km"
    radius = _radius(params.get("radius", ""), unit, errors)
    service = params.get("service", "").strip()
    if service and service not in SERVICE_LABELS:
        errors["service"] = "Choose one of the listed services."
    language = params.get("language", "").strip()[:40]
    point = _point(params, errors)
    if errors:
        raise BadSearch(errors)
    query = params.get("q", "").strip()[:200]
    if point is not None:
        lat, lon = point
        return Search(lat, lon, f"{lat:.4f}, {lon:.4f}", radius, unit, service, language)
    if not query:
        return None
    found = resolve(query)
    place = found.place
    return Search(
        place.latitude,
        place.longitude,
        place.label,
        radius,
        unit,
        service,
        language,
        place=place,
        namesakes=found.namesakes,
    )


def _radius(text: str, unit: str, errors: dict[str, str]) -> float:
    text = text.strip()
    if not text:
        return DEFAULT_RADIUS
    limit = round(MAX_RADIUS_KM / UNITS[unit])
    try:
        radius = float(text)
    except ValueError:
        errors["radius"] = f"Enter a distance in {unit}, a number such as 50."
        return 0.0
    if not math.isfinite(radius) or not 0 < radius <= limit:
        errors["radius"] = f"Enter a distance above 0 and at most {limit:,} {unit}."
    return radius


def _point(params: Mapping[str, str], errors: dict[str, str]) -> tuple[float, float] | None:
    """Coordinates from ``lat`` and ``lon``, or from a query that is a pair of numbers."""
    lat_text, lon_text = params.get("lat", "").strip(), params.get("lon", "").strip()
    if not lat_text and not lon_text:
        pair = _COORDINATES.match(params.get("q", ""))
        if pair is None:
            return None
        lat_text, lon_text = pair.group(1), pair.group(2)
        names = ("q", "q")
    else:
        names = ("lat", "lon")
    lat = _coordinate(lat_text, names[0], "latitude", 90, errors)
    lon = _coordinate(lon_text, names[1], "longitude", 180, errors)
    return None if lat is None or lon is None else (lat, lon)


def _coordinate(
    text: str, field: str, what: str, limit: int, errors: dict[str, str]
) -> float | None:
    try:
        value = float(text)
    except ValueError:
        errors.setdefault(field, f"Enter the {what} in decimal degrees, from -{limit} to {limit}.")
        return None
    if not math.isfinite(value) or not -limit <= value <= limit:
        errors.setdefault(field, f"The {what} must be from -{limit} to {limit} degrees.")
        return None
    return value


def offers(listing: Located, search: Search) -> bool:
    """The listing offers the service and speaks the language asked for (either may be blank)."""
    if search.service and search.service not in listing.services:
        return False
    wanted = search.language.casefold()
    return not wanted or any(lang.casefold() == wanted for lang in listing.languages)


def nearest(listings: Iterable[L], search: Search) -> tuple[list[tuple[L, float]], float | None]:
    """Matching listings within the radius, nearest first, with their distance in km; and,
    when none is within it, how far the nearest match is (so the page can offer a wider
    search). Every listing is measured: a directory of specialists is small."""
    ranked = sorted(
        (
            (listing, haversine_km(search.latitude, search.longitude, *_at(listing)))
            for listing in listings
            if offers(listing, search)
        ),
        key=lambda pair: pair[1],
    )
    within = [pair for pair in ranked if pair[1] <= search.radius_km]
    beyond = ranked[0][1] if ranked and not within else None
    return within[:MAX_RESULTS], beyond


def _at(listing: Located) -> tuple[float, float]:
    return listing.latitude, listing.longitude


__all__ = ["SERVICES", "BadSearch", "Search", "UnknownPlace", "nearest", "parse_search"]
