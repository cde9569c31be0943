"""The visit summary / referral letter: an A4 PDF in fpdf2's core fonts (latin-1 only, so every
string goes through :func:`latin1`). Nothing is fetched. Statements carry their source ids in
brackets; the sources are listed at the end with their evidence grade."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from importlib.metadata import version
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cluneal.core.assessment import Assessment, Cited
from cluneal.core.case import History
from cluneal.core.record import case_of
from cluneal.core.scores import odi_caution
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.web.records.mapping import record_of
from cluneal.web.records.models import Block, Patient, Visit
from cluneal.web.records.timeline import SHORT, PanelPlot, Timeline, plot

TITLE = "Cluneal nerve assessment - visit summary"
WIDE = {"≥": ">=", "≤": "<=", "±": "+/-", "…": "...", "→": "->", "✓": "yes", "✗": "no"}
ASCII = str.maketrans("–—−‐‘’“”µμ•·×\u00a0′″", "----''\"\"uu--x '\"") | str.maketrans(WIDE)
HISTORY = [f.name for f in fields(History) if f.name != "pain_sites"]
EVENT_RGB = {"block": (74, 85, 96), "surgery": (164, 22, 26), "radiofrequency": (29, 107, 52)}
LEGEND = (
    "NRS: solid line, dots. RMDQ: dashed line, squares. ODI: dotted line, triangles. "
    "B block, S surgery (release or neurectomy), RF radiofrequency."
)
MARKS = {"satisfied": "[yes]", "unsatisfied": "[no]", "unknown": "[?]"}


def latin1(text: Any) -> str:
    """``text`` in latin-1 for the core fonts: typographic signs as ASCII, anything else as ?."""
    return str(text).translate(ASCII).encode("latin-1", "replace").decode("latin-1")


def _words(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "not recorded", True: "yes", False: "no"}[value]
    if isinstance(value, list | tuple):
        return ", ".join(str(x).replace("_", " ") for x in value) or "none"
    return str(value).replace("_", " ")


def _ids(sources: tuple[str, ...] | list[str]) -> str:
    return f" [{', '.join(sources)}]" if sources else ""


def _cited(c: Cited) -> str:
    return c.text + _ids(c.sources)


class _Letter(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", size=7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, latin1(f"{self.footer_text} Page {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str, size: float = 12) -> None:
        if self.get_y() > self.page_break_trigger - 20:
            self.add_page()
        self.ln(2)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, style: str = "", indent: float = 0) -> None:
        self.set_font("Helvetica", style, 9.5)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, 4.6, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullets(self, items: list[str], indent: float = 3) -> None:
        for item in items:
            self.para(f"- {item}", indent=indent)

    def section(self, title: str, items: list[str], empty: str = "") -> None:
        if items or empty:
            self.para(title, style="B")
            self.bullets(items or [empty])


def summary_pdf(
    patient: Patient,
    assessment: Assessment,
    pack: KnowledgePack,
    timeline: Timeline,
    *,
    author: str,
    visit: Visit | None = None,
    compress: bool = True,
) -> bytes:
    """``visit`` and the record up to its date; else the latest visit and the whole record."""
    pdf = _Letter(
        f"Decision support for a clinician, not a diagnosis. Cluneal {version('cluneal')}, "
        f"knowledge pack {pack.name} {pack.version}."
    )
    pdf.set_compression(compress)
    pdf.set_title(TITLE)
    pdf.add_page()
    pdf.heading(TITLE, size=16)
    pdf.para(f"Record number: {patient.record_number}", style="B")
    pdf.para(f"Year of birth: {patient.birth_year or 'not recorded'}    Sex: {patient.sex}")
    if patient.name:
        pdf.para(f"Name: {patient.name}")
    pdf.para(f"Date: {dt.date.today().isoformat()}    Author: {author}")
    as_of = visit.date if visit is not None else None
    shown = visit or max(patient.visits.all(), key=lambda x: (x.date, x.created_at), default=None)
    _findings(pdf, patient, shown, as_of)
    _assessment(pdf, assessment, pack)
    _chart(pdf, timeline)
    pdf.heading("Sources")
    for sid in used_sources(assessment, pack):
        src = pack.sources.get(sid)
        pdf.para(f"[{sid}] {src.short} - {src.grade_label}" if src else f"[{sid}]", style="B")
        pdf.para(src.citation if src else "Not in this knowledge pack.", indent=4)
    return bytes(pdf.output())


def _findings(pdf: _Letter, patient: Patient, visit: Visit | None, as_of: dt.date | None) -> None:
    pdf.heading("Findings" + (f" at the visit of {visit.date.isoformat()}" if visit else ""))
    if visit is None:
        pdf.para("No visit recorded.")
    else:
        # What the visit did not record comes from earlier visits, as the engine reads it.
        case = case_of(record_of(patient), visit.date)
        history, exam = case["history"], case["exam"]
        if sites := history.get("pain_sites"):
            where = "; ".join(f"{side}: {_words(sites.get(side, []))}" for side in v.SIDES)
            pdf.para(f"Pain sites: {where}")
        for key in HISTORY:
            label = key.replace("_", " ").capitalize().replace(" months", " (months)")
            if history.get(key) is not None:
                pdf.para(f"{label}: {_words(history[key])}")
        if case.get("current_nrs") is not None:
            pdf.para(f"Pain (NRS): {case['current_nrs']}/10")
        pdf.para("Examination", style="B")
        for side, nerve in ((side, nerve) for side in v.SIDES for nerve in v.NERVES):
            found = exam.get(side, {}).get(nerve)
            pdf.para(f"{side.capitalize()} {nerve.upper()}: {_finding(nerve, found)}", indent=3)
    blocks = [b for b in patient.blocks.all() if as_of is None or b.date <= as_of]
    pdf.para("Blocks", style="B")
    pdf.bullets([] if blocks else ["None recorded."])
    if blocks:
        pdf.set_font("Helvetica", size=9)
        heads = ("Date", "Nerve", "Side", "NRS before", "NRS after", "Relief %", "Relief days")
        with pdf.table(col_widths=(24, 14, 14, 20, 20, 18, 22), text_align="LEFT") as table:
            for row in (heads, *map(_block_row, blocks)):
                table.row(row)
        pdf.ln(1)
    treatments = [t for t in patient.treatments.all() if as_of is None or t.date <= as_of]
    lines = [
        f"{t.date.isoformat()} {t.kind.replace('_', ' ')}, {t.nerve.upper()} {t.side}, "
        f"outcome: {(t.outcome or 'not yet known').replace('_', ' ')}"
        for t in treatments
    ]
    pdf.section("Treatments", lines, empty="None recorded.")


def _block_row(b: Block) -> list[str]:
    relief = f"{(b.nrs_before - b.nrs_after) / b.nrs_before * 100:.0f}" if b.nrs_before else "-"
    days = "-" if b.relief_days is None else f"{float(b.relief_days):g}"
    cells = (b.date, b.nerve.upper(), b.side, b.nrs_before, b.nrs_after, relief, days)
    return [str(c) for c in cells]


def _finding(nerve: str, f: dict[str, Any] | None) -> str:
    if not f:
        return "not examined"
    where = "from the midline" if nerve == "scn" else "below the PSIS"
    parts = [f"tender: {_words(f.get('tender'))}"]
    if f.get("distance_mm") is not None:
        parts.append(f"{f['distance_mm']:g} mm {where}")
    for key in ("reproduces_complaint", "radiation_on_pressure"):
        if f.get(key) is not None:
            parts.append(f"{key.replace('_', ' ')}: {_words(f[key])}")
    return "; ".join(parts)


def _assessment(pdf: _Letter, a: Assessment, pack: KnowledgePack) -> None:
    pdf.heading("Assessment")
    pdf.section("Red flags: these come first", [_cited(f) for f in a.red_flags])
    pdf.section("Before surgery", [_cited(w) for w in a.warnings])
    pdf.para("Status and next step for each nerve and side", style="B")
    for n in a.nerves:
        stage = pack.pathway.stages.get(n.stage)
        title = stage.title if stage else n.stage.replace("_", " ")
        blocks = f"{n.blocks.count} block(s), {n.blocks.positive} positive"
        pdf.para(f"{n.side.capitalize()} {n.nerve.upper()}: {title}", style="B", indent=3)
        pdf.para(f"Status: {n.status}; {blocks}", indent=6)
        pdf.bullets([_cited(s) for s in n.next_steps], indent=6)
    titles = {c.id: c.title for c in pack.criteria}
    pdf.para("Published criteria", style="B")
    for c in a.criteria:
        status = c.status.replace("_", " ").upper()
        line = f"{c.side.capitalize()}: {status} - {titles.get(c.id, c.id)}{_ids(c.sources)}"
        pdf.para(line, indent=3)
        pdf.bullets([f"{MARKS.get(i.status, i.status)} {i.text}" for i in c.items], indent=6)
    diffs = {d.id: d.title for d in pack.differentials}
    pdf.section(
        "Consider also", [f"{diffs.get(d.id or '', 'Other')}: {_cited(d)}" for d in a.differentials]
    )
    pdf.section("Questionnaires", [_score(k, s, pack) for k, s in a.scores.items()])


def _score(key: str, s: dict[str, Any], pack: KnowledgePack) -> str:
    inst = pack.instruments.get(key)
    name, cites = (inst.name, _ids(inst.sources)) if inst else (key, "")
    if key == "startback":
        text = f"total {s['total']}/9, psychosocial {s['psychosocial']}/5, {s['risk']} risk"
    elif key == "odi" and s["percent"] is not None:
        text = f"{s['percent']:g}% ({s['answered']} of 10 sections)"
    elif key == "odi":
        text = "no section answered"
    else:
        text = f"{s['score']}/24"
    caution = odi_caution(s, pack) if key == "odi" else None
    return f"{name}: {text}{cites}" + (f". {_cited(caution)}" if caution else "")


def _chart(pdf: _Letter, t: Timeline) -> None:
    """The timeline's :func:`~cluneal.web.records.timeline.plot`, drawn with lines (mm)."""
    panel, gap, strip = 24.0, 9.0, 6.0
    if t.dates() and pdf.get_y() + strip + 3 * panel + 2 * gap + 30 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.heading("Pain and disability over time")
    left, right = pdf.l_margin + 12, pdf.w - pdf.r_margin - 6
    y0 = pdf.get_y() + strip + 5
    laid = plot(t, left, right, y0, panel, gap)
    if laid is None:
        return pdf.para("No scores recorded yet.")
    bottom = laid.panels[-1].bottom
    for pp in laid.panels:
        _panel(pdf, pp, left, right)
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_line_width(0.3)
    for ex, e in laid.events:
        label = SHORT[e.kind]
        pdf.set_draw_color(*EVENT_RGB[e.kind])
        pdf.set_text_color(*EVENT_RGB[e.kind])
        pdf.set_dash_pattern(dash=1, gap=0.8)
        pdf.line(ex, y0 - strip, ex, bottom)
        pdf.set_dash_pattern()
        pdf.text(ex - pdf.get_string_width(label) / 2, y0 - strip - 1, label)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", size=7)
    for tx, _d, label in laid.ticks:
        pdf.text(tx - pdf.get_string_width(label) / 2, bottom + 4, latin1(label))
    pdf.set_y(bottom + 6)
    pdf.para(LEGEND + ("" if t.has_scores else " No scores recorded yet."))


