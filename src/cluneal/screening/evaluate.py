"""Precision and recall per tier of a screening result against a population's truth.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from cluneal.core.screening import TIERS


@dataclass(frozen=True)
class TierScore:
    tier: str
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None


def evaluate(result_csv: Path, truth_csv: Path) -> list[TierScore]:
    with truth_csv.open(newline="") as f:
        truth = {r["patient_id"]: r["expected_tier"] for r in csv.DictReader(f)}
    with result_csv.open(newline="") as f:
        found = {r["patient_id"]: r["tier"] for r in csv.DictReader(f)}
    scores = []
    for tier in TIERS:
        expected = {p for p, t in truth.items() if t == tier}
        got = {p for p, t in found.items() if t == tier}
        scores.append(TierScore(tier, len(expected), len(got), len(expected & got)))
    return scores


def report(scores: list[TierScore]) -> str:
    def pct(x: float | None) -> str:
        return "   n/a" if x is None else f"{x * 100:5.1f}%"

    lines = [f"{'tier':<8}{'expected':>9}{'found':>7}{'correct':>8}  precision  recall"]
    for s in scores:
        counts = f"{s.tier:<8}{s.expected:>9}{s.found:>7}{s.correct:>8}"
        lines.append(f"{counts}  {pct(s.precision):>9}  {pct(s.recall):>6}")
    return "\n".join(lines)
