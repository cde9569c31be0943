from __future__ import annotations

import base64
import datetime as dt
import re
from collections import Counter
from typing import Any

from cluneal.knowledge.loader import default_pack
from cluneal.screening.synth import KINDS, Summary
from cluneal.screening.synth.kinds import BY_ID, allocate
from cluneal.screening.synth.reading import Export
from cluneal.screening.synth.truth import (
    Facts,
    expected_tier,
    facts_of,
    features_at,
    is_chronic,
    months_before,
)

CPT = "http://www.ama-assn.org/go/cpt"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def _rows(export: Export, kind: str) -> list[dict[str, str]]:
    return [row for row in export.truth if row["kind"] == kind]


def _notes(resources: list[dict[str, Any]]) -> str:
    return "\n".join(
        base64.b64decode(r["content"][0]["attachment"]["data"]).decode()
        for r in resources
        if r["resourceType"] == "DocumentReference"
    )


def _codes(resources: list[dict[str, Any]], rtype: str, system: str) -> set[str]:
    return {
        c["code"]
        for r in resources
        if r["resourceType"] == rtype
        for c in r["code"].get("coding", [])
        if c["system"] == system
    }


def test_the_planted_share_and_kinds_match_truth_csv(export: Export, summary: Summary) -> None:
    kinds = Counter(row["kind"] for row in export.truth)
    assert kinds == summary.kinds
    assert [row["patient_id"] for row in export.truth] == [
        r["id"] for r in export.resources["Patient"]
    ]
    expected = dict(allocate(60, "planted") + allocate(60, "negative"))
    assert {k.id: kinds[k.id] for k in KINDS} == {k.id: expected[k] for k in KINDS}
    assert all(kinds[k.id] > 0 for k in KINDS)
    assert kinds["background"] == 300 - 120 == 300 - summary.planted


def test_each_kind_gets_the_tier_it_is_meant_to(export: Export) -> None:
    for row in export.truth:
        if row["kind"] in BY_ID:
            assert row["expected_tier"] == BY_ID[row["kind"]].tier, row


def test_every_tier_is_represented(summary: Summary) -> None:
    assert set(summary.tiers) == {"high", "medium", "low", "known", "red_flag", "none"}


def test_the_truth_follows_from_the_exported_records(export: Export, as_of: dt.date) -> None:
    pack = default_pack()
    patients = export.by_patient()
    for row in export.truth:
        resources = patients[row["patient_id"]]
        facts = facts_of(resources, pack)
        features = ";".join(sorted(features_at(facts, as_of, pack)))
        if row["kind"] == "known_in_note":
            assert not facts.known and "cluneal nerve entrapment" in _notes(resources).lower()
            facts = Facts(facts.back_pain, facts.features, known=True)
        if row["kind"] == "red_flag_in_note":
            assert not facts.red_flags and "saddle anaesthesia" in _notes(resources).lower()
            facts = facts.merged(Facts(red_flags=(("saddle_anaesthesia", None, None),)))
        assert expected_tier(facts, as_of, pack) == row["expected_tier"], row
        assert features == row["features"], row


def test_a_red_flag_that_counts_overrides_every_other_tier(export: Export) -> None:
    coded, in_note, gone = (
        _rows(export, k) for k in ("red_flag_coded", "red_flag_in_note", "red_flag_gone")
    )
    assert coded and in_note and gone
    assert {r["expected_tier"] for r in coded + in_note} == {"red_flag"}
    # the same records without their red flag would be high (coded) and medium (in a note)
    assert all("prior_lumbar_fusion" in r["features"] for r in coded)
    assert {r["expected_tier"] for r in gone} == {"medium"}


def test_copies_of_the_synthea_back_pain_patients_are_low(export: Export) -> None:
    rows = [r for r in _rows(export, "background") if r["expected_tier"] != "none"]
    assert rows
    assert {(r["expected_tier"], r["features"]) for r in rows} == {("low", "chronic_back_pain")}


