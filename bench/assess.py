"""Assessment engine throughput: cases per second, against reading and writing the same JSON.

Prints medians of repeated runs; the baseline (json.loads + json.dumps of the same case) is
measured in the same run, so the ratio is comparable across machines.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from cluneal.core import assess_json
from cluneal.knowledge.loader import default_pack

CASE = (Path(__file__).parents[1] / "tests" / "data" / "example-case.json").read_text()
N, REPEATS = 2_000, 7


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(N):
            fn()
        runs.append((time.perf_counter() - start) / N)
    return statistics.median(runs)


def main() -> None:
    pack = default_pack()
    start = time.perf_counter()
    default_pack.cache_clear()
    default_pack()
    load_ms = (time.perf_counter() - start) * 1000
    baseline = timed(lambda: json.dumps(json.loads(CASE)))
    engine = timed(lambda: json.dumps(assess_json(json.loads(CASE), pack)))
    print(f"knowledge pack load: {load_ms:.1f} ms (once per process)")
    print(f"baseline json round trip: {baseline * 1e6:.1f} us/case")
    print(f"parse + assess + serialise: {engine * 1e6:.1f} us/case = {1 / engine:,.0f} cases/s")
    print(f"ratio to baseline: {engine / baseline:.1f} x")


if __name__ == "__main__":
    main()
