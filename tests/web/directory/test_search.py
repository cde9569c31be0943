"""Reading a search from its parameters and ranking listings, without a database."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from cluneal.knowledge.gazetteer import UnknownPlace
from cluneal.web.directory.search import BadSearch, Search, nearest, parse_search


@dataclass
class Spot:
    name: str
    latitude: float
    longitude: float
    services: list[str] = field(default_factory=lambda: ["scn_block"])
    languages: list[str] = field(default_factory=lambda: ["English"])


def errors_of(params: dict[str, str]) -> dict[str, str]:
    with pytest.raises(BadSearch) as caught:
        parse_search(params)
    return caught.value.errors


def test_nothing_asked_is_no_search():
    assert parse_search({}) is None
    assert parse_search({"radius": "50", "unit": "mi"}) is None


def test_a_place_search_starts_at_the_town_with_100_km_by_default():
    search = parse_search({"q": "Margate, UK"})
    assert search is not None
    assert (round(search.latitude, 2), round(search.longitude, 2)) == (51.38, 1.39)
    assert search.radius_km == 100
    assert search.origin == "Margate, England, United Kingdom"


def test_miles_are_converted_at_1_609344_km():
    search = parse_search({"q": "Boston", "radius": "10", "unit": "mi"})
    assert search is not None
    assert search.radius_km == pytest.approx(16.09344)
    assert search.distance(16.09344) == 10.0


@pytest.mark.parametrize(
    ("params", "lat", "lon"),
    [
        ({"lat": "42.36", "lon": "-71.06"}, 42.36, -71.06),
        ({"lat": "-90", "lon": "180"}, -90.0, 180.0),
        ({"q": "51.38, 1.39"}, 51.38, 1.39),
        ({"q": "-33.9 151.2"}, -33.9, 151.2),
    ],
)
def test_coordinates_are_read_from_lat_and_lon_or_from_the_query(params, lat, lon):
    search = parse_search(params)
    assert search is not None
    assert (search.latitude, search.longitude) == (lat, lon)
    assert search.place is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "91", "lon": "0"}, "lat"),
        ({"lat": "-90.5", "lon": "0"}, "lat"),
        ({"lat": "0", "lon": "180.01"}, "lon"),
        ({"lat": "north", "lon": "0"}, "lat"),
        ({"lat": "nan", "lon": "0"}, "lat"),
        ({"lat": "0", "lon": "inf"}, "lon"),
        ({"lat": "10"}, "lon"),
        ({"lon": "10"}, "lat"),
        ({"q": "95, 10"}, "q"),
        ({"q": "Boston", "radius": "0"}, "radius"),
        ({"q": "Boston", "radius": "-5"}, "radius"),
        ({"q": "Boston", "radius": "far"}, "radius"),
        ({"q": "Boston", "radius": "nan"}, "radius"),
        ({"q": "Boston", "radius": "20041"}, "radius"),
        ({"q": "Boston", "radius": "12453", "unit": "mi"}, "radius"),
        ({"q": "Boston", "unit": "parsec"}, "unit"),
        ({"q": "Boston", "service": "acupuncture"}, "service"),
    ],
)
def test_bad_parameters_are_named(params, field):
    assert field in errors_of(params)


def test_every_bad_parameter_is_reported_at_once():
    assert set(errors_of({"lat": "100", "lon": "200", "radius": "-1"})) == {"lat", "lon", "radius"}


def test_the_whole_earth_is_an_acceptable_radius():
    search = parse_search({"q": "Boston", "radius": "20040"})
    assert search is not None and search.radius_km == 20040


def test_an_unknown_place_is_reported_as_such():
    with pytest.raises(UnknownPlace):
        parse_search({"q": "Narnia"})


def _search(**kwargs: object) -> Search:
    values: dict[str, object] = {
        "latitude": 0.0,
        "longitude": 0.0,
        "origin": "0, 0",
        "radius": 200.0,
        "unit": "km",
        "service": "",
        "language": "",
    }
    values.update(kwargs)
    return Search(**values)  # type: ignore[arg-type]


# Points due north of (0, 0): one degree of latitude is pi * R / 180 = 111.195 km.
DEGREE_KM = math.pi * 6371.0088 / 180


def test_listings_are_ranked_by_distance_and_cut_at_the_radius():
    spots = [Spot("far", 1.5, 0), Spot("near", 0.5, 0), Spot("outside", 2.0, 0)]
    found, beyond = nearest(spots, _search())
    assert [(s.name, round(km, 3)) for s, km in found] == [
        ("near", round(0.5 * DEGREE_KM, 3)),
        ("far", round(1.5 * DEGREE_KM, 3)),
    ]
    assert beyond is None


def test_when_nothing_is_within_the_radius_the_nearest_distance_is_given():
    found, beyond = nearest([Spot("a", 3, 0), Spot("b", 5, 0)], _search(radius=100.0))
    assert found == []
    assert beyond == pytest.approx(3 * DEGREE_KM)


def test_service_and_language_filter_the_listings():
    spots = [
        Spot("blocks", 0.1, 0, services=["scn_block"], languages=["English", "French"]),
        Spot("surgery", 0.2, 0, services=["surgical_release"], languages=["English"]),
    ]
    by_service, _ = nearest(spots, _search(service="surgical_release"))
    by_language, _ = nearest(spots, _search(language="french"))
    assert [s.name for s, _ in by_service] == ["surgery"]
    assert [s.name for s, _ in by_language] == ["blocks"]


def test_distances_are_shown_to_a_tenth_below_10_and_whole_above():
    search = _search(unit="km")
    assert search.distance(3.14159) == 3.1
    assert search.distance(123.6) == 124.0
