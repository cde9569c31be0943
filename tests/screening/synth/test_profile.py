from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

from cluneal.screening.synth.reading import Export, read_lines


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _sources(sample: Path) -> dict[str, dict[str, Any]]:
    """The sample's patients by Synthea's person seed (kept in each copy's narrative)."""
    patients = [json.loads(x) for x in read_lines(sample / "Patient.000.ndjson")]
    encounters = [json.loads(x) for x in read_lines(sample / "Encounter.000.ndjson")]
    out = {}
    for p in patients:
        mine = [e for e in encounters if e["subject"]["reference"] == f"Patient/{p['id']}"]
        mine.sort(key=lambda e: (e["period"]["start"], e["id"]))
        out[p["text"]["div"]] = {"patient": p, "encounters": mine}
    return out


def _background(export: Export) -> list[list[dict[str, Any]]]:
    patients = export.by_patient()
    return [patients[r["patient_id"]] for r in export.truth if r["kind"] == "background"]


def test_shifting_keeps_every_interval_within_a_patient(export: Export, sample: Path) -> None:
    sources = _sources(sample)
    checked = 0
    for resources in _background(export):
        patient = resources[0]
        source = sources[patient["text"]["div"]]
        copies = [r for r in resources if r["resourceType"] == "Encounter"]
        originals = source["encounters"][-len(copies) :]
        shifts = {
            _instant(c["period"][end]) - _instant(o["period"][end])
            for c, o in zip(copies, originals, strict=True)
            for end in ("start", "end")
        }
        birth = dt.date.fromisoformat(patient["birthDate"]) - dt.date.fromisoformat(
            source["patient"]["birthDate"]
        )
        assert shifts == {birth}
        assert birth.seconds == 0 and birth.days != 0
        checked += 1
    assert checked > 100


def test_copies_differ_in_their_shift(export: Export, sample: Path) -> None:
    sources = _sources(sample)
    shifts = {
        dt.date.fromisoformat(p[0]["birthDate"])
        - dt.date.fromisoformat(sources[p[0]["text"]["div"]]["patient"]["birthDate"])
        for p in _background(export)
    }
    assert len(shifts) > 100


def test_each_copy_has_a_new_name_address_and_identifiers(export: Export, sample: Path) -> None:
    sources = _sources(sample)
    names, ssns = set(), set()
    for resources in _background(export):
        patient = resources[0]
        source = sources[patient["text"]["div"]]["patient"]
        name = patient["name"][0]
        assert name["family"] != source["name"][0]["family"]
        assert name["given"] != source["name"][0]["given"]
        ssn = next(i["value"] for i in patient["identifier"] if "us-ssn" in i["system"])
        assert ssn.startswith("999-") and ssn != "999-94-5397"
        names.add((name["given"][0], name["family"]))
        ssns.add(ssn)
        assert isinstance(
            patient["address"][0]["extension"][0]["extension"][0]["valueDecimal"], float
        )
        notes = [
            base64.b64decode(r["content"][0]["attachment"]["data"]).decode()
            for r in resources
            if r["resourceType"] == "DocumentReference"
        ]
        for note in notes:
            assert name["given"][0] in note and source["name"][0]["given"][0] not in note
    assert len(names) > 150 and len(ssns) > 150


def test_note_dates_move_with_the_encounter(export: Export) -> None:
    for resources in _background(export):
        for r in resources:
            if r["resourceType"] == "DocumentReference":
                text = base64.b64decode(r["content"][0]["attachment"]["data"]).decode()
                assert text.startswith(f"\n{r['date'][:10]}\n")
