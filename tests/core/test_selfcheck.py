"""The self-check's decision, without the web: red flags first, then the pack's criteria sets
against what a patient can answer. Expected results are worked out by hand from
criteria.json and red_flags.json."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations, product

import pytest

from cluneal.core.case import Case, parse_case
from cluneal.core.criteria import CHECKS
from cluneal.core.selfcheck import (
    ANSWERED,
    FLAG_QUESTIONS,
    MOVEMENT_FACTORS,
    MOVEMENTS,
    PLACE_SITES,
    PLACES,
    PRESS,
    Answers,
    check_status,
    evaluate,
    flag_question,
    match,
)
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.model import RedFlag


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


def items(outcome, criteria_id: str) -> dict[str, bool | None]:
    match = next(m for m in outcome.sets if m.criteria.id == criteria_id)
    return {item.id: status for item, status in match.items}


def test_pressing_the_crest_reproducing_the_pain_answers_kuniyas_reproduction_item_only(pack):
    # Kuniya 2014: a maximal tender point 70 mm from the midline AND reproduction on palpation.
    # "Pressing brings on my usual pain" is the second; the first needs an examination.
    outcome = evaluate(
        answers(where=frozenset({"groin"}), press_crest="yes", worse_with=frozenset({"none"})),
        pack,
    )
    assert items(outcome, "kuniya2014_scn") == {"tender_point": None, "reproduces_complaint": True}
    assert outcome.kind == "ask"
    assert fits(outcome) == {"kuniya2014_scn"}  # Maigne's items are all the clinician's


def test_low_back_pain_alone_is_not_pain_at_the_iliac_crest_or_buttock(pack):
    outcome = evaluate(answers(where=frozenset({"low_back"})), pack)
    assert items(outcome, "isu2018_scn")["pain_iliac_crest_or_buttock"] is False
    assert fits(outcome) == set()
    assert outcome.kind == "atypical"


def test_pain_at_the_crest_worse_on_walking_fits_isu_when_pressing_is_unsure(pack):
    outcome = evaluate(answers(where=frozenset({"low_back", "iliac_crest"})), pack)
    # Isu SCN: pain at the crest (yes), worse with movement (yes), the rest for the clinician.
    # Isu MCN: needs buttock pain, which was not ticked.
    assert fits(outcome) == {"isu2018_scn"}
    assert outcome.kind == "ask" and outcome.unsure_pressing


def test_buttock_pain_and_a_sacral_spot_fit_the_mcn_set(pack):
    outcome = evaluate(answers(where=frozenset({"buttock"}), press_sacrum="yes"), pack)
    assert "isu2018_mcn" in fits(outcome)


def test_no_reproducing_spot_rules_out_only_the_reproduction_item(pack):
    outcome = evaluate(answers(press_crest="no", press_sacrum="no"), pack)
    assert items(outcome, "kuniya2014_scn") == {"tender_point": None, "reproduces_complaint": False}
    # Isu's sets ask for buttock pain and aggravation (both answered yes); their trigger-point,
    # Tinel and block items are the clinician's, which a "no" to self-pressing does not decide.
    assert fits(outcome) == {"isu2018_scn", "isu2018_mcn"}


def test_no_reproducing_spot_and_no_crest_or_buttock_pain_is_not_the_typical_pattern(pack):
    outcome = evaluate(
        answers(where=frozenset({"low_back"}), press_crest="no", press_sacrum="no"), pack
    )
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
    assert check_status("tender_point", "scn", a) is None  # where, in mm: an examination
    assert check_status("reproduces_complaint", "scn", a) is True
    assert check_status("reproduces_complaint", "mcn", a) is None  # the sacral spot: "unsure"


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


# -- the mapping, over the whole family of answers ------------------------------------------------
#
# Every combination of the places (all 63 non-empty sets), of both pressing answers, and of a
# family of aggravating answers (none, each movement alone, two, all five) is run through the
# self-check and, translated into a case, through the engine's own criterion checks.

PLACE_IDS = [p for p, _ in PLACES]
MOVEMENT_FAMILY = [
    frozenset({"none"}),
    *(frozenset({m}) for m, _ in MOVEMENTS if m != "none"),
    frozenset({"bending", "twisting"}),
    frozenset(m for m, _ in MOVEMENTS if m != "none"),
]
PRESSING = [p for p, _ in PRESS]
QUESTIONS = ("where", "press_crest", "press_sacrum", "worse_with")


def family() -> list[Answers]:
    wheres = [
        frozenset(c) for n in range(1, len(PLACE_IDS) + 1) for c in combinations(PLACE_IDS, n)
    ]
    return [
        answers(where=w, press_crest=c, press_sacrum=s, worse_with=m)
        for w, c, s, m in product(wheres, PRESSING, PRESSING, MOVEMENT_FAMILY)
    ]


def as_case(a: Answers) -> Case:
    """The answers as the engine would read them from a clinician: the same pain on both sides,
    the pressing answers as ``reproduces_complaint`` of each nerve's finding."""
    sites = sorted(a.pain_sites)
    findings = {
        nerve: {"reproduces_complaint": {"yes": True, "no": False}[press]}
        for nerve, press in (("scn", a.press_crest), ("mcn", a.press_sacrum))
        if press != "unsure"
    }
    return parse_case(
        {
            "format": "cluneal-case/1",
            "history": {
                "pain_sites": {"left": sites, "right": sites},
                "aggravated_by": sorted(a.aggravated_by),
            },
            "exam": {"left": findings, "right": findings},
        }
    )


