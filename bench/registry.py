"""Registry analytics: how long the analyses and the figures take as the cohort grows.

For each size, on the package's seeded synthetic cohort (no database): the time to build every
analysis (flow, block response, Kaplan-Meier, Fisher, questionnaires), and the time to draw the
page's figures as SVG. Baseline, in the same run: one pass over the cohort's blocks in plain
Python (what any analysis must at least read). Medians of --repeat runs. Nothing is asserted.

    python bench/registry.py                   # 1,000, 10,000 and 100,000 patients
    python bench/registry.py --sizes 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time


def median_seconds(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    from cluneal.knowledge.loader import default_pack
    from cluneal.registry import report
    from cluneal.registry.synth import generate

    pack = default_pack()
    report.build(generate(10, seed=1).cohort, pack).svg("flow")  # imports matplotlib, lifelines
    first = time.perf_counter() - started
    print(f"first use (imports: pack, matplotlib, lifelines, scipy; one figure): {first:.2f} s")
    print(
        f"{'patients':>9} {'blocks':>8} {'read (s)':>9} {'analyses (s)':>13} {'x read':>7} "
        f"{'figures (s)':>12}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        cohort = generate(size, seed=1).cohort
        blocks = [b for p in cohort.patients for b in p.blocks]

        def read() -> float:
            return sum(b.nrs_before - b.nrs_after for b in blocks)  # noqa: B023

        read_s, _ = median_seconds(read, args.repeat)
        build_s, built = median_seconds(lambda: report.build(cohort, pack), args.repeat)  # noqa: B023
        names = list(report.FIGURE_TITLES)
        draw_s, _ = median_seconds(
            lambda: [built.svg(n) for n in names],  # type: ignore[attr-defined]  # noqa: B023
            args.repeat,
        )
        print(
            f"{size:>9,} {len(blocks):>8,} {read_s:>9.3f} {build_s:>13.2f} "
            f"{build_s / read_s:>7.0f} {draw_s:>12.2f}"
        )


if __name__ == "__main__":
    main()
