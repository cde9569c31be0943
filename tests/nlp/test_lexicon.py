"""The lexicon is a knowledge-pack section, read by the same strict loader as the rest."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cluneal.knowledge.loader import PackError, default_pack, load_pack
from cluneal.nlp.pipeline import pipeline

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


def site_pack(tmp_path: Path, raw: dict[str, Any]) -> Path:
    """A site pack that extends the default one with its own lexicon section."""
    path = tmp_path / "site.json"
    site = {"extends": "cluneal-default", "name": "site", "version": "1", **raw}
    path.write_text(json.dumps(site), encoding="utf-8")
    return path


@pytest.fixture
def problems(tmp_path: Path) -> Any:
    def read(raw: dict[str, Any]) -> list[str]:
        path = site_pack(tmp_path, raw)
        with pytest.raises(PackError) as exc:
            load_pack(path)
        assert {p.file for p in exc.value.problems} == {str(path)}
        return [f"{p.path}: {p.message}" for p in exc.value.problems]

    return read


def test_the_default_pack_has_every_concept_with_its_sources() -> None:
    lexicon = default_pack().lexicon
    assert {c.id for c in lexicon.concepts} == CONCEPTS
    assert all(c.sources for c in lexicon.concepts)


def test_it_keeps_the_common_abbreviations_and_misspellings() -> None:
    terms = {t for c in default_pack().lexicon.concepts for t in c.terms}
    assert {"lbp", "clunealgia", "tinel's", "icbg", "sacroilitis", "sij pain"} <= terms


def test_it_rejects_an_unknown_lexicon_key(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["extra"] = {}
    assert "lexicon.extra: unknown field" in problems(raw)


def test_it_rejects_an_unknown_concept_field(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["concepts"][0]["synonym"] = ["x"]
    assert "lexicon.concepts[0].synonym: unknown field" in problems(raw)


def test_it_rejects_an_unknown_source(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["concepts"][0]["sources"] = ["NOPE"]
    assert "lexicon.concepts[0].sources[0]: unknown source id 'NOPE'" in problems(raw)


def test_it_rejects_a_bad_sequence_item_and_an_unknown_class(
    raw: dict[str, Any], problems: Any
) -> None:
    raw["lexicon"]["concepts"][0]["sequences"] = [["pain", "~x"], ["@nothing", "back"]]
    found = problems(raw)
    assert any(p.startswith("lexicon.concepts[0].sequences[0][1]: must be") for p in found)
    assert "lexicon.concepts[0].sequences[1][0]: unknown word class 'nothing'" in found


def test_it_rejects_a_bad_context_category(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["context"][0]["category"] = "MAYBE"
    assert any(p.startswith("lexicon.context[0].category: must be one of") for p in problems(raw))


def test_it_rejects_upper_case_terms_and_duplicate_ids(raw: dict[str, Any], problems: Any) -> None:
    bad = copy.deepcopy(raw)
    bad["lexicon"]["concepts"][0]["terms"].append("LBP")
    bad["lexicon"]["concepts"].append(copy.deepcopy(raw["lexicon"]["concepts"][0]))
    found = problems(bad)
    assert any("must be lower case" in p for p in found)
    assert any("duplicate id 'low_back_pain'" in p for p in found)


def test_a_site_pack_replaces_the_lexicon_and_the_pipeline_uses_it(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    concept = next(c for c in raw["lexicon"]["concepts"] if c["id"] == "buttock_pain")
    concept["terms"].append("sore sit bones")
    pack = load_pack(site_pack(tmp_path, raw))
    assert (
        "sore sit bones" in next(c for c in pack.lexicon.concepts if c.id == "buttock_pain").terms
    )
    text = "She reports sore sit bones after long drives."
    assert [f.concept for f in pipeline(pack).find([text])[0]] == ["buttock_pain"]
    assert pipeline().find([text])[0] == []


def test_a_rule_written_as_an_object_needs_its_reason(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["concepts"][0]["exclusions"] = [{"pattern": ["mid", "back"]}]
    assert "lexicon.concepts[0].exclusions[0].note: is required" in problems(raw)


def test_it_rejects_a_checklist_separator_that_is_no_punctuation(
    raw: dict[str, Any], problems: Any
) -> None:
    raw["lexicon"]["checklist"]["separators"] = [":", "is"]
    assert any(
        p.startswith("lexicon.checklist.separators[1]: must be one of") for p in problems(raw)
    )


def test_a_context_rule_may_name_only_known_concepts(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["context"][0]["concepts"] = ["red_flag", "nothing"]
    assert any(
        p.startswith("lexicon.context[0].concepts[1]: must be one of") for p in problems(raw)
    )


def test_a_concept_with_parts_needs_the_class_of_their_heads(
    raw: dict[str, Any], problems: Any
) -> None:
    del raw["lexicon"]["concepts"][1]["heads"]
    found = problems(raw)
    assert (
        "lexicon.concepts[1].heads: a concept with parts needs the word class of their heads"
        in (found)
    )


def test_the_lists_section_names_known_classes(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["lists"]["joiner"] = "nothing"
    assert "lexicon.lists.joiner: unknown word class 'nothing'" in problems(raw)


def test_a_section_attribute_for_some_concepts_needs_its_reason(
    raw: dict[str, Any], problems: Any
) -> None:
    del raw["lexicon"]["section_attributes"]["plan"]["note"]
    assert "lexicon.section_attributes.plan.note: is required" in problems(raw)


def test_every_rule_written_as_an_object_keeps_its_reason(raw: dict[str, Any]) -> None:
    lexicon = raw["lexicon"]
    rules = [r for r in lexicon["context"] if "pattern" in r or "max_scope" in r]
    rules += lexicon["sections"]
    for concept in lexicon["concepts"]:
        for key in ("sequences", "exclusions", "checklist_items"):
            rules += [r for r in concept.get(key, []) if isinstance(r, dict)]
    added = [r for r in rules if not r.get("note")]
    # the rules written before reasons were kept (plain scopes of medspaCy's defaults)
    assert all(r.get("literal", "") in _SCOPED_BEFORE for r in added), added


_SCOPED_BEFORE = {
    "?",
    "years ago",
    "months ago",
    "in the past",
    "previously",
    "nontender",
    "non-tender",
    "versus",
    "vs",
    "vs.",
    "negative",
    "absent",
    "not present",
    "not tender",
    "planned",
    "in",
}


def test_the_exception_words_come_from_the_lexicon(tmp_path: Path, raw: dict[str, Any]) -> None:
    text = "No tenderness except over the right PSIS."
    assert [f.negated for f in pipeline().find([text])[0]] == [False]
    raw["lexicon"]["exception_words"] = ["other than", "apart from"]
    pack = load_pack(site_pack(tmp_path, raw))
    assert pack.lexicon.exception_words == (("other", "than"), ("apart", "from"))
    assert [f.negated for f in pipeline(pack).find([text])[0]] == [True]
    other = "Nontender to palpation other than at the left PSIS."
    assert [f.negated for f in pipeline(pack).find([other])[0]] == [False]


def test_exception_words_are_lower_case(raw: dict[str, Any], problems: Any) -> None:
    raw["lexicon"]["exception_words"] = ["Except", 3]
    found = problems(raw)
    assert any(p.startswith("lexicon.exception_words[0]: must be lower case") for p in found)
    assert any(p.startswith("lexicon.exception_words[1]: ") for p in found)


def test_a_new_pipeline_leaves_the_collectors_generations(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    import gc

    raw["lexicon"]["exception_words"] = ["except"]  # a pack of its own: a pipeline built anew
    pack = load_pack(site_pack(tmp_path, raw))
    before = gc.get_freeze_count()
    pipeline(pack)
    assert gc.get_freeze_count() > before + 10_000
