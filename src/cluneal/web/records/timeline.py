"""A record over time: pain (NRS), disability (RMDQ, ODI) and the procedures, by date.

:func:`timeline` reads a patient's record in a fixed number of queries (five, whatever its
size); :func:`timeline_svg_context` lays it out as three stacked panels sharing one date axis.
Every coordinate is computed here, so the template only places elements: no script and no
inline style (the Content-Security-Policy forbids both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cluneal.core import scores
from cluneal.knowledge import vocabulary as v
from cluneal.web.records.models import DiaryEntry, Patient, QuestionnaireAnswer

DAY = dt.timedelta(days=1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Order of points sharing a date: a visit, then a block (before, after), then the diary.
RANK = {"visit": 0, "before block": 1, "after block": 1, "questionnaire": 2, "diary": 2}
SHORT = {"block": "B", "surgery": "S", "radiofrequency": "RF"}


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    title: str
    maximum: int
    grid: tuple[int, ...]
    unit: str
    colour: str
    dash: str | None
    marker: str


SERIES = (
    Series("nrs", "NRS", "Pain (NRS 0-10)", 10, (0, 5, 10), "", "#0b5cad", None, "circle"),
    Series(
        "rmdq", "RMDQ", "Roland-Morris (RMDQ 0-24)", 24, (0, 12, 24), "", "#b35900", "6 3", "square"
    ),
    Series(
        "odi", "ODI", "Oswestry (ODI 0-100 %)", 100, (0, 50, 100), "%", "#6a3d9a", "2 3", "triangle"
    ),
)
EVENT_STYLE = {
    "block": ("#4a5560", "4 3"),
    "surgery": ("#a4161a", "8 3"),
    "radiofrequency": ("#1d6b34", "2 2"),
}


@dataclass(frozen=True)
class Point:
    date: dt.date
    value: float
    source: str  # visit, before block, after block, diary, questionnaire


@dataclass(frozen=True)
class Event:
    date: dt.date
    kind: str  # block, surgery, radiofrequency
    label: str  # "SCN L block"

    @property
    def short(self) -> str:
        return SHORT[self.kind]


@dataclass(frozen=True)
class Timeline:
    nrs: tuple[Point, ...] = ()
    rmdq: tuple[Point, ...] = ()
    odi: tuple[Point, ...] = ()
    events: tuple[Event, ...] = ()

    def series(self, key: str) -> tuple[Point, ...]:
        return tuple(getattr(self, key))

    @property
    def has_scores(self) -> bool:
        return bool(self.nrs or self.rmdq or self.odi)

    @property
    def empty(self) -> bool:
        return not (self.has_scores or self.events)

    def dates(self) -> list[dt.date]:
        return [p.date for p in (*self.nrs, *self.rmdq, *self.odi)] + [e.date for e in self.events]


def _rmdq(values: Any) -> int | None:
    if not isinstance(values, list):
        return None
    items = tuple(x if isinstance(x, bool) else None for x in values)
    return int(scores.rmdq(items)["score"])


def _odi(values: Any) -> float | None:
    if not isinstance(values, list):
        return None
    sections = tuple(x if type(x) is int and 0 <= x <= 5 else None for x in values)
    percent = scores.odi(sections)["percent"]
    return None if percent is None else float(percent)


def _scores(date: dt.date, q: Any, source: str, rmdq: list[Point], odi: list[Point]) -> None:
    q = q if isinstance(q, dict) else {}
    if "rmdq" in q and (score := _rmdq(q["rmdq"])) is not None:
        rmdq.append(Point(date, score, source))
    if "odi" in q and (percent := _odi(q["odi"])) is not None:
        odi.append(Point(date, percent, source))


def _order(p: Point) -> tuple[dt.date, int]:
    return p.date, RANK[p.source]


def _who(nerve: str, side: str) -> str:
    return f"{nerve.upper()} {side[:1].upper()}"


def timeline(patient: Patient) -> Timeline:
    """The patient's scores and procedures by date (five queries: visits, blocks, treatments,
    diary entries, questionnaire answers)."""
    nrs: list[Point] = []
    rmdq: list[Point] = []
    odi: list[Point] = []
    events: list[Event] = []
    for visit in patient.visits.all():
        if visit.current_nrs is not None:
            nrs.append(Point(visit.date, visit.current_nrs, "visit"))
        _scores(visit.date, visit.questionnaires, "visit", rmdq, odi)
    for b in patient.blocks.all():
        nrs.append(Point(b.date, b.nrs_before, "before block"))
        nrs.append(Point(b.date, b.nrs_after, "after block"))
        events.append(Event(b.date, "block", f"{_who(b.nerve, b.side)} block"))
    for t in patient.treatments.all():
        kind = "surgery" if t.kind in v.SURGICAL_KINDS else t.kind
        label = f"{_who(t.nerve, t.side)} {t.kind.replace('_', ' ')}"
        if kind in SHORT:
            events.append(Event(t.date, kind, label))
    for entry in DiaryEntry.objects.filter(link__patient=patient).order_by("date", "recorded_at"):
        nrs.append(Point(entry.date, entry.nrs, "diary"))
    answers = QuestionnaireAnswer.objects.filter(link__patient=patient).order_by("date", "pk")
    for answer in answers:
        _scores(answer.date, {answer.instrument: answer.values}, "questionnaire", rmdq, odi)
    return Timeline(
        nrs=tuple(sorted(nrs, key=_order)),
        rmdq=tuple(sorted(rmdq, key=_order)),
        odi=tuple(sorted(odi, key=_order)),
        events=tuple(sorted(events, key=lambda e: e.date)),
    )


# -- layout ----------------------------------------------------------------------------------------


def date_range(t: Timeline) -> tuple[dt.date, dt.date] | None:
    """First and last date shown; a single date is padded by a day on each side."""
    dates = t.dates()
    if not dates:
        return None
    lo, hi = min(dates), max(dates)
    return (lo - DAY, hi + DAY) if lo == hi else (lo, hi)


def day_label(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_label(d: dt.date, step: int = 1) -> str:
    return str(d.year) if step >= 12 else f"{MONTHS[d.month - 1]} {d.year}"


def date_ticks(lo: dt.date, hi: dt.date, most: int = 6) -> list[tuple[dt.date, str]]:
    """At most ``most`` readable ticks: every 1, 2, 7 or 14 days, else on the first of months."""
    span = (hi - lo).days
    for step in (1, 2, 7, 14):
        if span // step < most:
            days = [lo + k * step * DAY for k in range(span // step + 1)]
            return [(d, day_label(d)) for d in days]
    first = lo.year * 12 + lo.month - 1 + (lo.day > 1)
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240, 600):
        ticks, m = [], -(-first // step) * step
        while (d := dt.date(m // 12, m % 12 + 1, 1)) <= hi:
            ticks.append(d)
            m += step
        if len(ticks) <= most:
            return [(d, month_label(d, step)) for d in ticks]
    return [(lo, day_label(lo)), (hi, day_label(hi))]


def _n(value: float) -> str:
    return f"{value:g}"


def describe(t: Timeline) -> str:
    """The data in words, for ``<desc>`` and screen readers."""
    parts = []
    for s in SERIES:
        points = t.series(s.key)
        if len(points) == 1:
            parts.append(f"{s.name} {_n(points[0].value)}{s.unit} on {points[0].date.isoformat()}")
        elif points:
            a, b = points[0], points[-1]
            parts.append(
                f"{s.name} from {_n(a.value)}{s.unit} on {a.date.isoformat()} "
                f"to {_n(b.value)}{s.unit} on {b.date.isoformat()}"
            )
    for kind, one, many in (
        ("block", "block", "blocks"),
        ("surgery", "surgery", "surgeries"),
        ("radiofrequency", "radiofrequency treatment", "radiofrequency treatments"),
    ):
        n = sum(1 for e in t.events if e.kind == kind)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return "; ".join(parts) + "." if parts else "No scores or procedures recorded."


LEFT, RIGHT, TOP, PANEL, GAP, BOTTOM = 48, 32, 56, 100, 28, 34
EVENT_ROWS = (12, 23, 34)


def _r(x: float) -> float:
    return round(x, 1)


def _event_rows(xs: list[float], min_gap: float = 18) -> list[int]:
    """A label row for each event (by x) so that labels close together do not overlap."""
    last = [-1e9] * len(EVENT_ROWS)
    rows = []
    for x in xs:
        row = next((r for r, lx in enumerate(last) if x - lx >= min_gap), None)
        row = min(range(len(last)), key=lambda r: last[r]) if row is None else row
        last[row] = x
        rows.append(row)
    return rows


@dataclass(frozen=True)
class PanelPlot:
    """One series' panel: its top and bottom, its grid lines (y, label) and its points."""

    series: Series
    top: float
    bottom: float
    grid: tuple[tuple[float, str], ...]
    points: tuple[tuple[float, float, Point], ...]


