"""Dates move by one secret offset per patient: intervals within a patient stay exact, offsets
differ between patients, and a second export agrees with the first.

Expected research ids and offsets are computed here from the formula the documentation gives
(HMAC-SHA256 of ``cluneal-<purpose>:<uuid>`` under the site's secret), not by the code's own
functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import uuid

import pytest

from cluneal.web.records.models import Block, Patient, Treatment, Visit
from cluneal.web.research.models import SiteSecret

SECRET = "0123456789abcdef" * 4
KEYS = [uuid.UUID(f"00000000-0000-4000-8000-{n:012d}") for n in range(1, 7)]
DAY = dt.date(2025, 1, 10)


def hmac_of(secret: str, purpose: str, key: uuid.UUID) -> bytes:
    message = f"cluneal-{purpose}:{key}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).digest()


def expected_id(secret: str, key: uuid.UUID) -> str:
    return "R" + hmac_of(secret, "research-id", key)[:8].hex()


def expected_offset(secret: str, key: uuid.UUID) -> int:
    n = int.from_bytes(hmac_of(secret, "date-offset", key)[:8], "big") % 364
    return n - 182 if n < 182 else n - 181


def _events(patient: Patient, start: dt.date) -> dict[str, list[dt.date]]:
    """Visits, blocks and treatments spread over two years, some on the same day."""
    visits = [start, start + dt.timedelta(days=30), start + dt.timedelta(days=400)]
    blocks = [start + dt.timedelta(days=7), start + dt.timedelta(days=14)]
    treatments = [start + dt.timedelta(days=30), start + dt.timedelta(days=700)]
    for day in visits:
        Visit.objects.create(patient=patient, date=day, current_nrs=5)
    for day in blocks:
        Block.objects.create(
            patient=patient, date=day, nerve="mcn", side="right", nrs_before=7, nrs_after=3
        )
    recurrence = [start + dt.timedelta(days=120), None]
    follow_up = [start + dt.timedelta(days=300), start + dt.timedelta(days=760)]
    for day, recurred, followed in zip(treatments, recurrence, follow_up, strict=True):
        Treatment.objects.create(
            patient=patient,
            date=day,
            kind="radiofrequency",
            nerve="mcn",
            side="right",
            outcome="recurred" if recurred else "improved",
            recurrence_date=recurred,
            last_follow_up=followed,
        )
    return {
        "visits": visits,
        "blocks": blocks,
        "treatments": treatments,
        "recurrence": [d for d in recurrence if d],
        "follow_up": follow_up,
    }


@pytest.fixture
def shifted(cast, unzip, csv_rows, export_as):
    """Six patients of site A with known keys; site A's secret pinned. Returns the real dates
    by patient key and the export's rows (first and second export)."""
    Patient.objects.filter(site=cast.site_a).delete()
    SiteSecret.objects.create(site=cast.site_a, key=SECRET)
    real: dict[uuid.UUID, dict[str, list[dt.date]]] = {}
    for n, key in enumerate(KEYS):
        patient = Patient.objects.create(
            id=key, site=cast.site_a, record_number=f"A-{n}", birth_year=1950 + n, sex="female"
        )
        real[key] = _events(patient, DAY + dt.timedelta(days=37 * n))
    client = cast.client("rita")
    first, second = export_as(client, cast.site_a), export_as(client, cast.site_a)
    assert first.status_code == second.status_code == 200
    files = [unzip(first.content), unzip(second.content)]
    tables = [
        {t: csv_rows(f[f"{t}.csv"]) for t in ("visits", "blocks", "treatments")} for f in files
    ]
    return real, tables, files


def _dates(rows: list[dict[str, str]], column: str, rid: str) -> list[dt.date]:
    return [dt.date.fromisoformat(r[column]) for r in rows if r["research_id"] == rid and r[column]]


#: Each kind of real date: the table and column it is exported in.
COLUMNS = {
    "visits": ("visits", "visit_date"),
    "blocks": ("blocks", "block_date"),
    "treatments": ("treatments", "treatment_date"),
    "recurrence": ("treatments", "recurrence_date"),
    "follow_up": ("treatments", "last_follow_up"),
}


@pytest.mark.django_db
def test_every_date_of_a_patient_moves_by_that_patients_offset(shifted):
    real, (tables, _), _files = shifted
    for key, events in real.items():
        rid, offset = expected_id(SECRET, key), expected_offset(SECRET, key)
        assert offset != 0 and -182 <= offset <= 182
        for kind, (table, column) in COLUMNS.items():
            moved = [d + dt.timedelta(days=offset) for d in events[kind]]
            assert _dates(tables[table], column, rid) == moved


@pytest.mark.django_db
def test_intervals_between_a_patients_dates_are_those_of_the_record(shifted):
    real, (tables, _), _files = shifted
    for key, events in real.items():
        rid = expected_id(SECRET, key)
        exported = sorted(d for t, c in COLUMNS.values() for d in _dates(tables[t], c, rid))
        recorded = sorted(d for kind in COLUMNS for d in events[kind])
        assert len(exported) == len(recorded) == 10
        for (a, b), (x, y) in zip(
            itertools.combinations(exported, 2), itertools.combinations(recorded, 2), strict=True
        ):
            assert (b - a) == (y - x)


@pytest.mark.django_db
def test_patients_get_different_offsets(shifted):
    real, (tables, _), _files = shifted
    observed = set()
    for key, events in real.items():
        rid = expected_id(SECRET, key)
        observed.add(_dates(tables["visits"], "visit_date", rid)[0] - events["visits"][0])
    assert len(observed) == len(KEYS)


@pytest.mark.django_db
def test_a_second_export_is_identical_to_the_first(shifted):
    _real, (first, second), files = shifted
    assert first == second
    assert files[0] == files[1]


@pytest.mark.django_db
def test_the_site_secret_is_made_on_the_first_export_and_kept(cast, unzip, csv_rows, export_as):
    assert not SiteSecret.objects.filter(site=cast.site_a).exists()
    client = cast.client("rita")
    first = unzip(export_as(client, cast.site_a).content)
    secret = SiteSecret.objects.get(site=cast.site_a).key
    assert len(bytes.fromhex(secret)) == 32
    second = unzip(export_as(client, cast.site_a).content)
    assert SiteSecret.objects.get(site=cast.site_a).key == secret
    assert first == second
    rows = csv_rows(first["blocks.csv"])
    offset = expected_offset(secret, cast.patient_a.pk)
    assert rows[0]["research_id"] == expected_id(secret, cast.patient_a.pk)
    assert rows[0]["block_date"] == (dt.date(2026, 3, 2) + dt.timedelta(days=offset)).isoformat()


@pytest.mark.django_db
def test_each_site_has_its_own_secret(cast, export_as):
    export_as(cast.client("rita"), cast.site_a)
    export_as(cast.client("rex"), cast.site_b)
    a, b = (SiteSecret.objects.get(site=s).key for s in (cast.site_a, cast.site_b))
    assert a != b