def _panel(pdf: _Letter, pp: PanelPlot, left: float, right: float) -> None:
    """One series: its title, grid, line and markers."""
    s, top = pp.series, pp.top
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.text(left, top - 1.5, latin1(s.title))
    pdf.set_font("Helvetica", size=7)
    pdf.set_draw_color(200, 206, 214)
    pdf.set_line_width(0.2)
    for gy, label in pp.grid:
        pdf.line(left, gy, right, gy)
        pdf.text(left - 1.5 - pdf.get_string_width(label), gy + 1, label)
    points = [(px, py) for px, py, _p in pp.points]
    if not points:
        pdf.text(left + 3, (pp.top + pp.bottom) / 2, "None recorded")
    colour = tuple(int(s.colour[j : j + 2], 16) for j in (1, 3, 5))
    pdf.set_draw_color(*colour)
    pdf.set_fill_color(*colour)
    pdf.set_line_width(0.45)
    pdf.set_dash_pattern(*(float(n) / 4 for n in (s.dash or "0 0").split()))
    if len(points) > 1:
        pdf.polyline(points)
    pdf.set_dash_pattern()
    r = 0.5 if len(points) > 60 else 0.8
    for px, py in points:
        if s.marker == "circle":
            pdf.circle(px, py, r, style="F")
        elif s.marker == "square":
            pdf.rect(px - r, py - r, 2 * r, 2 * r, style="F")
        else:
            pdf.polygon([(px, py - r * 1.2), (px + r, py + r), (px - r, py + r)], style="F")


def used_sources(a: Assessment, pack: KnowledgePack) -> list[str]:
    """Every source id the assessment cites, in natural order (S2 before S10)."""
    steps = [s for n in a.nerves for s in n.next_steps]
    ids = {i for c in (*a.red_flags, *a.warnings, *a.differentials, *steps) for i in c.sources}
    ids.update(i for c in a.criteria for i in c.sources)
    ids.update(i for k in a.scores if k in pack.instruments for i in pack.instruments[k].sources)
    return sorted(ids, key=lambda i: (i.rstrip("0123456789"), len(i), i))