ENGINE = {"satisfied": True, "unsatisfied": False}


def test_every_check_of_the_engine_has_exactly_one_rule_in_the_self_check():
    assert set(ANSWERED) == set(CHECKS) == set(v.CRITERION_CHECKS)


def test_each_place_and_movement_means_something_in_the_case_format():
    assert set(PLACE_SITES) == set(PLACE_IDS) and set(MOVEMENT_FACTORS) == {m for m, _ in MOVEMENTS}
    assert {s for sites in PLACE_SITES.values() for s in sites} <= set(v.PAIN_SITES)
    assert {f for fs in MOVEMENT_FACTORS.values() for f in fs} <= set(v.AGGRAVATING)


def test_the_self_check_agrees_with_the_engine_on_every_check_it_answers(pack):
    for a in family():
        case = as_case(a)
        for nerve in v.NERVES:
            for check, engine_check in CHECKS.items():
                said = check_status(check, nerve, a)
                if said is not None:
                    engine = engine_check(case, nerve, "left", pack)
                    assert ENGINE.get(engine) is said, (check, nerve, a)


def test_only_the_questions_a_patient_can_answer_decide_a_check():
    clinician = {"tender_point", "radiation_on_pressure", "relief_with_block", "unilateral_pain"}
    for a in family():
        for nerve in v.NERVES:
            for check in clinician:
                assert check_status(check, nerve, a) is None, (check, a)


def test_crest_or_buttock_pain_needs_the_crest_or_the_buttock_ticked():
    for a in family():
        expected = bool(a.where & {"iliac_crest", "buttock"})
        assert check_status("pain_iliac_crest_or_buttock", "scn", a) is expected, a
        assert check_status("pain_buttock", "mcn", a) is ("buttock" in a.where), a


def test_one_answer_never_decides_two_items_of_a_criteria_set(pack):
    # For each set and each question: the items whose status that question can change. A
    # question may speak to one item of a set at most (the crest question to Kuniya's
    # reproduction item, not also to its tender point).
    alternatives = {
        "where": None,  # compared below across the family
        "press_crest": PRESSING,
        "press_sacrum": PRESSING,
        "worse_with": MOVEMENT_FAMILY,
    }
    moved: dict[tuple[str, str], set[str]] = {}
    by_rest: dict[tuple[str, tuple[object, ...]], list[Answers]] = {}
    for a in family():
        for q in QUESTIONS:
            rest = tuple(getattr(a, o) for o in QUESTIONS if o != q)
            by_rest.setdefault((q, rest), []).append(a)
    for (q, _), group in by_rest.items():
        assert alternatives[q] is None or len(group) == len(alternatives[q])
        for criteria in pack.criteria:
            statuses = [match(criteria, a).items for a in group]
            for i, item in enumerate(criteria.items):
                if len({s[i][1] for s in statuses}) > 1:
                    moved.setdefault((criteria.id, q), set()).add(item.id)
    assert moved  # the questions do decide items
    for (criteria_id, q), changed in moved.items():
        assert len(changed) == 1, (criteria_id, q, changed)
    assert moved[("kuniya2014_scn", "press_crest")] == {"reproduces_complaint"}
    assert ("kuniya2014_scn", "press_sacrum") not in moved


@pytest.mark.parametrize("flag", sorted(FLAG_QUESTIONS))
def test_a_red_flag_stops_the_self_check_whatever_the_other_answers(pack, flag):
    for a in family()[::7]:
        outcome = evaluate(replace(a, red_flags=frozenset({flag})), pack)
        assert outcome.kind == "urgent", a
        assert [f.id for f, _ in outcome.red_flags] == [flag]
