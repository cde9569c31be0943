"""The record's timeline: what it collects, where the SVG puts it, and how it reads."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from itertools import count

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from cluneal.web.accounts.models import Site
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Treatment,
    Visit,
)
from cluneal.web.records.timeline import (
    Event,
    Point,
    Timeline,
    date_ticks,
    plot,
    timeline,
    timeline_svg_context,
)

D = dt.date
SVG = "{http://www.w3.org/2000/svg}"
_tokens = count()


def link(patient: Patient, kind: str = "diary", block: Block | None = None) -> PatientLink:
    return PatientLink.objects.create(
        patient=patient,
        block=block,
        kind=kind,
        token_hash=f"{next(_tokens):064d}",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


@pytest.fixture
def site() -> Site:
    return Site.objects.create(name="Test clinic")


@pytest.fixture
def patient(site: Site) -> Patient:
    return Patient.objects.create(site=site, record_number="R-001", birth_year=1960, sex="female")


@pytest.fixture
def full_record(site: Site, patient: Patient) -> Patient:
    Visit.objects.create(
        patient=patient,
        date=D(2026, 10, 1),
        current_nrs=8,
        questionnaires={"rmdq": [True] * 14 + [False] * 10, "odi": [2] * 10},
    )
    block = Block.objects.create(
        patient=patient, date=D(2026, 10, 5), nerve="scn", side="left", nrs_before=8, nrs_after=2
    )
    Treatment.objects.create(
        patient=patient, date=D(2026, 10, 9), kind="surgical_release", nerve="scn", side="left"
    )
    Treatment.objects.create(
        patient=patient, date=D(2026, 10, 7), kind="radiofrequency", nerve="mcn", side="right"
    )
    diary = link(patient, block=block)
    DiaryEntry.objects.create(link=diary, date=D(2026, 10, 9), nrs=2)
    DiaryEntry.objects.create(link=diary, date=D(2026, 10, 6), nrs=3)
    QuestionnaireAnswer.objects.create(
        link=link(patient, "rmdq"), instrument="rmdq", values=[True] * 6, date=D(2026, 10, 9)
    )
    QuestionnaireAnswer.objects.create(
        link=link(patient, "odi"), instrument="odi", values=[None] * 10, date=D(2026, 10, 9)
    )
    # Someone else's diary must not leak into this record.
    other = Patient.objects.create(site=site, record_number="R-002")
    DiaryEntry.objects.create(link=link(other), date=D(2026, 10, 6), nrs=9)
    return patient


def triples(points: tuple[Point, ...]) -> list[tuple[dt.date, float, str]]:
    return [(p.date, p.value, p.source) for p in points]


@pytest.mark.django_db
def test_it_collects_scores_and_events_by_date(full_record: Patient) -> None:
    t = timeline(full_record)
    assert triples(t.nrs) == [
        (D(2026, 10, 1), 8, "visit"),
        (D(2026, 10, 5), 8, "before block"),
        (D(2026, 10, 5), 2, "after block"),
        (D(2026, 10, 6), 3, "diary"),
        (D(2026, 10, 9), 2, "diary"),
    ]
    assert triples(t.rmdq) == [(D(2026, 10, 1), 14, "visit"), (D(2026, 10, 9), 6, "questionnaire")]
    # ODI answered with no section at all has no percent, so it is not a point.
    assert triples(t.odi) == [(D(2026, 10, 1), 40.0, "visit")]
    assert [(e.date, e.kind, e.label, e.short) for e in t.events] == [
        (D(2026, 10, 5), "block", "SCN L block", "B"),
        (D(2026, 10, 7), "radiofrequency", "MCN R radiofrequency", "RF"),
        (D(2026, 10, 9), "surgery", "SCN L surgical release", "S"),
    ]


@pytest.mark.django_db
def test_a_neurectomy_is_surgery(patient: Patient) -> None:
    Treatment.objects.create(
        patient=patient, date=D(2026, 1, 2), kind="neurectomy", nerve="mcn", side="left"
    )
    assert timeline(patient).events == (Event(D(2026, 1, 2), "surgery", "MCN L neurectomy"),)


@pytest.mark.django_db
def test_it_takes_a_fixed_number_of_queries(full_record: Patient, django_assert_num_queries):
    with django_assert_num_queries(5):
        timeline(full_record)
    for day in range(20):  # more rows, same number of queries
        Visit.objects.create(patient=full_record, date=D(2026, 11, 1 + day), current_nrs=day % 11)
    with django_assert_num_queries(5):
        assert len(timeline(full_record).nrs) == 25


@pytest.mark.django_db
def test_an_empty_record_has_an_empty_timeline(patient: Patient) -> None:
    t = timeline(patient)
    assert t.empty and not t.has_scores
    context = timeline_svg_context(t)
    assert context["empty"] and "panels" not in context
    html = render_to_string("records/_timeline.html", {"timeline": context})
    assert "No scores recorded yet" in html
    assert "<svg" not in html


# -- coordinates ---------------------------------------------------------------------------------
# width 720: x from 48 to 688 (640 user units); panels 100 high, tops at 56, 184 and 312.

EXAMPLE = Timeline(
    nrs=(
        Point(D(2026, 10, 1), 10, "visit"),
        Point(D(2026, 10, 5), 8, "before block"),
        Point(D(2026, 10, 5), 2, "after block"),
        Point(D(2026, 10, 9), 0, "diary"),
    ),
    rmdq=(Point(D(2026, 10, 1), 12, "visit"), Point(D(2026, 10, 9), 24, "visit")),
    odi=(Point(D(2026, 10, 3), 40.0, "questionnaire"),),
    events=(
        Event(D(2026, 10, 5), "block", "SCN L block"),
        Event(D(2026, 10, 5), "block", "SCN R block"),
        Event(D(2026, 10, 9), "surgery", "SCN L surgical release"),
    ),
)


def panel(context: dict, key: str) -> dict:
    return next(p for p in context["panels"] if p["series"].key == key)


def test_points_sit_where_hand_computation_puts_them() -> None:
    c = timeline_svg_context(EXAMPLE)
    assert (c["x0"], c["x1"], c["width"]) == (48, 688, 720)
    # 8 days over 640 units: 80 a day. NRS 10 at the top of its panel (56), 0 at the bottom.
    assert panel(c, "nrs")["points"] == "48,56 368,76 368,136 688,156"
    assert panel(c, "nrs")["top"] == 56 and panel(c, "nrs")["bottom"] == 156
    # RMDQ 12 is half-way down its panel (184 + 50), 24 at its top.
    assert panel(c, "rmdq")["points"] == "48,234 688,184"
    # ODI 40 % on 3 October: x = 48 + 2 * 80; y = 312 + 100 - 40.
    assert panel(c, "odi")["points"] == "208,372"
    assert [(m["x"], m["y"]) for m in panel(c, "odi")["markers"]] == [(208, 372)]
    assert [g["y"] for g in panel(c, "nrs")["grid"]] == [156, 106, 56]
    assert [g["label"] for g in panel(c, "odi")["grid"]] == ["0%", "50%", "100%"]


def test_events_are_at_the_x_of_their_dates_with_labels_apart() -> None:
    c = timeline_svg_context(EXAMPLE)
    events = [(e["x"], e["event"].kind, e["event"].short) for e in c["events"]]
    assert events == [(368, "block", "B"), (368, "block", "B"), (688, "surgery", "S")]
    first, second, third = (e["label_y"] for e in c["events"])
    assert first != second  # two blocks on one day: stacked, not drawn over each other
    assert third == first


def test_date_ticks_are_few_and_readable() -> None:
    c = timeline_svg_context(EXAMPLE)
    assert [(t["x"], t["label"]) for t in c["ticks"]] == [
        (48, "1 Oct 2026"),
        (208, "3 Oct 2026"),
        (368, "5 Oct 2026"),
        (528, "7 Oct 2026"),
        (688, "9 Oct 2026"),
    ]
    assert date_ticks(D(2026, 1, 15), D(2026, 12, 20)) == [
        (D(2026, 3, 1), "Mar 2026"),
        (D(2026, 5, 1), "May 2026"),
        (D(2026, 7, 1), "Jul 2026"),
        (D(2026, 9, 1), "Sep 2026"),
        (D(2026, 11, 1), "Nov 2026"),
    ]
    assert [label for _, label in date_ticks(D(2015, 6, 1), D(2026, 2, 1))] == [
        "2016",
        "2018",
        "2020",
        "2022",
        "2024",
        "2026",
    ]


def test_a_single_date_is_padded_by_a_day_each_side() -> None:
    t = Timeline(nrs=(Point(D(2026, 10, 1), 5, "visit"),))
    c = timeline_svg_context(t)
    assert (c["start"], c["end"]) == (D(2026, 9, 30), D(2026, 10, 2))
    assert panel(c, "nrs")["points"] == "368,106"  # the middle, half-way up
    assert [t["label"] for t in c["ticks"]] == ["30 Sep 2026", "1 Oct 2026", "2 Oct 2026"]
    assert c["desc"] == "NRS 5 on 2026-10-01."


def test_many_points_stay_inside_with_few_ticks() -> None:
    start = D(2025, 1, 1)
    nrs = tuple(Point(start + dt.timedelta(days=k), k % 11, "diary") for k in range(400))
    c = timeline_svg_context(Timeline(nrs=nrs), width=600)
    xs = [m["x"] for m in panel(c, "nrs")["markers"]]
    assert xs[0] == 48 and xs[-1] == 600 - 32 and xs == sorted(xs)
    assert 2 <= len(c["ticks"]) <= 6
    assert all(48 <= t["x"] <= 568 for t in c["ticks"])
    assert panel(c, "nrs")["small"]
    assert c["desc"] == "NRS from 0 on 2025-01-01 to 3 on 2026-02-04."


# -- the rendered SVG ----------------------------------------------------------------------------


def svg_of(context: dict) -> tuple[str, ET.Element]:
    html = render_to_string("records/_timeline.html", {"timeline": context})
    match = re.search(r"<svg class=\"timeline-chart\".*?</svg>", html, re.S)
    assert match, html
    return html, ET.fromstring(match.group(0))


def test_the_svg_is_accessible_and_findable() -> None:
    html, svg = svg_of(timeline_svg_context(EXAMPLE))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == (
        "NRS from 10 on 2026-10-01 to 0 on 2026-10-09; RMDQ from 12 on 2026-10-01 to 24 on "
        "2026-10-09; ODI 40% on 2026-10-03; 2 blocks; 1 surgery."
    )
    lines = {p.get("data-series"): p for p in svg.iter(f"{SVG}polyline")}
    assert lines["nrs"].get("points") == "48,56 368,76 368,136 688,156"
    assert lines["rmdq"].get("stroke-dasharray") and lines["odi"].get("stroke-dasharray")
    assert lines["rmdq"].get("stroke-dasharray") != lines["odi"].get("stroke-dasharray")
    assert len({p.get("stroke") for p in lines.values()}) == 3
    lines_ = [e for e in svg.iter(f"{SVG}line") if e.get("data-event")]
    events = [(e.get("data-event"), float(e.get("x1")), float(e.get("x2"))) for e in lines_]
    assert events == [("block", 368, 368), ("block", 368, 368), ("surgery", 688, 688)]
    markers = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(f"{SVG}circle")]
    assert markers == [(48, 56), (368, 76), (368, 136), (688, 156)]
    assert ' style="' not in html and "<style" not in html  # the CSP forbids inline styles
    assert "No scores recorded yet" not in html
    assert "timeline-legend" in html and "RF: radiofrequency" in html


def test_events_without_scores_are_drawn_with_the_notice() -> None:
    t = Timeline(events=(Event(D(2026, 3, 1), "radiofrequency", "MCN L radiofrequency"),))
    html, svg = svg_of(timeline_svg_context(t))
    assert "No scores recorded yet" in html
    assert list(svg.iter(f"{SVG}polyline")) == []
    (rf,) = [e for e in svg.iter(f"{SVG}line") if e.get("data-event")]
    assert (rf.get("data-event"), float(rf.get("x1"))) == ("radiofrequency", 368)


def test_the_letter_lays_out_the_same_chart_in_millimetres() -> None:
    """The PDF letter draws :func:`plot` in its own unit: the same dates and values at the same
    places, scaled (here 8 days over 160 mm, panels 25 mm high with 5 mm between them)."""
    laid = plot(EXAMPLE, 10, 170, 20, 25, 5)
    assert laid is not None
    nrs, rmdq, odi = laid.panels
    assert [(x, y) for x, y, _ in nrs.points] == [(10, 20), (90, 25), (90, 40), (170, 45)]
    assert (rmdq.top, rmdq.bottom, odi.top) == (50, 75, 80)
    assert [(x, y) for x, y, _ in odi.points] == [(50, 95)]
    assert [x for x, _ in laid.events] == [90, 90, 170]
    assert [(x, label) for x, _, label in laid.ticks][::2] == [
        (10, "1 Oct 2026"),
        (90, "5 Oct 2026"),
        (170, "9 Oct 2026"),
    ]
    assert plot(Timeline(), 10, 170, 20, 25, 5) is None
