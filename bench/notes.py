"""Notes per second per core of the notes pipeline on MTSamples and on Synthea's notes.

    python bench/notes.py [--limit N] [--repeat R]

The pipeline is built once (not timed). Each corpus goes through the full pipeline
(``find_full``, spaCy over every note whole: the baseline, measured in the same run) and the
prefiltered one (``find``), R times each alternately; the median rate is taken over the
process's CPU time (so per core) and over the wall clock, and the findings of both must be
equal. A profile of the prefiltered path says where its time goes: the prefilter, spaCy's
tokenizer on the pieces it chose, the target matchers run in them, then (in the notes with a
finding) sentences and checklist entries, ConText, sections, and the rules and findings.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import rdata

from cluneal.nlp import pipeline as pipeline_module
from cluneal.nlp.pipeline import pipeline
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


class Timed:
    """A stage of the pipeline with its CPU time added up in ``stages[name]``."""

    def __init__(self, stages: dict[str, float], name: str, call: Callable[..., Any]) -> None:
        self.stages, self.name, self.call = stages, name, call

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return self.call(*args, **kwargs)
        finally:
            self.stages[self.name] += time.process_time() - start


class TimedTokenizer:
    """The tokenizer's ``pipe`` with the time of making each doc added up."""

    def __init__(self, stages: dict[str, float], tokenizer: Any) -> None:
        self.stages, self.tokenizer = stages, tokenizer

    def pipe(self, texts: Iterable[str], batch_size: int) -> Iterator[Any]:
        docs = iter(self.tokenizer.pipe(texts, batch_size=batch_size))
        while True:
            start = time.process_time()
            doc = next(docs, None)
            self.stages["tokenizer"] += time.process_time() - start
            if doc is None:
                return
            yield doc


def profile(texts: list[str]) -> dict[str, float]:
    """CPU seconds per stage of ``Pipeline.find``: each stage timed in place (the rest, the
    pieces joined, lists, pruning and each finding's side and attributes, is "rules")."""
    p = pipeline()
    stages = dict.fromkeys(
        ("prefilter", "tokenizer", "target matchers", "sentences", "ConText", "sections"), 0.0
    )
    saved = (p.prefilter.regions, p.nlp.tokenizer, p.targets, p.cues.apply, p.sections.headers)
    saved_of, saved_split = p.sections.of, pipeline_module.split_sentences
    p.prefilter.regions = Timed(stages, "prefilter", p.prefilter.regions)  # type: ignore[method-assign]
    p.nlp.tokenizer = TimedTokenizer(stages, p.nlp.tokenizer)
    p.targets = Timed(stages, "target matchers", p.targets)  # type: ignore[assignment]
    p.cues.apply = Timed(stages, "ConText", p.cues.apply)  # type: ignore[method-assign]
    p.sections.headers = Timed(stages, "sections", p.sections.headers)  # type: ignore[method-assign]
    p.sections.of = Timed(stages, "sections", p.sections.of)  # type: ignore[method-assign]
    pipeline_module.split_sentences = Timed(stages, "sentences", split_sentences)
    try:
        start = time.process_time()
        p.find(texts)
        total = time.process_time() - start
    finally:
        p.prefilter.regions, p.nlp.tokenizer, p.targets, p.cues.apply, p.sections.headers = saved
        p.sections.of, pipeline_module.split_sentences = saved_of, saved_split
    stages["rules"] = total - sum(stages.values())
    chosen = [p.prefilter.plan(text) or [] for text in texts]
    read = sum(end - start for plan in chosen for start, end in plan)
    stages["chars read"] = read / max(1, sum(map(len, texts)))
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
