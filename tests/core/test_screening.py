"""Scoring of screening features: weights, tiers, reasons and order, computed by hand from the
pack's rules (chronic 1, buttock 3, sacroiliac 2, SI injection 1, fusion 2, graft 3, planned 2,
leg symptoms 1, radiculopathy -2; high >= 6, medium >= 4, else low)."""

from __future__ import annotations

import pytest

from cluneal.core.screening import Hit, rank, score_patient, tier_counts
from cluneal.knowledge.loader import default_pack

PACK = default_pack()


def hits(*features: str) -> list[Hit]:
    return [Hit(f, f"Condition/{i}") for i, f in enumerate(features)]


@pytest.mark.parametrize(
    ("features", "score", "tier"),
    [
        (["chronic_back_pain"], 1, "low"),
        (["chronic_back_pain", "buttock_or_iliac_crest_pain"], 4, "medium"),
        (["chronic_back_pain", "buttock_or_iliac_crest_pain", "sacroiliac"], 6, "high"),
        (["prior_lumbar_fusion", "iliac_crest_bone_graft", "radiculopathy"], 3, "low"),
        (["sacroiliac", "si_injection", "planned_fusion"], 5, "medium"),
        (["radiculopathy"], -2, "low"),
        ([], 0, "low"),
    ],
)
def test_the_score_is_the_sum_of_the_weights_and_the_tier_its_band(features, score, tier):
    candidate = score_patient("p", hits(*features), known=False, pack=PACK)
    assert (candidate.score, candidate.tier) == (score, tier)


def test_each_reason_names_its_weight_and_sources():
    candidate = score_patient("p", hits("chronic_back_pain", "sacroiliac"), False, PACK)
    assert candidate.reasons == (
        "Back pain coded for at least 3 months +1 [E3, S3, S1, S10]",
        "Sacroiliac diagnosis +2 [E10, S17]",
    )


def test_a_note_quote_is_shown_in_the_reason():
    found = [
        Hit("buttock_or_iliac_crest_pain", "DocumentReference/d1", "tender over the iliac crest")
    ]
    [reason] = score_patient("p", found, False, PACK).reasons
    assert "\u201ctender over the iliac crest\u201d" in reason


def test_a_known_case_is_tier_known_whatever_its_score():
    candidate = score_patient(
        "p", [*hits("chronic_back_pain"), Hit("known", "Procedure/b")], True, PACK
    )
    assert candidate.tier == "known"
    assert candidate.reasons[0] == "Cluneal entrapment or block already on record"
    assert candidate.evidence == ("Condition/0", "Procedure/b")


def test_evidence_ids_are_sorted_and_unique():
    found = [
        Hit("sacroiliac", "Condition/b"),
        Hit("sacroiliac", "Condition/a"),
        Hit("si_injection", "Condition/a"),
    ]
    assert score_patient("p", found, False, PACK).evidence == ("Condition/a", "Condition/b")


def test_ranking_is_by_score_then_patient_id():
    a = score_patient("b", hits("sacroiliac"), False, PACK)
    b = score_patient("a", hits("sacroiliac"), False, PACK)
    c = score_patient("z", hits("iliac_crest_bone_graft"), False, PACK)
    assert [x.patient_id for x in rank([a, b, c])] == ["z", "a", "b"]
    assert tier_counts([a, b, c], PACK) == {
        "high": 0,
        "medium": 0,
        "low": 3,
        "known": 0,
        "red_flag": 0,
    }
