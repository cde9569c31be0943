"""Real-style long notes for a synthetic population: the MTSamples transcriptions.

``cluneal synth --notes-source DIR`` reads ``DIR/mtsamples.rda`` (an R data file holding the
data frame ``mtsamples``, read with the ``rdata`` package) and runs the notes pipeline once over
every transcription, decoded exactly as the screening decodes a note. It keeps only the
transcriptions in which no finding counts for any of the pack's ``screening.notes`` rules,
whatever the note's date: such a note adds no feature, lists no patient, shows no diagnosis and
no red flag, so attaching it to any patient leaves every tier, and ``truth.csv``, as planted.
(Of the 4966 non-empty transcriptions the default pack keeps about 4170; red flags such as
"cancer" or "urinary retention" exclude the most.)

Each kept transcription is serialised once as a DocumentReference %-template; a patient's notes
are then picked by index and dated, so attaching twenty notes costs twenty string formats.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import ZONE
from cluneal.screening.synth.source import SourceError

FILE = "mtsamples.rda"
FRAME = "mtsamples"
CONTENT_TYPE = "text/plain; charset=utf-8"
#: Where the attached notes' identifiers (the MTSamples ``note_id``) come from.
IDENTIFIER_SYSTEM = "https://synth.cluneal.invalid/mtsamples/note_id"
#: Notes attached to each patient by default (the least and the most): a few years of a
#: patient's visits, letters and reports in a health system's record.
NOTES_PER_PATIENT = (10, 30)
#: Notes are dated within the last ten years of a patient's record (or since birth).
HISTORY_DAYS = 10 * 365
#: A note's time of day: 08:00 to 17:55 in steps of five minutes.
SLOTS_PER_DAY = 10 * 12
#: Transcriptions classified per call of the pipeline (and per progress report).
BATCH = 250
_ID, _PATIENT, _DATE = "\ue000i\ue001", "\ue000p\ue001", "\ue000d\ue001"


@dataclass(frozen=True)
class Transcriptions:
    """The transcriptions kept for attaching, each a DocumentReference %-template whose
    values are its id, the patient's id and its date."""

    file: str  # the file's name (never its path: the manifest records it)
    read: int  # non-empty transcriptions in the file
    templates: tuple[str, ...]
    #: Per screening feature, how many transcriptions a finding counting for it excluded.
    excluded: Mapping[str, int]

    def attach(
        self,
        rng: random.Random,
        patient_id: str,
        first_day: int,
        last_day: int,
        how_many: int,
        new_ids: Callable[[random.Random, int], list[str]],
        out: list[str],
    ) -> None:
        """Append ``how_many`` picked notes of the patient, dated from ``first_day`` to
        ``last_day`` (ordinals, both included), as NDJSON lines to ``out``."""
        if not how_many:
            return
        picked = rng.choices(self.templates, k=how_many)
        slots = rng.choices(range((last_day - first_day + 1) * SLOTS_PER_DAY), k=how_many)
        for template, note_id, slot in zip(picked, new_ids(rng, how_many), slots, strict=True):
            day, time = divmod(slot, SLOTS_PER_DAY)
            hour, five = divmod(time, 12)
            when = f"{_iso(first_day + day)}T{8 + hour:02d}:{five * 5:02d}:00{ZONE}"
            out.append(template % (note_id, patient_id, when))

    def describe(self, per_patient: tuple[int, int]) -> dict[str, Any]:
        return {
            "source": self.file,
            "transcriptions": self.read,
            "kept": len(self.templates),
            "perPatient": list(per_patient),
        }


