"""The cast of the research-export tests, and readers for the files of an export.

Two sites; at site A a clinician (alice), an administrator (carol) and a researcher (rita); at
site B a clinician (bob) and a researcher (rex); one patient at each site. All but rex and the
patients are the web tests' shared cast.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.test import Client

from cluneal.web.accounts.models import Role, Site
from cluneal.web.records.models import Block, Patient, Treatment, Visit


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    alice: Any
    bob: Any
    carol: Any
    rita: Any
    rex: Any
    patient_a: Patient
    patient_b: Patient

    def client(self, who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(getattr(self, who))
        return client


def make_patient(site: Site, number: str, day: dt.date) -> Patient:
    patient = Patient.objects.create(site=site, record_number=number, birth_year=1960, sex="male")
    Visit.objects.create(patient=patient, date=day, current_nrs=6)
    Block.objects.create(
        patient=patient, date=day, nerve="scn", side="left", nrs_before=8, nrs_after=2
    )
    Treatment.objects.create(
        patient=patient, date=day, kind="surgical_release", nerve="scn", side="left"
    )
    return patient


@pytest.fixture
def cast(
    site_a: Site,
    site_b: Site,
    alice: Any,
    bob: Any,
    carol: Any,
    rita: Any,
    make_user: Callable[..., Any],
) -> Cast:
    rex = make_user("rex", (site_b, Role.RESEARCHER))
    patient_a = make_patient(site_a, "A-001", dt.date(2026, 3, 2))
    patient_b = make_patient(site_b, "B-001", dt.date(2026, 5, 7))
    return Cast(site_a, site_b, alice, bob, carol, rita, rex, patient_a, patient_b)


@pytest.fixture
def unzip() -> Callable[[bytes], dict[str, bytes]]:
    """Every member of a zip, by name."""

    def read(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            return {name: archive.read(name) for name in archive.namelist()}

    return read


@pytest.fixture
def csv_rows() -> Callable[[bytes], list[dict[str, str]]]:
    def read(data: bytes) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))

    return read


@pytest.fixture
def parquet_table(tmp_path: Path) -> Callable[[bytes], tuple[list[tuple[str, str]], list[Any]]]:
    """A Parquet file's schema (column, DuckDB type) and rows, read by DuckDB."""

    def read(data: bytes) -> tuple[list[tuple[str, str]], list[Any]]:
        path = tmp_path / f"read-{len(list(tmp_path.iterdir()))}.parquet"
        path.write_bytes(data)
        con = duckdb.connect(":memory:")
        try:
            relation = con.read_parquet(str(path))
            schema = list(zip(relation.columns, [str(t) for t in relation.types], strict=True))
            return schema, relation.fetchall()
        finally:
            con.close()

    return read


@pytest.fixture
def export_as() -> Callable[..., Any]:
    """POST the export form as a logged-in client; returns the response."""

    def post(client: Client, site: Any, fmt: str = "csv+parquet") -> Any:
        return client.post(
            "/research/export", {"site": str(getattr(site, "pk", site)), "format": fmt}
        )

    return post
