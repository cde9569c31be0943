"""FHIRPath's partial dates in SQL: comparison at the shared precision, and boundaries.

Dates and date-times are held as their FHIR strings (``2010``, ``2010-10``,
``2010-10-10T12:00:00+02:00``). Two values are compared at their common precision: if they
differ there, that decides; if they agree there but one is more precise, the answer is empty
(NULL), as FHIRPath says (its section 6.1.1 and 6.2). Values with a time are compared as instants.
"""

from __future__ import annotations

from .dialect import Dialect

_SAME = {"=": "TRUE", "<": "FALSE", ">": "FALSE", "<=": "TRUE", ">=": "TRUE"}
_ZONE = "(Z|[+-][0-9][0-9]:[0-9][0-9])$"


def compare(d: Dialect, op: str, a: str, b: str, *, with_time: bool) -> str:
    """``a op b`` for ``op`` in ``= < > <= >=``; ``with_time`` when either may hold a time."""
    common = f"least(length({a}), length({b}), 10)"
    da, db = f"substr({a}, 1, {common})", f"substr({b}, 1, {common})"
    instants = ""
    if with_time:
        instants = (
            f"WHEN length({a}) > 10 AND length({b}) > 10 THEN {d.epoch_ms(a)} {op} {d.epoch_ms(b)} "
        )
    return (
        f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL {instants}"
        f"WHEN {da} <> {db} THEN {da} {op} {db} "
        f"WHEN length({a}) = length({b}) THEN {_SAME[op]} ELSE NULL END"
    )


def _date_low(date: str) -> str:
    return (
        f"CASE length({date}) WHEN 4 THEN {date} || '-01-01' "
        f"WHEN 7 THEN {date} || '-01' ELSE {date} END"
    )


def _date_high(d: Dialect, date: str) -> str:
    month_end = d.last_day(f"{date} || '-01'")
    return (
        f"CASE length({date}) WHEN 4 THEN {date} || '-12-31' "
        f"WHEN 7 THEN {month_end} ELSE {date} END"
    )


def _time(time: str, high: bool) -> str:
    """A time of day (``HH``, ``HH:MM``, ``HH:MM:SS[.fff]``) filled to milliseconds."""
    fill, minute, second = ("9", "59", "59.999") if high else ("0", "00", "00.000")
    return (
        f"CASE length({time}) WHEN 2 THEN {time} || ':{minute}:{second}' "
        f"WHEN 5 THEN {time} || ':{second}' WHEN 8 THEN {time} || '.{second[3:]}' "
        f"ELSE substr(rpad({time}, 12, '{fill}'), 1, 12) END"
    )


def boundary(d: Dialect, value: str, kind: str, high: bool) -> str:
    """``lowBoundary()`` or ``highBoundary()`` of a decimal, date, dateTime or time value."""
    if kind == "decimal":
        text = f"CAST({value} AS {d.prim('string')})"
        digits = (
            f"CASE WHEN instr({text}, '.') > 0 THEN length({text}) - instr({text}, '.') ELSE 0 END"
        )
        sign = "+" if high else "-"
        return f"({value} {sign} 0.5 * power(10, -({digits})))"
    if kind == "date":
        return _date_high(d, value) if high else _date_low(value)
    if kind == "time":
        return f"CASE WHEN {value} IS NOT NULL THEN {_time(value, high)} END"
    date = f"substr({value}, 1, 10)"
    day = _date_high(d, date) if high else _date_low(date)
    time = f"regexp_extract({value}, {d.string('T([0-9:.]+)')}, 1)"
    zone = f"regexp_extract({value}, {d.string(_ZONE)}, 1)"
    default_zone = "'-12:00'" if high else "'+14:00'"
    whole_day = "'23:59:59.999'" if high else "'00:00:00.000'"
    return (
        f"CASE WHEN {value} IS NULL THEN NULL "
        f"WHEN length({value}) <= 10 THEN {day} || 'T' || {whole_day} || {default_zone} "
        f"ELSE {day} || 'T' || {_time(time, high)} || "
        f"CASE WHEN {zone} = '' THEN {default_zone} ELSE {zone} END END"
    )
