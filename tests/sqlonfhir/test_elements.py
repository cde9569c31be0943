"""The packaged FHIR R4 element table."""

from __future__ import annotations

import pytest

from cluneal.sqlonfhir.elements import Choice, Element, r4

NEEDED = [
    "Patient",
    "Observation",
    "Condition",
    "Procedure",
    "Encounter",
    "ServiceRequest",
    "DocumentReference",
    "MedicationRequest",
    "Practitioner",
]


@pytest.mark.parametrize("resource", NEEDED)
def test_it_holds_the_resources_screening_reads(resource: str) -> None:
    assert resource in r4().resources


def test_it_names_its_source() -> None:
    assert "fhir.resources" in r4().source


def test_elements_have_type_and_cardinality() -> None:
    table = r4()
    assert table.element("Patient", "name") == Element("name", "HumanName", True)
    assert table.element("HumanName", "given") == Element("given", "string", True)
    assert table.element("Patient", "birthDate") == Element("birthDate", "date", False)
    assert table.element("Observation", "issued") == Element("issued", "instant", False)
    assert table.element("Patient", "nothing") is None


def test_choice_elements_list_the_json_key_of_each_type() -> None:
    choice = r4().element("Observation", "value")
    assert isinstance(choice, Choice)
    assert choice.keys["Quantity"] == "valueQuantity"
    assert choice.keys["dateTime"] == "valueDateTime"
    assert r4().element("Observation", "valueString") == Element("valueString", "string", False)


def test_backbone_elements_are_typed_by_their_model() -> None:
    table = r4()
    assert table.element("Patient", "contact") == Element("contact", "PatientContact", True)
    item = table.element("QuestionnaireResponseItemAnswer", "item")
    assert item == Element("item", "QuestionnaireResponseItem", True)
