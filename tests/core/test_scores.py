"""Questionnaire scores (case-format.md, "Rules: Questionnaires"), worked out by hand.

STarT Back: total 0-9; psychosocial subscale = items 5-9 (0-5), item 9 counts 1 for answers 4 or 5;
risk low if total <= 3, else high if subscale >= 4, else medium.
ODI percent = sum of answered sections / (5 x answered) x 100, one decimal; null when none answered.
RMDQ = number of items ticked. ``scores`` holds only the questionnaires given.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cluneal.core import assess, parse_case
from cluneal.core.scores import odi_caution
from cluneal.core.summary import render_text

FORMAT = "cluneal-case/1"


@pytest.fixture
def scores(run):
    def _scores(questionnaires: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT}
        if questionnaires is not ...:
            data["questionnaires"] = questionnaires
        result: dict[str, Any] = run(data)["scores"]
        return result

    return _scores


# -- STarT Back ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "psychosocial", "risk"),
    [
        # the document's example: 1+0+1+1+0+1+1+0 = 5, item 9 answer 4 counts 1 -> 6;
        # items 5-9: 0+1+1+0+1 = 3; total > 3, subscale < 4 -> medium
        ([1, 0, 1, 1, 0, 1, 1, 0, 4], 6, 3, "medium"),
        # item 9 answer 3 counts 0: total 3 -> low although the subscale is 3
        ([0, 0, 0, 0, 1, 1, 1, 0, 3], 3, 3, "low"),
        # the same with item 9 answer 4: total 4, subscale 4 -> high
        ([0, 0, 0, 0, 1, 1, 1, 0, 4], 4, 4, "high"),
        # total 3 with subscale 3 -> low
        ([0, 0, 0, 0, 1, 1, 1, 0, 1], 3, 3, "low"),
        # total 5, subscale 4 -> high
        ([1, 0, 0, 0, 1, 1, 1, 1, 1], 5, 4, "high"),
        # total 4, subscale 1 -> medium
        ([1, 1, 1, 0, 1, 0, 0, 0, 2], 4, 1, "medium"),
        # total 4, subscale 3 -> medium
        ([1, 0, 0, 0, 1, 1, 0, 0, 5], 4, 3, "medium"),
        # everything: 8 + 1 = 9, subscale 5 -> high
        ([1, 1, 1, 1, 1, 1, 1, 1, 5], 9, 5, "high"),
        # nothing: item 9 answer 1 counts 0
        ([0, 0, 0, 0, 0, 0, 0, 0, 1], 0, 0, "low"),
        # item 9 answer 5 counts 1: 4 + 1 = 5, subscale 1 -> medium
        ([1, 1, 1, 1, 0, 0, 0, 0, 5], 5, 1, "medium"),
        # items 1-4 only, item 9 answer 2: total 4, subscale 0 -> medium
        ([1, 1, 1, 1, 0, 0, 0, 0, 2], 4, 0, "medium"),
        # items 1-3 only: total 3 -> low
        ([1, 1, 1, 0, 0, 0, 0, 0, 3], 3, 0, "low"),
    ],
)
def test_startback_total_subscale_and_risk(scores, answers, total, psychosocial, risk):
    assert scores({"startback": answers})["startback"] == {
        "total": total,
        "psychosocial": psychosocial,
        "risk": risk,
    }


@pytest.mark.parametrize(("item9", "counted"), [(1, 0), (2, 0), (3, 0), (4, 1), (5, 1)])
def test_startback_item_9_counts_1_only_for_answers_4_and_5(scores, item9, counted):
    result = scores({"startback": [0, 0, 0, 0, 0, 0, 0, 0, item9]})["startback"]
    assert result["total"] == counted
    assert result["psychosocial"] == counted


def test_startback_items_1_to_4_are_not_in_the_subscale(scores):
    result = scores({"startback": [1, 1, 1, 1, 0, 0, 0, 0, 1]})["startback"]
    assert result["total"] == 4
    assert result["psychosocial"] == 0


# -- ODI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("odi", "percent", "answered"),
    [
        # the document's example: 2+1+3+2+2+1+0+2+3 = 16 of 9 x 5 = 45 -> 35.555... -> 35.6
        ([2, 1, 3, 2, 2, None, 1, 0, 2, 3], 35.6, 9),
        ([0] * 10, 0.0, 10),
        ([5] * 10, 100.0, 10),
        ([1] * 10, 20.0, 10),
        ([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2.0, 10),
        # 1 / 45 = 2.222... -> 2.2
        ([1, 0, 0, 0, 0, 0, 0, 0, 0, None], 2.2, 9),
        # 3 / 5 = 60 %
        ([3, *[None] * 9], 60.0, 1),
        # (1 + 2) / 10 = 30 %
        ([1, 2, *[None] * 8], 30.0, 2),
        # 4 / 15 = 26.666... -> 26.7
        ([None, 2, None, 1, None, 1, None, None, None, None], 26.7, 3),
        # 2 / 15 = 13.333... -> 13.3
        ([0, 1, 1, *[None] * 7], 13.3, 3),
        # 10 / 35 = 28.571... -> 28.6
        ([2, 2, 2, 2, 2, 0, 0, None, None, None], 28.6, 7),
        # 5 / 30 = 16.666... -> 16.7
        ([1, 1, 1, 1, 1, 0, None, None, None, None], 16.7, 6),
        # 1 / 30 = 3.333... -> 3.3
        ([1, 0, 0, 0, 0, 0, None, None, None, None], 3.3, 6),
        # 38 / 40 = 95 %
        ([5, 5, 5, 5, 5, 5, 4, 4, None, None], 95.0, 8),
    ],
)
def test_odi_percent_of_the_answered_sections_to_one_decimal(scores, odi, percent, answered):
    assert scores({"odi": odi})["odi"] == {"percent": percent, "answered": answered}


def test_odi_with_no_section_answered_has_percent_null_and_answered_0(scores):
    assert scores({"odi": [None] * 10})["odi"] == {"percent": None, "answered": 0}


@pytest.mark.parametrize("answered", range(11))
def test_an_odi_with_fewer_than_8_sections_answered_comes_with_a_caution_not_a_verdict(
    scores, pack, answered
):
    # Fairbank [S103]: one section can give a score, in practice rarely fewer than eight; a
    # minimum for validity is UNCONFIRMED (clinical-evidence 7.2). The JSON keeps its contract.
    score = scores({"odi": [2] * answered + [None] * (10 - answered)})["odi"]
    assert set(score) == {"percent", "answered"}
    caution = odi_caution(score, pack)
    if 1 <= answered < 8:
        assert caution is not None and caution.sources == ("S103",)
        assert f"Only {answered} of 10 sections answered" in caution.text
        assert "interpret with caution" in caution.text and "invalid" not in caution.text
        assert "No minimum number of sections for a valid score is established" in caution.text
    else:
        assert caution is None


@pytest.mark.parametrize(("below", "cautioned"), [(None, set()), (5, {1, 2, 3, 4})])
def test_the_odi_caution_follows_the_packs_parameter(scores, pack, below, cautioned):
    odi = pack.instruments["odi"]
    parameters = {k: v for k, v in odi.parameters.items() if k != "caution_below_sections"}
    if below is not None:
        parameters["caution_below_sections"] = below
    instruments = {**pack.instruments, "odi": replace(odi, parameters=parameters)}
    site = replace(pack, instruments=instruments)
    found = set()
    for answered in range(11):
        score = scores({"odi": [1] * answered + [None] * (10 - answered)})["odi"]
        if odi_caution(score, site) is not None:
            found.add(answered)
    assert found == cautioned


def odi_case(answered: int) -> dict[str, Any]:
    return {"format": FORMAT, "questionnaires": {"odi": [1] * answered + [None] * (10 - answered)}}


def test_the_text_summary_shows_the_odi_caution_beside_the_score(pack):
    text = render_text(assess(parse_case(odi_case(7)), pack), pack)
    score_line = next(line for line in text.splitlines() if "Oswestry" in line)
    after = text.splitlines()[text.splitlines().index(score_line) + 1]
    assert "percent 20.0, answered 7" in score_line
    assert "Only 7 of 10 sections answered" in after and "[S103]" in after
    enough = assess(parse_case(odi_case(8)), pack)
    assert "interpret with caution" not in render_text(enough, pack)


# -- RMDQ ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rmdq", "score"),
    [
        ([True, False, True], 2),
        ([], 0),
        ([False] * 24, 0),
        ([True] * 24, 24),
        ([None, True, None, False], 1),
        ([None] * 24, 0),
        ([True] * 10, 10),
    ],
)
def test_rmdq_counts_the_items_ticked_true(scores, rmdq, score):
    assert scores({"rmdq": rmdq})["rmdq"] == {"score": score}


# -- only the questionnaires given ---------------------------------------------------------------


@pytest.mark.parametrize(
    "questionnaires",
    [..., None, {}, {"startback": None, "odi": None, "rmdq": None}],
    ids=["absent", "null", "empty", "all-null"],
)
def test_scores_are_empty_when_no_questionnaire_is_given(scores, questionnaires):
    assert scores(questionnaires) == {}


@pytest.mark.parametrize(
    ("questionnaires", "keys"),
    [
        ({"startback": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, {"startback"}),
        ({"odi": [None] * 10}, {"odi"}),
        ({"rmdq": []}, {"rmdq"}),
        ({"startback": None, "rmdq": [True]}, {"rmdq"}),
        ({"odi": [0] * 10, "rmdq": [False]}, {"odi", "rmdq"}),
    ],
)
def test_scores_hold_only_the_questionnaires_given(scores, questionnaires, keys):
    assert set(scores(questionnaires)) == keys


def test_scores_of_the_example_case(run, example):
    assert run(example)["scores"] == {
        "startback": {"total": 6, "psychosocial": 3, "risk": "medium"},
        "odi": {"percent": 35.6, "answered": 9},
        "rmdq": {"score": 2},
    }