@dataclass(frozen=True)
class Plot:
    """The timeline laid out in some unit (SVG user units, PDF millimetres): three stacked
    panels sharing one date axis, the events' x and the date ticks. The page and the letter
    both draw this, so they show the same chart."""

    start: dt.date
    end: dt.date
    panels: tuple[PanelPlot, ...]
    events: tuple[tuple[float, Event], ...]
    ticks: tuple[tuple[float, dt.date, str], ...]


def plot(
    t: Timeline,
    left: float,
    right: float,
    top: float,
    panel: float,
    gap: float,
    rnd: Callable[[float], float] = float,
) -> Plot | None:
    """The layout of ``t`` between ``left`` and ``right``, its first panel at ``top``; None
    when there is nothing to show. ``rnd`` rounds every coordinate."""
    rng = date_range(t)
    if rng is None:
        return None
    lo, hi = rng
    span = (hi - lo).days

    def x(d: dt.date) -> float:
        return rnd(left + (d - lo).days / span * (right - left))

    panels = []
    for i, s in enumerate(SERIES):
        y0 = top + i * (panel + gap)

        def y(value: float, y0: float = y0, s: Series = s) -> float:
            return rnd(y0 + panel - min(max(value, 0), s.maximum) / s.maximum * panel)

        grid = tuple((y(g), f"{g}{s.unit}") for g in s.grid)
        points = tuple((x(p.date), y(p.value), p) for p in t.series(s.key))
        panels.append(PanelPlot(s, y0, y0 + panel, grid, points))
    events = tuple((x(e.date), e) for e in t.events)
    ticks = tuple((x(d), d, label) for d, label in date_ticks(lo, hi))
    return Plot(lo, hi, tuple(panels), events, ticks)


