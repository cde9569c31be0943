"""The self-check's decision, without the web: red flags first, then the pack's criteria sets
against what a patient can answer. Expected results are worked out by hand from
criteria.json and red_flags.json."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.model import RedFlag
from cluneal.web.learn.selfcheck import (
    FLAG_QUESTIONS,
    Answers,
    check_status,
    evaluate,
    flag_question,
)


@pytest.fixture
def pack():
    return active_pack()


def answers(**change) -> Answers:
    base = {
        "where": frozenset({"low_back", "buttock"}),
        "press_crest": "unsure",
        "press_sacrum": "unsure",
        "worse_with": frozenset({"walking"}),
        "long_lasting": True,
        "red_flags": frozenset(),
    }
    return Answers(**(base | change))


def fits(outcome) -> set[str]:
    return {m.criteria.id for m in outcome.sets if m.fits}


def test_every_red_flag_of_the_pack_has_patient_wording(pack):
    assert set(pack.red_flags) == set(FLAG_QUESTIONS)


def test_a_red_flag_overrides_a_typical_pattern(pack):
    outcome = evaluate(
        answers(press_crest="yes", red_flags=frozenset({"saddle_anaesthesia"})), pack
    )
    assert outcome.kind == "urgent"
    assert [f.id for f, _ in outcome.red_flags] == ["saddle_anaesthesia"]
    assert outcome.emergency


def test_a_cancer_history_alone_is_urgent_but_not_an_emergency(pack):
    outcome = evaluate(answers(red_flags=frozenset({"suspected_malignancy"})), pack)
    assert outcome.kind == "urgent" and not outcome.emergency


def test_pressing_the_crest_reproducing_the_pain_meets_kuniyas_two_items(pack):
    # Kuniya 2014: tender point + reproduction; both answered by "yes" to the crest question,
    # whatever else was said.
    outcome = evaluate(
        answers(where=frozenset({"groin"}), press_crest="yes", worse_with=frozenset({"none"})),
        pack,
    )
    assert outcome.kind == "ask"
    assert fits(outcome) == {"kuniya2014_scn", "maigne1997_scn"}


def test_low_back_pain_worse_on_walking_fits_isu_when_pressing_is_unsure(pack):
    outcome = evaluate(answers(where=frozenset({"low_back"})), pack)
    # Isu SCN: pain at the crest (yes), worse with movement (yes), tender point (unsure).
    # Isu MCN: needs buttock pain, which was not ticked.
    assert fits(outcome) == {"isu2018_scn"}
    assert outcome.kind == "ask" and outcome.unsure_pressing


def test_buttock_pain_and_a_sacral_spot_fit_the_mcn_set(pack):
    outcome = evaluate(answers(where=frozenset({"buttock"}), press_sacrum="yes"), pack)
    assert "isu2018_mcn" in fits(outcome)


def test_no_reproducing_spot_on_either_side_is_not_the_typical_pattern(pack):
    outcome = evaluate(answers(press_crest="no", press_sacrum="no"), pack)
    assert outcome.kind == "atypical" and fits(outcome) == set()


def test_unsure_pressing_and_no_aggravating_movement_is_not_the_typical_pattern(pack):
    outcome = evaluate(answers(worse_with=frozenset({"none"})), pack)
    assert outcome.kind == "atypical"


def test_leg_pain_alone_is_not_the_typical_pattern(pack):
    outcome = evaluate(answers(where=frozenset({"leg"})), pack)
    assert outcome.kind == "atypical"


def test_what_only_a_clinician_can_check_is_left_open():
    a = answers(press_crest="yes")
    assert check_status("relief_with_block", "scn", a) is None
    assert check_status("radiation_on_pressure", "scn", a) is None
    assert check_status("unilateral_pain", "scn", a) is None
    assert check_status("tender_point", "scn", a) is True
    assert check_status("tender_point", "mcn", a) is None  # the sacral spot was "unsure"


def test_the_criteria_come_from_the_pack_not_the_code(pack):
    only_mcn = replace(pack, criteria=tuple(c for c in pack.criteria if c.nerve == "mcn"))
    a = answers(where=frozenset({"low_back"}), press_crest="yes")
    assert evaluate(a, pack).kind == "ask"
    assert evaluate(a, only_mcn).kind == "atypical"


def test_a_site_red_flag_without_wording_is_still_asked(pack):
    extra = RedFlag("weight_loss", "Unexplained weight loss", "Investigate first.", ("P1",))
    site = replace(pack, red_flags={**pack.red_flags, "weight_loss": extra})
    question = flag_question(extra)
    assert "unexplained weight loss" in question.question
    outcome = evaluate(answers(press_crest="yes", red_flags=frozenset({"weight_loss"})), site)
    assert outcome.kind == "urgent"
