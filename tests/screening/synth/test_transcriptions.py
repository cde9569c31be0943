"""MTSamples transcriptions attached to a synthetic population (``synth --notes-source``)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.nlp.pipeline import pipeline
from cluneal.screening.evaluate import evaluate
from cluneal.screening.notes import counts_as
from cluneal.screening.pipeline import screen
from cluneal.screening.synth import SourceError, generate
from cluneal.screening.synth import transcriptions as mts
from cluneal.screening.synth.reading import Export

PACK = default_pack()
AS_OF = dt.date(2024, 6, 1)
PATIENTS, SEED = 200, 3
OPTIONS: dict[str, Any] = {"planted_share": 0.2, "as_of": AS_OF, "notes_per_patient": (1, 3)}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: An attached note's date: 08:00 to 17:55, five minutes apart, in the planted notes' zone.
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T(0[89]|1[0-7]):[0-5][05]:00-05:00")


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _attached(resource: dict[str, Any]) -> bool:
    ids = resource.get("identifier", [])
    return any(i.get("system") == mts.IDENTIFIER_SYSTEM for i in ids)


def _text(note: dict[str, Any]) -> str:
    return base64.b64decode(note["content"][0]["attachment"]["data"]).decode("utf-8")


@pytest.fixture(scope="module")
def noted(tmp_path_factory: pytest.TempPathFactory, sample: Path, mtsamples: Path) -> Path:
    """200 patients with 1 to 3 transcriptions each, written by the command line."""
    out = tmp_path_factory.mktemp("noted") / "export"
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    done = subprocess.run(
        [
            *(sys.executable, "-m", "cluneal", "synth", "--patients", str(PATIENTS)),
            *("--seed", str(SEED), "--planted-share", "0.2", "--as-of", AS_OF.isoformat()),
            *("--out", str(out), "--source", str(sample), "--notes-source", str(mtsamples)),
            *("--notes-per-patient", "1-3"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["notes"]["perPatient"] == [1, 3]
    return out


def test_it_keeps_only_transcriptions_in_which_nothing_counts_for_the_screening(
    transcriptions: mts.Transcriptions,
) -> None:
    assert transcriptions.read == 4966  # the non-empty MTSamples transcriptions
    assert 3000 < len(transcriptions.templates) < transcriptions.read
    assert {"red_flag", "back_pain", "radiculopathy"} <= transcriptions.excluded.keys()
    picked = random.Random(1).sample(  # noqa: S311 (a reproducible sample)
        transcriptions.templates, 150
    )
    notes = [json.loads(t % ("id", "patient", "2020-01-01T09:00:00-05:00")) for t in picked]
    rules = PACK.screening.notes
    for found in pipeline(PACK).find(_text(n) for n in notes):
        assert not [(f, r) for f in found for r in rules if counts_as(f, r)]


def test_the_command_and_the_function_write_the_same_bytes(
    noted: Path, sample: Path, transcriptions: mts.Transcriptions, tmp_path: Path
) -> None:
    summary = generate(sample, tmp_path / "again", PATIENTS, SEED, notes=transcriptions, **OPTIONS)
    assert _bytes(noted) == _bytes(tmp_path / "again")
    manifest = json.loads((noted / "manifest.json").read_text())
    notes = manifest["extension"][next(iter(manifest["extension"]))]["notes"]
    assert (
        notes
        == summary.notes
        == {
            "source": "mtsamples.rda",
            "transcriptions": 4966,
            "kept": len(transcriptions.templates),
            "perPatient": [1, 3],
        }
    )


def test_another_seed_attaches_other_notes(
    sample: Path, transcriptions: mts.Transcriptions, tmp_path: Path
) -> None:
    generate(sample, tmp_path / "a", 30, 1, notes=transcriptions, **OPTIONS)
    generate(sample, tmp_path / "b", 30, 2, notes=transcriptions, **OPTIONS)
    a, b = (
        {_text(n) for n in Export.read(tmp_path / d).resources["DocumentReference"]} for d in "ab"
    )
    assert a != b


def test_each_patient_gets_from_the_least_to_the_most_transcriptions(noted: Path) -> None:
    export = Export.read(noted)
    per_patient = Counter(
        n["subject"]["reference"][8:] for n in export.resources["DocumentReference"] if _attached(n)
    )
    assert per_patient.keys() == {p["id"] for p in export.resources["Patient"]}
    assert set(per_patient.values()) == {1, 2, 3}


def test_the_patients_own_notes_and_the_truth_stay_as_without_transcriptions(
    noted: Path, sample: Path, tmp_path: Path
) -> None:
    options = {k: v for k, v in OPTIONS.items() if k != "notes_per_patient"}
    generate(sample, tmp_path / "plain", PATIENTS, SEED, **options)
    plain, with_notes = _bytes(tmp_path / "plain"), _bytes(noted)
    notes = "DocumentReference.000.ndjson"
    for name in plain.keys() - {notes, "manifest.json"}:
        assert plain[name] == with_notes[name], name
    own = [x for x in with_notes[notes].splitlines() if mts.IDENTIFIER_SYSTEM.encode() not in x]
    assert own == plain[notes].splitlines()
    # the planted notes are among them, such as the one that alone shows a red flag
    assert any("saddle anaesthesia" in _text(json.loads(x)) for x in own)


def _latest_day(node: object) -> str:
    if isinstance(node, dict):
        return max((_latest_day(v) for v in node.values()), default="")
    if isinstance(node, list):
        return max((_latest_day(v) for v in node), default="")
    return node[:10] if isinstance(node, str) and DAY.match(node) else ""


def test_transcriptions_are_dated_within_the_patients_record(noted: Path) -> None:
    export = Export.read(noted)
    kinds = {r["patient_id"]: r["kind"] for r in export.truth}
    checked = 0
    for pid, resources in export.by_patient().items():
        birth = resources[0]["birthDate"]
        own = [r for r in resources if not _attached(r)]
        latest = _latest_day(own)
        last = dt.date.fromisoformat(latest)
        first = max(dt.date.fromisoformat(birth), last - dt.timedelta(days=mts.HISTORY_DAYS))
        for note in (r for r in resources if _attached(r)):
            assert re.fullmatch(TIME, note["date"])
            day = dt.date.fromisoformat(note["date"][:10])
            assert birth <= note["date"][:10] and day < AS_OF - dt.timedelta(days=1)
            if kinds[pid] == "background":  # a planted history ends after the copied record
                assert first <= day <= last, (pid, note["date"], birth, latest)
                checked += 1
    assert checked > 100


def test_the_planted_tiers_stay_exact_when_screened_with_the_notes(
    noted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    summary = screen(noted, out, PACK)
    notes = Export.read(noted).resources["DocumentReference"]
    assert sum(map(_attached, notes)) > PATIENTS
    assert summary.notes == f"{len(notes)} clinical note(s) read"
    scores = {s.tier: s for s in evaluate(out, noted / "truth.csv")}
    for tier in ("high", "medium", "low", "known", "red_flag"):
        assert scores[tier].expected > 0, tier
        assert (scores[tier].precision, scores[tier].recall) == (1.0, 1.0), tier


def _file(directory: Path, name: str, data: bytes) -> Path:
    (directory / name).write_bytes(data)
    return directory / name


BAD_SOURCES = {
    "absent: does not exist": lambda d: d / "absent",
    "file.rda: is not a folder": lambda d: _file(d, "file.rda", b"x"),
    "mtsamples.rda: missing": lambda d: d,
    "mtsamples.rda: cannot be read as an R data file": lambda d: (
        _file(d, "mtsamples.rda", b"BZh91AY&SY not R data").parent
    ),
}


@pytest.mark.parametrize("message", BAD_SOURCES)
def test_an_unusable_notes_source_is_named(tmp_path: Path, message: str) -> None:
    with pytest.raises(SourceError, match=re.escape(message)):
        mts.read_frame(BAD_SOURCES[message](tmp_path))


def _write_rda(directory: Path, frame: dict[str, list[object]]) -> Path:
    import pandas
    import rdata

    columns = {k: pandas.array(v, dtype="string") for k, v in frame.items()}
    rdata.write_rda(str(directory / "mtsamples.rda"), {"mtsamples": pandas.DataFrame(columns)})
    return directory


def test_an_r_file_without_transcriptions_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no data frame 'mtsamples' with a 'transcription'"):
        mts.read_frame(_write_rda(tmp_path, {"description": ["a note"]}))
    with pytest.raises(SourceError, match=r"mtsamples\.rda: holds no transcription"):
        mts.read_frame(_write_rda(tmp_path, {"transcription": ["  ", None]}))


def test_notes_per_patient_must_be_a_range(sample: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="notes_per_patient"):
        generate(sample, tmp_path / "out", 5, 1, notes_per_patient=(3, 2))
    assert not (tmp_path / "out").exists()