def timeline_svg_context(
    t: Timeline, width: int = 720, id_prefix: str = "timeline"
) -> dict[str, Any]:
    """SVG coordinates (user units) of the three panels, the date ticks and the events."""
    axis = TOP + 3 * PANEL + 2 * GAP
    context: dict[str, Any] = {
        "empty": t.empty,
        "has_scores": t.has_scores,
        "title": "Pain and disability over time",
        "desc": describe(t),
        "ids": {"title": f"{id_prefix}-title", "desc": f"{id_prefix}-desc"},
        "width": width,
        "height": axis + BOTTOM,
        "series": SERIES,
        "event_style": EVENT_STYLE,
    }
    laid = plot(t, LEFT, width - RIGHT, TOP, PANEL, GAP, _r)
    if laid is None:
        return context
    panels = []
    for pp in laid.panels:
        s = pp.series
        marks: list[dict[str, Any]] = [
            {
                "x": px,
                "y": py,
                "point": p,
                "title": f"{s.name} {_n(p.value)}{s.unit} on {p.date.isoformat()} ({p.source})",
            }
            for px, py, p in pp.points
        ]
        panel: dict[str, Any] = {"series": s, "top": pp.top, "bottom": pp.bottom}
        panel.update(title_y=pp.top - 8, middle=pp.top + PANEL // 2)
        panel["grid"] = [{"y": gy, "label": label} for gy, label in pp.grid]
        panel["points"] = " ".join(f"{_n(m['x'])},{_n(m['y'])}" for m in marks)
        panel["markers"], panel["small"] = marks, len(marks) > 60
        panels.append(panel)
    xs = [ex for ex, _ in laid.events]
    events = [
        {"x": ex, "event": e, "label_y": EVENT_ROWS[row], "style": EVENT_STYLE[e.kind]}
        for (ex, e), row in zip(laid.events, _event_rows(xs), strict=True)
    ]
    ticks = [{"x": tx, "label": label, "date": d} for tx, d, label in laid.ticks]
    rows = sorted(((p, s) for s in SERIES for p in t.series(s.key)), key=lambda r: r[0].date)
    x0, x1 = LEFT, width - RIGHT
    context.update(x0=x0, x1=x1, start=laid.start, end=laid.end, panels=panels)
    context.update(events=events, ticks=ticks)
    context.update(axis=axis, event_y1=EVENT_ROWS[-1] + 4, tick_label_y=axis + 18, grid_top=TOP)
    context["rows"] = [{"point": p, "series": s} for p, s in rows]
    return context
