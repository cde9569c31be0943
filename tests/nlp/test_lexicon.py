"""The lexicon is read as strictly as the rest of the knowledge pack."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.knowledge.reader import Invalid
from cluneal.nlp.lexicon import default_lexicon, parse_lexicon

CONCEPTS = {
    "low_back_pain",
    "buttock_pain",
    "groin_pain",
    "leg_symptoms",
    "iliac_crest_tenderness",
    "psis_tenderness",
    "radiation_on_pressure",
    "cluneal_entrapment",
    "cluneal_block",
    "sacroiliac_joint_pain",
    "radiculopathy",
    "lumbar_fusion",
    "iliac_crest_bone_graft",
    "red_flag",
}


@pytest.fixture
def raw() -> dict[str, Any]:
    data = resources.files("cluneal.knowledge").joinpath("data", "lexicon.json")
    return json.loads(data.read_text(encoding="utf-8"))


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as exc:
        parse_lexicon(raw, set(default_pack().sources))
    return [f"{p.path}: {p.message}" for p in exc.value.problems]


def test_it_has_every_concept_with_its_sources() -> None:
    lexicon = default_lexicon()
    assert {c.id for c in lexicon.concepts} == CONCEPTS
    assert all(c.sources for c in lexicon.concepts)


def test_it_keeps_the_common_abbreviations_and_misspellings() -> None:
    terms = {t for c in default_lexicon().concepts for t in c.terms}
    assert {"lbp", "clunealgia", "tinel's", "icbg", "sacroilitis", "sij pain"} <= terms


def test_it_rejects_a_second_top_level_key(raw: dict[str, Any]) -> None:
    raw["extra"] = {}
    assert "extra: unknown field" in problems(raw)


def test_it_rejects_an_unknown_concept_field(raw: dict[str, Any]) -> None:
    raw["lexicon"]["concepts"][0]["synonym"] = ["x"]
    assert "lexicon.concepts[0].synonym: unknown field" in problems(raw)


def test_it_rejects_an_unknown_source(raw: dict[str, Any]) -> None:
    raw["lexicon"]["concepts"][0]["sources"] = ["NOPE"]
    assert "lexicon.concepts[0].sources[0]: unknown source id 'NOPE'" in problems(raw)


def test_it_rejects_a_bad_sequence_item_and_an_unknown_class(raw: dict[str, Any]) -> None:
    raw["lexicon"]["concepts"][0]["sequences"] = [["pain", "~x"], ["@nothing", "back"]]
    found = problems(raw)
    assert any(p.startswith("lexicon.concepts[0].sequences[0][1]: must be") for p in found)
    assert "lexicon.concepts[0].sequences[1][0]: unknown word class 'nothing'" in found


def test_it_rejects_a_bad_context_category(raw: dict[str, Any]) -> None:
    raw["lexicon"]["context"][0]["category"] = "MAYBE"
    assert any(p.startswith("lexicon.context[0].category: must be one of") for p in problems(raw))


def test_it_rejects_upper_case_terms_and_duplicate_ids(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    bad["lexicon"]["concepts"][0]["terms"].append("LBP")
    bad["lexicon"]["concepts"].append(copy.deepcopy(raw["lexicon"]["concepts"][0]))
    found = problems(bad)
    assert any("must be lower case" in p for p in found)
    assert any("duplicate id 'low_back_pain'" in p for p in found)


def test_it_reads_with_the_packs_own_source_refs(raw: dict[str, Any]) -> None:
    """As the knowledge loader will: ``read_lexicon(node("lexicon"), refs)`` then ``check``."""
    from cluneal.knowledge.reader import Node, Problems
    from cluneal.knowledge.sections import SourceRefs
    from cluneal.nlp.lexicon import read_lexicon

    problems = Problems(file="lexicon.json")
    refs = SourceRefs()
    lexicon = read_lexicon(Node(raw["lexicon"], "lexicon", problems), refs)
    refs.check(set(default_pack().sources))
    assert problems.found == [] and lexicon is not None
    assert lexicon == default_lexicon()
