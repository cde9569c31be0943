"""The pain diary fills in the block's relief duration, and the ladder follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cluneal.knowledge.loader import default_pack
from cluneal.web.records.diary import relief_days

DEFINITION = default_pack().block_definition  # relief >= 50 %
BLOCK_DAY = dt.date(2026, 11, 2)


def days(*values):
    return [
        (BLOCK_DAY + dt.timedelta(days=k), v)
        for k, v in enumerate(values, start=1)
        if v is not None
    ]


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (days(2, 3, 4, 6, 7), 3),  # from 8: 4 is exactly 50 %, 6 is not
        (days(6), 0),  # no relief the day after
        (days(), None),  # nothing recorded yet
        (days(1, 1, None, 1), 2),  # a missing day ends the count
        (days(*[0] * 14), 14),  # relief for the whole diary
    ],
)
def test_relief_days_counts_consecutive_days_with_relief(entries, expected):
    assert relief_days(BLOCK_DAY, 8, entries, DEFINITION) == expected


@pytest.mark.django_db
def test_diary_entries_fill_the_block_and_move_the_stage(cast, time_machine):
    time_machine.move_to("2026-11-09 09:00:00+00:00")
    cast.treatment.delete()
    client = Client()
    for day, nrs in [("2026-11-03", 2), ("2026-11-04", 3), ("2026-11-05", 4), ("2026-11-06", 7)]:
        assert client.post(f"/p/{cast.token}", {"date": day, "nrs": nrs}).status_code == 302
    cast.block.refresh_from_db()
    assert cast.block.relief_days == 3
    assert cast.block.relief_days_from_diary is True
    body = cast.client("alice").get(f"/api/v1/patients/{cast.patient.pk}/assessment").json()
    scn_left = next(n for n in body["nerves"] if (n["nerve"], n["side"]) == ("scn", "left"))
    assert scn_left["blocks"]["longest_relief_days"] == 3
    assert scn_left["stage"] == "repeat_blocks"  # pain today is the diary's 7: not maintenance


@pytest.mark.django_db
def test_a_relief_duration_entered_by_the_clinician_is_kept(cast, time_machine):
    time_machine.move_to("2026-11-09 09:00:00+00:00")
    cast.block.relief_days = 10
    cast.block.save()
    Client().post(f"/p/{cast.token}", {"date": "2026-11-03", "nrs": "7"})
    cast.block.refresh_from_db()
    assert cast.block.relief_days == 10


@pytest.mark.django_db
def test_a_questionnaire_link_scores_into_the_record(cast):
    from cluneal.web.records.links import issue_link

    _, token = issue_link(cast.patient, "rmdq", None, cast.alice)
    response = Client().post(f"/p/{token}", {"rmdq_done": "1", "rmdq": ["1", "4", "9"]})
    assert response.status_code == 200
    body = cast.client("alice").get(f"/api/v1/patients/{cast.patient.pk}/assessment").json()
    assert body["scores"]["rmdq"] == {"score": 3}
    # The link has done its work: it opens nothing any more.
    assert Client().get(f"/p/{token}").status_code == 410