@cache
def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def read_frame(directory: Path) -> list[dict[str, str]]:
    """The non-empty transcriptions of ``directory/mtsamples.rda`` with their note id, sample
    name and specialty; raises :class:`SourceError` naming the file when it cannot be used."""
    directory = Path(directory)
    if not directory.exists():
        raise SourceError(directory, "does not exist (expected a folder holding mtsamples.rda)")
    if not directory.is_dir():
        raise SourceError(directory, "is not a folder (expected a folder holding mtsamples.rda)")
    path = directory / FILE
    if not path.is_file():
        raise SourceError(path, "missing: the MTSamples transcriptions are read from this file")
    import rdata

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata warns before failing on a foreign file
            frame = rdata.read_rda(str(path)).get(FRAME)
    except Exception as exc:  # rdata raises many kinds for a damaged or foreign file
        raise SourceError(path, f"cannot be read as an R data file ({exc})") from None
    columns = getattr(frame, "columns", ())
    if frame is None or "transcription" not in columns:
        raise SourceError(path, f"holds no data frame {FRAME!r} with a 'transcription' column")
    rows = []
    for i, row in enumerate(frame.to_dict("records")):
        text = row.get("transcription")
        if isinstance(text, str) and text.strip():
            rows.append(
                {
                    "note_id": _note_id(row.get("note_id"), i + 1),
                    "text": text,
                    "sample_name": _plain(row.get("sample_name")),
                    "specialty": _plain(row.get("medical_specialty")),
                }
            )
    if not rows:
        raise SourceError(path, "holds no transcription")
    return rows


def _note_id(value: object, row_number: int) -> str:
    try:
        return str(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(row_number)


def _plain(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _template(row: Mapping[str, str], data: str) -> str:
    resource = {
        "resourceType": "DocumentReference",
        "id": _ID,
        "identifier": [{"system": IDENTIFIER_SYSTEM, "value": row["note_id"]}],
        "status": "current",
        "type": {
            "coding": [{"system": v.CODE_SYSTEMS["loinc"], "code": "34109-9", "display": "Note"}],
            "text": row["specialty"] or "Note",
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/"
                        "us-core-documentreference-category",
                        "code": "clinical-note",
                        "display": "Clinical Note",
                    }
                ]
            }
        ],
        "subject": {"reference": "Patient/" + _PATIENT},
        "date": _DATE,
        "description": row["sample_name"] or "MTSamples transcription",
        "content": [{"attachment": {"contentType": CONTENT_TYPE, "data": data}}],
    }
    text = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).replace("%", "%%")
    return text.replace(_ID, "%s").replace(_PATIENT, "%s").replace(_DATE, "%s") + "\n"


def load(
    directory: Path, pack: KnowledgePack, progress: Callable[[int], None] | None = None
) -> Transcriptions:
    """Read and classify the transcriptions of ``directory`` once (see the module's doc)."""
    return classify(read_frame(directory), Path(directory) / FILE, pack, progress)


def classify(
    rows: list[dict[str, str]],
    path: Path,
    pack: KnowledgePack,
    progress: Callable[[int], None] | None = None,
) -> Transcriptions:
    """Keep the rows of :func:`read_frame` (read from ``path``) in which no finding counts for
    a screening note rule. ``progress`` is called with the number of rows just classified."""
    from cluneal.nlp.finding import NoteError
    from cluneal.nlp.pipeline import pipeline
    from cluneal.screening.notes import counts_as, decode

    nlp, rules = pipeline(pack), pack.screening.notes
    kept: list[str] = []
    excluded: Counter[str] = Counter()
    for start in range(0, len(rows), BATCH):
        batch = []
        for row in rows[start : start + BATCH]:
            data = base64.b64encode(row["text"].encode("utf-8")).decode("ascii")
            try:
                batch.append((row, data, decode(CONTENT_TYPE, data)))
            except NoteError:
                continue  # the screening would skip it: no use as a note
        for (row, data, _), found in zip(batch, nlp.find(t for _, _, t in batch), strict=True):
            counted = {r.feature for f in found for r in rules if counts_as(f, r)}
            excluded.update(counted)
            if not counted:
                kept.append(_template(row, data))
        if progress is not None:
            progress(len(rows[start : start + BATCH]))
    if not kept:
        raise SourceError(path, "every transcription shows a screening finding: none to attach")
    return Transcriptions(path.name, len(rows), tuple(kept), dict(sorted(excluded.items())))
