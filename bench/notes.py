"""Notes per second per core of the notes pipeline on MTSamples and on Synthea's notes.

    python bench/notes.py [--limit N] [--repeat R]

The pipeline is built once (not timed). Each corpus goes through the full pipeline
(``find_full``, spaCy over every note whole: the baseline, measured in the same run) and the
prefiltered one (``find``), R times each alternately; the median rate is taken over the
process's CPU time (so per core) and over the wall clock, and the findings of both must be
equal. A profile of the prefiltered path says where its time goes: the prefilter, spaCy's
tokenizer and target matcher on the pieces it chose, then sentences and checklist entries,
ConText, sections and the findings.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rdata

from cluneal.nlp import lists
from cluneal.nlp.pieces import joined
from cluneal.nlp.pipeline import _checklist_items, _inside_entries, _prune, pipeline
from cluneal.nlp.sentences import split_sentences

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


def timed(read: Callable[[list[str]], list[Any]], texts: list[str]) -> tuple[float, float, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    found = read(texts)
    return time.process_time() - cpu, time.perf_counter() - wall, found


def profile(texts: list[str]) -> dict[str, float]:
    """CPU seconds per stage of the prefiltered path (the stages of ``Pipeline.find``)."""
    p = pipeline()
    stages: dict[str, float] = dict.fromkeys(
        (
            "prefilter",
            "tokenizer",
            "target matchers",
            "sentences + rules",
            "ConText",
            "sections",
        ),
        0.0,
    )
    clock = time.process_time()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.process_time()
        stages[stage] += now - clock
        clock = now

    read, keyed = [], []
    for text in texts:
        regions = p.prefilter.regions(text)
        if regions:  # (a note read whole, None, is rare: not in this profile)
            part, offsets = joined(text, [(start, end) for start, end, _ in regions])
            read.append(part)
            keyed.append(
                [(at, at + e - s, keys) for (at, _), (s, e, keys) in zip(offsets, regions)]
            )
    lap("prefilter")
    docs = list(p.nlp.tokenizer.pipe(read, batch_size=64))
    lap("tokenizer")
    found = [p.targets(doc, regions) for doc, regions in zip(docs, keyed, strict=True)]
    lap("target matchers")
    for doc, targets in zip(docs, found, strict=True):
        matches = lists.parts(targets, p.lexicon.joiners)
        spans = _prune(matches, p.suppresses)
        if not spans:
            continue
        entries = split_sentences(doc, p.lexicon.checklist)
        if entries:
            spans = _prune(_inside_entries(matches, entries), p.suppresses)
        spans = _checklist_items(spans, entries)
        if not spans:
            continue
        lap("sentences + rules")
        p.cues.apply(doc, spans)
        lap("ConText")
        sections = p.sections.of(doc, spans)
        lap("sections")
        denied = [(e.start, e.separator) for e in entries if e.negative]
        [p._finding(span, spans, denied, s) for span, s in zip(spans, sections, strict=True)]
        lap("sentences + rules")
    stages["chars read"] = sum(map(len, read)) / max(1, sum(map(len, texts)))
    return stages


def run(name: str, texts: list[str], repeat: int) -> None:
    p = pipeline()
    rates: dict[str, list[tuple[float, float]]] = {"full": [], "prefiltered": []}
    found: dict[str, Any] = {}
    for _ in range(repeat):
        for label, read in (("full", p.find_full), ("prefiltered", p.find)):
            cpu, wall, found[label] = timed(read, texts)
            rates[label].append((len(texts) / cpu, len(texts) / wall))
    assert found["full"] == found["prefiltered"], "the prefiltered findings differ"
    concepts = Counter(f.concept for fs in found["full"] for f in fs)
    chars = sum(map(len, texts)) / max(1, len(texts))
    print(f"{name}: {len(texts)} notes (mean {chars:,.0f} chars), findings equal on both paths")
    for label, values in rates.items():
        cpu_rate = statistics.median(r for r, _ in values)
        wall_rate = statistics.median(w for _, w in values)
        print(f"  {label:12} {cpu_rate:8.1f} notes/s/core (CPU), {wall_rate:8.1f} notes/s (wall)")
    ratio = statistics.median(r for r, _ in rates["prefiltered"]) / statistics.median(
        r for r, _ in rates["full"]
    )
    print(
        f"  prefiltered / full: {ratio:.1f} x; cluneal_entrapment "
        f"{concepts['cluneal_entrapment']}, notes with findings "
        f"{sum(bool(fs) for fs in found['full'])}"
    )
    stages = profile(texts)
    share = stages.pop("chars read")
    total = sum(stages.values())
    print(f"  profile of the prefiltered path ({share:.1%} of the characters read by spaCy):")
    for stage, seconds in stages.items():
        print(f"    {stage:22} {seconds / len(texts) * 1e6:8.1f} us/note  {seconds / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Notes per corpus (default all).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each path (median).")
    args = parser.parse_args()
    start = time.perf_counter()
    pipeline()
    print(f"pipeline built in {time.perf_counter() - start:.1f} s")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, load in (("mtsamples", mtsamples), ("synthea", synthea)):
        run(name, load()[: args.limit], args.repeat)


if __name__ == "__main__":
    main()
