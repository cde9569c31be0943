"""Knowledge packs: the default one, site packs that extend it, thresholds changed with
``with_settings`` or ``CLUNEAL_KNOWLEDGE``, and the strict loader's errors (file and JSON path).

Expected values come from case-format.md ("Defaults below are the knowledge pack's; each is
configurable and the assessment names the one used") and from the block definitions:
relief50 (>= 50 %), gautam2022 (>= 50 %, measured at >= 120 min when known), kiral2024 (>= 70 %,
measured at >= 60 min when known), iwamoto (> 75 % strictly, measured within 120 min when known).
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cluneal.core import assess, assess_json, parse_case
from cluneal.knowledge.loader import (
    PackError,
    active_pack,
    default_pack,
    load_pack,
    with_settings,
)

FORMAT = "cluneal-case/1"


def default_section(file: str, key: str) -> Any:
    text = resources.files("cluneal.knowledge").joinpath("data", file).read_text(encoding="utf-8")
    return copy.deepcopy(json.loads(text)[key])


def write(tmp_path: Path, content: Any, name: str = "site.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def site(**extra: Any) -> dict[str, Any]:
    return {"extends": "cluneal-default", "name": "site-x", "version": "1", **extra}


def one_block_case(before: int, after: int, minutes: float | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "date": "2026-10-01",
        "nerve": "scn",
        "side": "left",
        "nrs_before": before,
        "nrs_after": after,
    }
    if minutes is not None:
        block["minutes_after"] = minutes
    return {"format": FORMAT, "blocks": [block]}


def scn_left(assessment: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [n for n in assessment["nerves"] if n["nerve"] == "scn" and n["side"] == "left"]
    return entry


def status(data: dict[str, Any], pack: Any) -> str:
    result: str = scn_left(assess_json(data, pack))["status"]
    return result


def problem_paths(caught: pytest.ExceptionInfo[PackError]) -> list[str]:
    return [p.path for p in caught.value.problems]


# A block with 60 % relief measured 90 minutes after the injection.
SIXTY = one_block_case(10, 4, minutes=90)


# -- the default pack ----------------------------------------------------------------------------


def test_the_default_pack_loads_with_the_documented_defaults():
    pack = default_pack()
    assert pack.name == "cluneal-default"
    assert pack.version
    assert tuple(pack.settings.scn_window_mm) == (50, 90)
    assert tuple(pack.settings.mcn_window_mm) == (0, 40)
    assert pack.settings.block_definition == "relief50"


def test_the_default_pack_carries_the_cited_sources():
    sources = default_pack().sources
    for sid in ("S1", "S14", "E7", "E10"):
        assert sid in sources
        assert sources[sid].citation.strip()


def test_active_pack_without_the_variable_is_the_default():
    assert active_pack(environ={}) is default_pack()


def test_active_pack_with_a_blank_variable_is_the_default():
    assert active_pack(environ={"CLUNEAL_KNOWLEDGE": "  "}) is default_pack()


# -- block definitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "before", "after", "minutes", "expected"),
    [
        ("relief50", 10, 4, 90, "confirmed"),  # 60 %
        ("relief50", 10, 5, 1, "confirmed"),  # 50 %, timing irrelevant
        ("relief50", 7, 4, None, "unlikely"),  # 42.9 %
        ("gautam2022", 10, 5, 120, "confirmed"),  # 50 % at 2 h
        ("gautam2022", 10, 5, 119, "unlikely"),  # measured too early
        ("gautam2022", 10, 5, None, "confirmed"),  # timing unknown: relief alone
        ("gautam2022", 10, 6, 180, "unlikely"),  # 40 %
        ("kiral2024", 10, 3, 60, "confirmed"),  # 70 % at 1 h
        ("kiral2024", 10, 3, 59, "unlikely"),  # too early
        ("kiral2024", 10, 3, None, "confirmed"),  # timing unknown
        ("kiral2024", 10, 4, 90, "unlikely"),  # 60 %
        ("kiral2024", 10, 4, None, "unlikely"),  # 60 %
        ("iwamoto", 4, 1, 30, "unlikely"),  # exactly 75 %: not > 75 %
        ("iwamoto", 10, 2, 30, "confirmed"),  # 80 %
        ("iwamoto", 10, 2, 120, "confirmed"),  # within 2 h
        ("iwamoto", 10, 2, 121, "unlikely"),  # after 2 h
        ("iwamoto", 10, 2, None, "confirmed"),  # timing unknown
    ],
)
def test_each_block_definition_decides_whether_a_block_is_positive(
    definition, before, after, minutes, expected
):
    pack = with_settings(default_pack(), {"block_definition": definition})
    assert status(one_block_case(before, after, minutes), pack) == expected


def test_with_settings_changes_the_scn_window():
    pack = with_settings(default_pack(), {"scn_window_mm": (60, 80)})
    exam = {"tender": True, "reproduces_complaint": True}
    for distance, expected in [
        (55, "unlikely"),
        (60, "suspected"),
        (80, "suspected"),
        (85, "unlikely"),
    ]:
        data = {"format": FORMAT, "exam": {"left": {"scn": {**exam, "distance_mm": distance}}}}
        assert status(data, pack) == expected, distance
    assert assess_json({"format": FORMAT}, pack)["knowledge"]["scn_window_mm"] == [60, 80]


def test_with_settings_leaves_the_default_pack_unchanged():
    with_settings(default_pack(), {"block_definition": "kiral2024"})
    assert status(SIXTY, default_pack()) == "confirmed"


@pytest.mark.parametrize(
    "changes",
    [
        {"block_definition": "kiral2025"},
        {"scn_window_mm": (90, 60)},
        {"scn_window_mm": (60,)},
        {"no_such_setting": 1},
    ],
)
def test_with_settings_rejects_a_bad_setting(changes):
    with pytest.raises(PackError) as caught:
        with_settings(default_pack(), changes)
    assert caught.value.problems


# -- a site pack: kiral2024 turns a 60 % block from confirmed to unlikely ------------------------


def test_a_60_percent_block_is_confirmed_with_the_default_pack():
    assert status(SIXTY, default_pack()) == "confirmed"


def test_a_site_pack_with_kiral2024_makes_a_60_percent_block_unlikely(tmp_path):
    pack = load_pack(write(tmp_path, site(settings={"block_definition": "kiral2024"})))
    assert status(SIXTY, pack) == "unlikely"


def test_a_site_pack_setting_may_be_given_as_an_object(tmp_path):
    settings = {"block_definition": {"value": "kiral2024"}}
    pack = load_pack(write(tmp_path, site(settings=settings)))
    assert status(SIXTY, pack) == "unlikely"


def test_the_assessment_names_the_site_pack_its_version_and_block_definition(tmp_path):
    pack = load_pack(write(tmp_path, site(settings={"block_definition": "kiral2024"})))
    knowledge = assess(parse_case(SIXTY), pack).to_json()["knowledge"]
    assert knowledge["version"] == "1"
    assert "site-x" in knowledge.values()
    assert "70%" in knowledge["block_positive"]
    # settings merge key by key: the windows stay the default's
    assert knowledge["scn_window_mm"] == [50, 90]
    assert knowledge["mcn_window_mm"] == [0, 40]


def test_the_site_pack_is_used_through_cluneal_knowledge(tmp_path):
    path = write(tmp_path, site(settings={"block_definition": "kiral2024"}), "env-site.json")
    pack = active_pack(environ={"CLUNEAL_KNOWLEDGE": str(path)})
    assert pack.name == "site-x"
    assert pack.version == "1"
    assert status(SIXTY, pack) == "unlikely"
    knowledge = assess_json(SIXTY, pack)["knowledge"]
    assert knowledge["version"] == "1"
    assert "site-x" in knowledge.values()
    assert "70%" in knowledge["block_positive"]


def test_a_site_pack_without_settings_keeps_the_default_thresholds(tmp_path):
    pack = load_pack(write(tmp_path, site()))
    assert status(SIXTY, pack) == "confirmed"
    assert assess_json(SIXTY, pack)["knowledge"]["version"] == "1"


def test_a_site_pack_window_setting_changes_the_status(tmp_path):
    pack = load_pack(write(tmp_path, site(settings={"mcn_window_mm": [0, 35]})))
    exam = {"tender": True, "distance_mm": 38, "reproduces_complaint": True}
    data = {"format": FORMAT, "exam": {"left": {"mcn": exam}}}
    a = assess_json(data, pack)
    (mcn,) = [n for n in a["nerves"] if n["nerve"] == "mcn" and n["side"] == "left"]
    assert mcn["status"] == "unlikely"
    assert a["knowledge"]["mcn_window_mm"] == [0, 35]
    assert a["knowledge"]["scn_window_mm"] == [50, 90]


def test_a_site_pack_section_replaces_the_defaults(tmp_path):
    sets = default_section("criteria.json", "criteria_sets")
    kuniya = [s for s in sets if s["id"] == "kuniya2014_scn"]
    pack = load_pack(write(tmp_path, site(criteria_sets=kuniya)))
    ids = {c["id"] for c in assess_json({"format": FORMAT}, pack)["criteria"]}
    assert ids == {"kuniya2014_scn"}


# -- strict loader errors: each names the file and the JSON path ---------------------------------


def test_an_unknown_key_in_a_criteria_item_names_the_file_and_path(tmp_path):
    sets = default_section("criteria.json", "criteria_sets")
    sets[0]["items"][1]["weight"] = 2
    path = write(tmp_path, site(criteria_sets=sets))
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problems = caught.value.problems
    assert [p.path for p in problems] == ["criteria_sets[0].items[1].weight"]
    assert problems[0].file == str(path)


def test_an_unknown_key_in_a_criteria_set_names_the_file_and_path(tmp_path):
    sets = default_section("criteria.json", "criteria_sets")
    sets[2]["threshold"] = 50
    path = write(tmp_path, site(criteria_sets=sets))
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert problem_paths(caught) == ["criteria_sets[2].threshold"]
    assert caught.value.problems[0].file == str(path)


def test_a_dangling_source_id_names_the_file_and_path(tmp_path):
    sets = default_section("criteria.json", "criteria_sets")
    sets[1]["items"][0]["sources"] = ["S999"]
    path = write(tmp_path, site(criteria_sets=sets))
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].path.startswith("criteria_sets[1].items[0].sources")
    assert "S999" in problems[0].message
    assert problems[0].file == str(path)


def test_a_dangling_source_id_on_a_set_names_the_file_and_path(tmp_path):
    sets = default_section("criteria.json", "criteria_sets")
    sets[3]["sources"] = ["S14", "E999"]
    path = write(tmp_path, site(criteria_sets=sets))
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].path.startswith("criteria_sets[3].sources")
    assert "E999" in str(problems[0])
    assert problems[0].file == str(path)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda s: s[0].update(nerve="icn"), "criteria_sets[0].nerve"),
        (lambda s: s[1]["items"][2].update(check="palpation"), "criteria_sets[1].items[2].check"),
    ],
    ids=["nerve", "check"],
)
def test_a_bad_enum_value_names_the_file_and_path(tmp_path, change, path):
    sets = default_section("criteria.json", "criteria_sets")
    change(sets)
    file = write(tmp_path, site(criteria_sets=sets))
    with pytest.raises(PackError) as caught:
        load_pack(file)
    assert problem_paths(caught) == [path]
    assert caught.value.problems[0].file == str(file)


def test_an_unknown_block_definition_setting_names_the_file_and_path(tmp_path):
    file = write(tmp_path, site(settings={"block_definition": "kiral2025"}))
    with pytest.raises(PackError) as caught:
        load_pack(file)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].path.startswith("settings.block_definition")
    assert problems[0].file == str(file)


def test_an_unknown_section_names_the_file_and_path(tmp_path):
    file = write(tmp_path, site(thresholds={"x": 1}))
    with pytest.raises(PackError) as caught:
        load_pack(file)
    assert problem_paths(caught) == ["thresholds"]
    assert caught.value.problems[0].file == str(file)


def test_invalid_json_names_the_file_and_the_line(tmp_path):
    text = '{\n  "extends": "cluneal-default",\n  "name": "site-x",,\n  "version": "1"\n}\n'
    file = write(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_pack(file)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].file == str(file)
    assert "line 3" in str(problems[0])
    assert str(file) in str(caught.value)


@pytest.mark.parametrize("missing", ["name", "version"])
def test_a_site_pack_that_extends_must_name_itself(tmp_path, missing):
    data = site(settings={"block_definition": "kiral2024"})
    del data[missing]
    file = write(tmp_path, data)
    with pytest.raises(PackError) as caught:
        load_pack(file)
    assert problem_paths(caught) == [missing]
    assert caught.value.problems[0].file == str(file)


def test_a_site_pack_without_name_and_version_lists_both(tmp_path):
    file = write(tmp_path, {"extends": "cluneal-default"})
    with pytest.raises(PackError) as caught:
        load_pack(file)
    assert sorted(problem_paths(caught)) == ["name", "version"]
    assert {p.file for p in caught.value.problems} == {str(file)}


def test_a_bad_site_pack_in_cluneal_knowledge_is_an_error(tmp_path):
    file = write(tmp_path, site(settings={"block_definition": "nope"}), "bad-env.json")
    with pytest.raises(PackError) as caught:
        active_pack(environ={"CLUNEAL_KNOWLEDGE": str(file)})
    assert caught.value.problems[0].file == str(file)
