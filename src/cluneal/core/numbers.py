"""Exact arithmetic for the figures a clinician reads (relief %, ODI %)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def one_decimal(value: Fraction) -> float:
    """Round half up to one decimal, from the exact fraction (no binary floating-point drift)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def relief_fraction(before: int, after: int) -> Fraction | None:
    """Relief ``(before - after) / before * 100`` as an exact fraction; None when before is 0."""
    if before <= 0:
        return None
    return Fraction(before - after, before) * 100


def plain(value: float) -> float | int:
    """Show 50.0 as 50 and keep 50.5: thresholds are printed as a person would write them."""
    return int(value) if float(value).is_integer() else value
