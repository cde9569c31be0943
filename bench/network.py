"""Registry network: how long pooling takes, for many shares of large installations.

Makes --shares shares of --patients synthetic patients each (seeds 1..N, exact counts, kept in
--workdir so that a second run reuses them), then times, as medians of --repeat runs:

* baseline: reading the share files and parsing their JSON (what any pooling must do);
* checking every share (shape, digest) and their compatibility;
* pooling and building every table (sums, Kaplan-Meier of the merged life tables, the
  meta-analyses, Mantel-Haenszel with the exact test, questionnaires);
* drawing every figure as SVG (once: matplotlib);
* the pooled curves against lifelines on the union is a test (tests/registry/network), not this.

It prints the figures and the load average; nothing is asserted.

    python bench/network.py                          # 100 shares of 10,000 patients
    python bench/network.py --shares 10 --patients 2000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path


def median_seconds(fn, repeat: int):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=100)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cluneal-bench-network"
    )
    args = parser.parse_args()

    from cluneal.knowledge.loader import default_pack
    from cluneal.registry.network import check, report, share
    from cluneal.registry.synth import generate

    pack = default_pack()
    print(f"load average at start: {os.getloadavg()}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    paths, making = [], []
    for seed in range(1, args.shares + 1):
        path = args.workdir / f"share-{args.patients}-{seed}.json"
        if not path.exists():
            started = time.perf_counter()
            made = share.make(
                generate(args.patients, seed).cohort,
                pack,
                label=f"Synthetic installation {seed}",
                min_cell=0,
                cluneal_version="bench",
            )
            path.write_bytes(share.dumps(made))
            making.append(time.perf_counter() - started)
        paths.append(path)
    if making:
        print(
            f"made {len(making)} shares: {statistics.median(making):.2f} s each (median), "
            "generator and analyses included"
        )
    sizes = [p.stat().st_size for p in paths]
    print(
        f"{len(paths)} shares of {args.patients:,} patients: {sum(sizes) / 1e6:.1f} MB "
        f"({statistics.median(sizes) / 1e3:.0f} kB each, median)"
    )

    def parse_json() -> list[object]:
        return [json.loads(p.read_bytes()) for p in paths]

    def read_and_check() -> list[check.Share]:
        shares = [check.parse(p.read_bytes(), p.name) for p in paths]
        check.compatible(shares)
        return shares

    baseline, _ = median_seconds(parse_json, args.repeat)
    checking, shares = median_seconds(read_and_check, args.repeat)
    pooling, built = median_seconds(lambda: report.build(shares, pack), args.repeat)
    started = time.perf_counter()
    for name in report.FIGURE_TITLES:
        built.svg(name)
    drawing = time.perf_counter() - started
    rows = sum(len(t.rows) for t in built.tables)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline, read + json.loads:       {baseline:8.2f} s")
    print(f"read + check (shape, digest):      {checking:8.2f} s  ({checking / baseline:.1f} x)")
    print(f"pool + every table ({rows} rows):  {pooling:8.2f} s  ({pooling / baseline:.1f} x)")
    print(f"every figure as SVG ({len(report.FIGURE_TITLES)}):         {drawing:8.2f} s")
    print(
        f"total, files to page:              {checking + pooling + drawing:8.2f} s; "
        f"peak memory {peak:.0f} MB"
    )
    curve = built.pooled.curves["surgery"]["low"]
    print(
        f"pooled: {built.pooled.flow['low'].patients:,} patients; surgery curve "
        f"{curve.n:,} nerve-sides, {len(curve.life_table):,} distinct times"
    )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
