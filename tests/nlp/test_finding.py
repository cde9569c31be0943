"""The ``cluneal-notes/1`` document: every field of every finding, as its schema says."""

from __future__ import annotations

import jsonschema
import pytest

from cluneal.nlp.finding import NOTES, Finding, notes_document

FINDING = Finding(
    concept="low_back_pain",
    text="Lumbago",
    start=0,
    end=7,
    side=None,
    negated=False,
    historical=False,
    hypothetical=False,
    uncertain=True,
    family=False,
    section=None,
)


def test_the_document_lists_each_finding_with_every_field_null_included() -> None:
    assert notes_document([FINDING]) == {
        "format": "cluneal-notes/1",
        "findings": [
            {
                "concept": "low_back_pain",
                "text": "Lumbago",
                "start": 0,
                "end": 7,
                "side": None,
                "negated": False,
                "historical": False,
                "hypothetical": False,
                "uncertain": True,
                "family": False,
                "section": None,
            }
        ],
    }


def test_the_document_fits_the_schema_the_api_publishes() -> None:
    schema = NOTES.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(notes_document([FINDING]), schema)
    jsonschema.validate(notes_document([]), schema)


def test_the_schema_refuses_an_unknown_side() -> None:
    bad = notes_document([FINDING])
    bad["findings"][0]["side"] = "middle"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, NOTES.schema())
