"""How many patients a red flag read only in a note moves to tier ``red_flag``, on MTSamples.

    python bench/red_flags.py [--limit N] [--engine duckdb|spark]

Each non-empty MTSamples transcription becomes one patient of a FHIR Bulk Data export, with a
chronic low back pain Condition (so that every patient is listed) and the transcription as a
text/plain DocumentReference written 30 days before the screening date. The export is screened
with and without notes: without them every patient is ``low``, so every patient in ``red_flag``
with notes is one a note-only red flag moved. Each is printed with its specialty, sample name and
the quoted words, to be read.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

import rdata

from cluneal.knowledge.loader import default_pack
from cluneal.screening.pipeline import screen

SHARED = Path(__file__).resolve().parents[2] / "shared" / "external"
MTSAMPLES = SHARED / "mtsamples" / "mtsamples.rda"
AS_OF = dt.date(2026, 12, 1)
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def samples() -> list[tuple[str, str, str]]:
    """(specialty, sample name, transcription) of every non-empty MTSamples note."""
    frame = rdata.read_rda(str(MTSAMPLES))["mtsamples"]
    columns = ("medical_specialty", "sample_name", "transcription")
    rows = zip(*(frame[c] for c in columns), strict=True)
    return [(str(s).strip(), str(n).strip(), t) for s, n, t in rows if isinstance(t, str) and t]


def write_export(root: Path, notes: list[tuple[str, str, str]]) -> None:
    written = (AS_OF - dt.timedelta(days=30)).isoformat()
    onset = (AS_OF - dt.timedelta(days=730)).isoformat()
    lines: dict[str, list[str]] = {"Patient": [], "Condition": [], "DocumentReference": []}
    for i, (_, _, text) in enumerate(notes):
        pid = f"mts-{i:05d}"
        lines["Patient"].append({"resourceType": "Patient", "id": pid, "gender": "unknown"})
        lines["Condition"].append(
            {
                "resourceType": "Condition",
                "id": f"lbp-{i:05d}",
                "subject": {"reference": f"Patient/{pid}"},
                "code": {"coding": [{"system": ICD, "code": "M54.50"}], "text": "Low back pain"},
                "onsetDateTime": onset,
            }
        )
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        lines["DocumentReference"].append(
            {
                "resourceType": "DocumentReference",
                "id": f"note-{i:05d}",
                "status": "current",
                "subject": {"reference": f"Patient/{pid}"},
                "date": written,
                "content": [{"attachment": {"contentType": "text/plain", "data": data}}],
            }
        )
    for kind, resources in lines.items():
        with (root / f"{kind}.000.ndjson").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in resources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Notes to use (default all).")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    args = parser.parse_args()
    notes = samples()[: args.limit]
    pack = default_pack()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        export = root / "export"
        export.mkdir()
        write_export(export, notes)
        codes = screen(export, root / "codes.csv", pack, as_of=AS_OF, read_notes=False)
        full = screen(export, root / "notes.csv", pack, engine=args.engine, as_of=AS_OF)
        with (root / "notes.csv").open(newline="") as f:
            flagged = [r for r in csv.DictReader(f) if r["tier"] == "red_flag"]
    print(f"{len(notes)} MTSamples notes, one patient each, screened on {args.engine}")
    print(f"without notes: {codes.tiers}")
    print(f"with notes:    {full.tiers} ({full.notes})")
    print(f"moved to red_flag by a note alone: {len(flagged)} of {len(notes)}")
    kinds: Counter[str] = Counter()
    for row in flagged:
        i = int(row["patient_id"].removeprefix("mts-"))
        specialty, name, _ = notes[i]
        for reason in row["reasons"].split("; "):
            kinds[reason.split(",")[0].removeprefix("Red flag: ")] += 1
            quote = reason.split("\u201c")[1].split("\u201d")[0] if "\u201c" in reason else ""
            print(f"  {i:5d} {specialty[:28]:28} {name[:40]:40} \u201c{quote}\u201d")
    print("by red flag:", dict(kinds.most_common()))


if __name__ == "__main__":
    main()
