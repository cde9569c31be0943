"""The patient page shows the treatment ladder with each treatment's follow-up."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.mark.django_db
def test_a_treatments_recurrence_or_last_follow_up_is_shown(cast):
    cast.treatment.outcome = "recurred"
    cast.treatment.recurrence_date = dt.date(2027, 3, 1)
    cast.treatment.save()
    page = cast.client("alice").get(f"/records/{cast.patient.pk}/").content.decode()
    assert "recurred 2027-03-01" in page
    cast.treatment.outcome, cast.treatment.recurrence_date = "improved", None
    cast.treatment.last_follow_up = dt.date(2027, 5, 2)
    cast.treatment.save()
    page = cast.client("alice").get(f"/records/{cast.patient.pk}/").content.decode()
    assert "last seen 2027-05-02" in page and "recurred" not in page
