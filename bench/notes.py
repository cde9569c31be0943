"""Notes per second per core of the notes pipeline on MTSamples and on Synthea's notes.

    python bench/notes.py [--limit N]

The pipeline is built once (not timed); each corpus goes through ``find`` in one batch, and the
rate is taken over the process's CPU time (so per core) as well as over the wall clock.
"""

from __future__ import annotations

import argparse
import base64
import json
import time
from collections import Counter
from pathlib import Path

import rdata

from cluneal.nlp.pipeline import find, pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared" / "external"
MTSAMPLES = SHARED / "mtsamples" / "mtsamples.rda"
SYNTHEA = SHARED / "synthea-bulk-10" / "DocumentReference.000.ndjson"


def mtsamples() -> list[str]:
    frame = rdata.read_rda(str(MTSAMPLES))["mtsamples"]
    return [t if isinstance(t, str) else "" for t in frame["transcription"]]


def synthea() -> list[str]:
    notes = []
    with SYNTHEA.open(encoding="utf-8") as f:
        for line in f:
            for content in json.loads(line).get("content", []):
                attachment = content.get("attachment", {})
                if attachment.get("contentType", "").startswith("text/plain"):
                    notes.append(base64.b64decode(attachment["data"]).decode("utf-8"))
    return notes


def run(name: str, texts: list[str]) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    found = find(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    concepts = Counter(f.concept for fs in found for f in fs)
    chars = sum(map(len, texts)) / max(1, len(texts))
    print(
        f"{name:10} {len(texts):6} notes (mean {chars:,.0f} chars): "
        f"{len(texts) / cpu:7.1f} notes/s/core (CPU), {len(texts) / wall:7.1f} notes/s (wall); "
        f"cluneal_entrapment {concepts['cluneal_entrapment']}, "
        f"notes with findings {sum(bool(fs) for fs in found)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Notes per corpus (default all).")
    args = parser.parse_args()
    start = time.perf_counter()
    pipeline()
    print(f"pipeline built in {time.perf_counter() - start:.1f} s")
    for name, load in (("mtsamples", mtsamples), ("synthea", synthea)):
        run(name, load()[: args.limit])


if __name__ == "__main__":
    main()
