"""Every code in the pack cites a source, and every ICD-10-CM code and title is the official one.

The ICD-10-CM check reads the CDC's tabular list (FY 2026, April 1 2026 update), shipped as XML
in the ``simple-icd-10-cm`` package: source S119 of the pack.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
import simple_icd_10_cm as icd

from cluneal.knowledge.loader import PackError, default_pack, load_pack

PACK = default_pack()
CODES = [(cl.id, c) for cl in PACK.code_lists.values() for c in cl.codes]
ICD = [(lid, c) for lid, c in CODES if c.system == "icd10cm"]


def test_the_tabular_list_is_the_release_the_pack_cites():
    data = resources.files("simple_icd_10_cm").joinpath("data")
    assert data.joinpath("icd10c-tabular-April-1-2026.xml").is_file()
    assert "ICD-10-CM" in PACK.sources["S119"].citation
    assert PACK.sources["S119"].added_by_project


@pytest.mark.parametrize(("list_id", "code"), CODES, ids=lambda x: getattr(x, "code", x))
def test_every_code_cites_a_source_the_pack_holds(list_id, code):
    assert code.sources, f"{list_id} {code.code}"
    assert all(s in PACK.sources for s in code.sources)


@pytest.mark.parametrize(("list_id", "code"), ICD, ids=lambda x: getattr(x, "code", x))
def test_every_icd10cm_code_is_in_the_tabular_list(list_id, code):
    if code.status == "retired":
        assert not icd.is_leaf(code.code), f"{code.code} is still a billable code"
    assert icd.is_valid_item(code.code), f"{list_id}: {code.code} is no ICD-10-CM code"


def _plain(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().lower()


@pytest.mark.parametrize(("list_id", "code"), ICD, ids=lambda x: getattr(x, "code", x))
def test_every_icd10cm_title_is_the_official_one(list_id, code):
    assert code.display is not None
    assert _plain(code.display) == _plain(icd.get_description(code.code)), list_id


@pytest.mark.parametrize(("list_id", "code"), ICD, ids=lambda x: getattr(x, "code", x))
def test_a_code_has_descendants_exactly_when_the_tabular_list_gives_it_children(list_id, code):
    if code.descendants:
        assert not icd.is_leaf(code.code), f"{code.code} has no code below it"


def test_the_red_flag_lists_cover_the_codes_the_rule_names():
    from cluneal.interop.fhir_codes import CodeIndex, Facts

    index = CodeIndex.of(PACK)

    def listed(code: str, lists: tuple[str, ...]) -> bool:
        key = ("icd10cm", code.replace(".", ""))
        return index.coded(lists, Facts((key,), {key: code}, "", "")) is not None

    rules = {r.id: r.match.code_lists for r in PACK.red_flag_rules.rules}
    named = {
        "cauda_equina_syndrome": ["G83.4"],
        "spinal_infection": ["M46.20", "M46.36", "M46.47", "M46.58", "G06.1", "A18.01"],
        "spinal_malignancy": ["C41.2", "C79.51", "C79.52", "C90.00", "C90.32"],
        "active_malignancy": ["C34.90", "C50.911", "C61", "C18.9", "Z51.11"],
        "vertebral_fracture": ["S32.010A", "S22.000A", "M48.56XA", "M80.08XA", "S32.10XA"],
        "neurological_deficit": ["G95.20", "G95.29", "M21.371"],
    }
    for rule, codes in named.items():
        for code in codes:
            assert icd.is_valid_item(code), code
            assert listed(code, rules[rule]), (rule, code)
    # what the rule leaves out: non-melanoma skin cancer, sacroiliitis, a low back pain code
    for code in ("C44.91", "M46.1", "M54.50"):
        assert not any(listed(code, lists) for lists in rules.values()), code


def test_the_loader_refuses_a_code_without_a_source(tmp_path):
    raw = json.loads(resources.files("cluneal.knowledge").joinpath("data/codes.json").read_text())
    raw["code_lists"][0]["codes"][0]["sources"] = []
    site = tmp_path / "site.json"
    site.write_text(json.dumps({"extends": "cluneal-default", "name": "s", "version": "1", **raw}))
    with pytest.raises(PackError, match=r"code_lists\[0\]\.codes\[0\]\.sources: must cite"):
        load_pack(site)


def test_the_loader_refuses_descendants_outside_icd10cm(tmp_path):
    raw = json.loads(resources.files("cluneal.knowledge").joinpath("data/codes.json").read_text())
    snomed = next(
        (i, j)
        for i, cl in enumerate(raw["code_lists"])
        for j, c in enumerate(cl["codes"])
        if c["system"] == "snomedct"
    )
    raw["code_lists"][snomed[0]]["codes"][snomed[1]]["descendants"] = True
    site = tmp_path / "site.json"
    site.write_text(json.dumps({"extends": "cluneal-default", "name": "s", "version": "1", **raw}))
    with pytest.raises(PackError, match="only ICD-10-CM codes have descendants"):
        load_pack(site)