def test_the_tender_point_note_is_written_as_a_clinician_would(export: Export) -> None:
    patients = export.by_patient()
    sign = re.compile(
        r"tender over the (left|right) posterior iliac crest, reproduces (her|his) pain"
    )
    for row in _rows(export, "iliac_crest_tenderness"):
        assert sign.search(_notes(patients[row["patient_id"]]).lower())


def test_known_cases_have_a_cluneal_block_or_a_note_saying_so(export: Export) -> None:
    patients = export.by_patient()
    for row in _rows(export, "known_block"):
        resources = patients[row["patient_id"]]
        blocks = [
            r
            for r in resources
            if r["resourceType"] == "Procedure" and "64450" in _codes([r], "Procedure", CPT)
        ]
        assert blocks and "superior cluneal nerve block" in blocks[0]["code"]["text"].lower()
    for row in _rows(export, "known_in_note"):
        assert "cluneal nerve entrapment" in _notes(patients[row["patient_id"]]).lower()


def test_the_sacroiliac_fusion_is_ordered_after_an_injection(export: Export) -> None:
    patients = export.by_patient()
    for row in _rows(export, "si_fusion_planned"):
        resources = patients[row["patient_id"]]
        orders = [r for r in resources if r["resourceType"] == "ServiceRequest"]
        assert [o["status"] in ("active", "draft") for o in orders] == [True]
        assert _codes(orders, "ServiceRequest", CPT) == {"27279"}
        assert "M46.1" in _codes(resources, "Condition", ICD)
        (injection,) = [r for r in resources if "27096" in _codes([r], "Procedure", CPT)]
        assert injection["performedPeriod"]["start"] < orders[0]["authoredOn"]
        scores = [r["valueInteger"] for r in resources if r["resourceType"] == "Observation"]
        assert scores[-1] == scores[-3] > scores[-2]  # relief after the injection did not last


def test_post_fusion_pain_starts_after_the_fusion(export: Export) -> None:
    patients = export.by_patient()
    for row in _rows(export, "post_fusion_buttock"):
        resources = patients[row["patient_id"]]
        (fusion,) = [r for r in resources if "22612" in _codes([r], "Procedure", CPT)]
        buttock = [r for r in resources if "buttock" in r.get("code", {}).get("text", "").lower()]
        assert all(b["onsetDateTime"] > fusion["performedPeriod"]["start"] for b in buttock)


def test_radiculopathy_negatives_have_no_buttock_or_sacroiliac_feature(export: Export) -> None:
    for row in _rows(export, "radiculopathy"):
        assert row["features"] == "chronic_back_pain;radiculopathy"
        assert row["expected_tier"] == "low"


def test_every_record_ends_before_the_screening_date(export: Export, as_of: dt.date) -> None:
    latest = ""

    def walk(node: object) -> None:
        nonlocal latest
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str) and re.match(r"\d{4}-\d{2}-\d{2}", node):
            latest = max(latest, node[:10])

    walk(export.resources)
    assert latest < as_of.isoformat()


def test_pain_scores_are_0_to_10_with_loinc_72514_3(export: Export) -> None:
    observations = export.resources["Observation"]
    assert observations
    for o in observations:
        assert o["code"]["coding"][0]["code"] == "72514-3"
        assert 0 <= o["valueInteger"] <= 10


def test_back_pain_is_chronic_from_three_whole_months() -> None:
    as_of = dt.date(2024, 5, 31)
    assert months_before(as_of, 3) == dt.date(2024, 2, 29)
    cutoff = dt.date(2024, 2, 29).toordinal()
    assert is_chronic(Facts(((cutoff, None),)), as_of, 3)
    assert not is_chronic(Facts(((cutoff + 1, None),)), as_of, 3)
    assert not is_chronic(Facts(((cutoff - 200, cutoff - 150),)), as_of, 3)
