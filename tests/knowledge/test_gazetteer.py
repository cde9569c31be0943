"""Place names resolved offline. Expected coordinates are the towns' well-known positions
(Boston, Massachusetts 42.36 N 71.06 W; Margate, Kent 51.38 N 1.39 E), not the code's output."""

from __future__ import annotations

import math

import pytest

from cluneal.knowledge import gazetteer
from cluneal.knowledge.gazetteer import UnknownPlace, haversine_km, normalise, resolve


def near(place: gazetteer.Place, lat: float, lon: float, tolerance: float = 0.02) -> bool:
    return abs(place.latitude - lat) < tolerance and abs(place.longitude - lon) < tolerance


def test_boston_alone_is_the_most_populous_boston_in_massachusetts():
    found = resolve("Boston")
    assert found.place.country_code == "US"
    assert near(found.place, 42.36, -71.06)
    assert found.place.label == "Boston, Massachusetts, United States"


def test_boston_alone_mentions_the_english_boston_as_a_namesake():
    namesakes = resolve("Boston").namesakes
    assert [(p.country_code, p.region) for p in namesakes] == [("GB", "England")]
    assert near(namesakes[0], 52.98, -0.03)  # Boston, Lincolnshire


def test_margate_uk_is_margate_in_kent():
    place = resolve("Margate, UK").place
    assert place.country_code == "GB"
    assert near(place, 51.38, 1.39)


@pytest.mark.parametrize(
    ("query", "country", "lat", "lon"),
    [
        ("Margate, United Kingdom", "GB", 51.38, 1.39),
        ("Margate, GB", "GB", 51.38, 1.39),
        ("Margate, GBR", "GB", 51.38, 1.39),
        ("Margate, England", "GB", 51.38, 1.39),
        ("margate,  uk ", "GB", 51.38, 1.39),
        ("Margate UK", "GB", 51.38, 1.39),
        ("Margate, Florida", "US", 26.24, -80.21),
        ("Margate, FL", "US", 26.24, -80.21),
        ("Margate, South Africa", "ZA", -30.86, 30.37),
        ("Margate, ZA", "ZA", -30.86, 30.37),
        ("Boston, MA", "US", 42.36, -71.06),
        ("Boston, Massachusetts", "US", 42.36, -71.06),
        ("Boston, MA, USA", "US", 42.36, -71.06),
        ("Boston, U.S.A.", "US", 42.36, -71.06),
        ("Boston, UK", "GB", 52.98, -0.03),
        ("Boston, England", "GB", 52.98, -0.03),
    ],
)
def test_a_qualifier_after_the_comma_picks_the_country_or_state(query, country, lat, lon):
    place = resolve(query).place
    assert place.country_code == country
    assert near(place, lat, lon)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Köln", "Köln"),
        ("Koln", "Köln"),  # accents folded
        ("Cologne", "Köln"),  # an alternate name
        ("SAINT-ÉTIENNE", "Saint-Étienne"),
        ("saint etienne", "Saint-Étienne"),
        ("Sao Paulo, Brazil", "São Paulo"),
    ],
)
def test_accents_case_punctuation_and_alternate_names_do_not_matter(query, name):
    assert resolve(query).place.name == name


def test_a_code_with_two_meanings_uses_the_one_that_has_the_town():
    # "MA" is Morocco and Massachusetts; "CA" is Canada and California.
    assert resolve("Boston, MA").place.region == "Massachusetts"
    assert resolve("London, CA").place.country_code == "CA"


def test_a_country_code_restricts_a_listings_city_to_its_country():
    assert resolve("Margate", "ZA").place.country_code == "ZA"
    assert resolve("Boston", "gb").place.region == "England"
    with pytest.raises(UnknownPlace, match="in France"):
        resolve("Boston", "FR")


def test_an_unknown_town_says_so_and_suggests_near_spellings():
    with pytest.raises(UnknownPlace) as caught:
        resolve("Bostn")
    assert "No place called “Bostn”" in caught.value.message
    assert caught.value.suggestions[0].label == "Boston, Massachusetts, United States"
    assert "Did you mean “Boston, Massachusetts, United States”" in caught.value.message


def test_suggestions_respect_the_country_given():
    with pytest.raises(UnknownPlace) as caught:
        resolve("Margat, UK")
    assert [p.country_code for p in caught.value.suggestions] == ["GB"]


def test_an_unknown_country_is_named_in_the_message():
    with pytest.raises(UnknownPlace, match="No country, US state or UK nation called “Narnia”"):
        resolve("Margate, Narnia")


def test_a_country_alone_asks_for_a_town():
    with pytest.raises(UnknownPlace, match="add a town"):
        resolve("UK")


@pytest.mark.parametrize("query", ["", "   ", ",", " , , "])
def test_an_empty_query_asks_for_a_place(query):
    with pytest.raises(UnknownPlace, match="Enter a place name"):
        resolve(query)


def test_nonsense_suggests_searching_by_coordinates():
    with pytest.raises(UnknownPlace, match="latitude and longitude") as caught:
        resolve("Xqzzyq")
    assert caught.value.suggestions == ()


def test_normalise_folds_accents_case_and_punctuation():
    assert normalise("  Saint-Étienne ") == "saint etienne"
    assert normalise("U.S.A.") == "u s a"
    assert normalise("Straße") == "strasse"


def test_haversine_of_a_quarter_meridian_is_a_quarter_circumference():
    quarter = math.pi * gazetteer.EARTH_RADIUS_KM / 2
    assert haversine_km(0, 0, 90, 0) == pytest.approx(quarter, rel=1e-12)
    assert haversine_km(0, 0, 0, 90) == pytest.approx(quarter, rel=1e-12)


def test_haversine_agrees_with_the_spherical_law_of_cosines():
    # Boston (42.35843, -71.05977) to Margate (51.38132, 1.38617) by the law of cosines.
    p1, p2 = math.radians(42.35843), math.radians(51.38132)
    dl = math.radians(1.38617 - -71.05977)
    central = math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    expected = central * 6371.0088
    assert haversine_km(42.35843, -71.05977, 51.38132, 1.38617) == pytest.approx(expected, 1e-9)
    assert 5200 < expected < 5400  # Boston to east Kent is about 5,300 km


def test_haversine_crosses_the_antimeridian_the_short_way():
    # One degree of longitude on the equator: 2 pi R / 360.
    one_degree = 2 * math.pi * 6371.0088 / 360
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(one_degree, rel=1e-9)


def test_countries_are_listed_by_name_with_their_iso_codes():
    table = dict(gazetteer.countries())
    assert table["GB"] == "United Kingdom"
    assert table["US"] == "United States"
    names = [name for _, name in gazetteer.countries()]
    assert names == sorted(names, key=normalise)
