"""The treatment form's follow-up fields (recurrence date, last follow-up), which feed the
registry's time to recurrence."""

from __future__ import annotations

import datetime as dt

import pytest

from cluneal.web.records.models import Patient, Treatment

D0 = dt.date(2025, 3, 3)


def post(cast, **fields):
    patient = Patient.objects.get(record_number="A-003")
    data = {
        "date": D0.isoformat(),
        "kind": "surgical_release",
        "nerve": "scn",
        "side": "left",
        "outcome": "recurred",
        **fields,
    }
    return patient, cast.client("carol").post(f"/records/{patient.pk}/treatments/new", data)


def test_a_recurrence_and_a_follow_up_are_saved(cast):
    patient, response = post(cast, recurrence_date="2025-06-01", last_follow_up="2025-08-01")
    assert response.status_code == 302
    t = Treatment.objects.get(patient=patient)
    assert (t.recurrence_date, t.last_follow_up) == (dt.date(2025, 6, 1), dt.date(2025, 8, 1))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"recurrence_date": "2025-01-01"}, "recurrence_date", "before the treatment"),
        ({"last_follow_up": "2025-03-02"}, "last_follow_up", "before the treatment"),
        (
            {"last_follow_up": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "last_follow_up",
            "in the future",
        ),
        (
            {"recurrence_date": "2025-06-01", "outcome": "improved"},
            "recurrence_date",
            "goes with the outcome",
        ),
    ],
)
def test_an_impossible_follow_up_is_400_naming_the_field(cast, fields, field, message):
    patient, response = post(cast, **fields)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert not Treatment.objects.filter(patient=patient).exists()
