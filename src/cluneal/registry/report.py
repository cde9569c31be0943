"""The registry report: every analysis of one cohort, its tables and its figures, for the page,
the downloads and ``cluneal report``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from cluneal.files import write_atomically
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry import blocks, comparison, figures, flow, km_tables, questionnaires, survival
from cluneal.registry.cohort import Cohort
from cluneal.registry.tables import Table, named

#: Figures in page order: name -> title.
FIGURE_TITLES = {
    "flow": "Cohort flow per nerve",
    "block_relief": "Relief after each block",
    "relief_duration": "How long the relief of a positive block lasted",
    "km_block": survival.TITLES["block"],
    "km_surgery": survival.TITLES["surgery"],
    "km_radiofrequency": survival.TITLES["radiofrequency"],
    "questionnaires": "Questionnaire change from baseline",
}


@dataclass(frozen=True)
class Report:
    cohort: Cohort
    pack_label: str
    block_definition: str
    flow: flow.Flow
    blocks: blocks.BlockResponse
    curves: dict[str, survival.Curve]
    comparison: comparison.Comparison
    questionnaires: tuple[questionnaires.Change, ...]
    #: The smallest count shown (0 or 1: every count is shown).
    min_cell: int
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return named(self.tables, name)

    def figure(self, name: str) -> Figure:
        """Draw one of :data:`FIGURE_TITLES` (a fresh matplotlib figure each time)."""
        m = self.min_cell
        if name == "flow":
            return figures.flow_figure(self.flow, m)
        if name == "block_relief":
            return figures.relief_figure(self.blocks, m)
        if name == "relief_duration":
            return figures.duration_figure(self.blocks, m)
        if name == "questionnaires":
            return figures.questionnaire_figure(self.questionnaires, m)
        if name.startswith("km_") and name[3:] in self.curves:
            return figures.km_figure(self.curves[name[3:]], m)
        raise KeyError(name)

    def svg(self, name: str) -> str:
        return figures.page_svg(self.figure(name), name, FIGURE_TITLES[name])


def build(cohort: Cohort, pack: KnowledgePack, min_cell: int = 0) -> Report:
    """All analyses of ``cohort``; tables with counts below ``min_cell`` withheld."""
    f = flow.cohort_flow(cohort, pack)
    b = blocks.block_response(cohort, pack)
    curves = survival.curves(cohort, pack)
    c = comparison.compare(cohort, pack, min_cell)
    q = questionnaires.changes(cohort, pack)
    tables = (
        flow.flow_table(f, min_cell),
        blocks.relief_table(b, min_cell),
        blocks.kuniya_table(b),
        blocks.duration_table(b, min_cell),
        km_tables.summary_table(curves),
        *(km_tables.life_table(curves[k], min_cell) for k in survival.KINDS),
        *(km_tables.at_risk_table(curves[k]) for k in survival.KINDS),
        comparison.comparison_table(c, min_cell),
        questionnaires.change_table(q),
    )
    return Report(
        cohort=cohort,
        pack_label=f"{pack.name} {pack.version}",
        block_definition=pack.block_definition.label,
        flow=f,
        blocks=b,
        curves=curves,
        comparison=c,
        questionnaires=q,
        min_cell=min_cell,
        tables=tuple(t.suppressed(min_cell) for t in tables),
    )


def files(report: Report, formats: tuple[str, ...] = ("png", "pdf", "svg")) -> dict[str, bytes]:
    """Every table as CSV and every figure in ``formats``: file name -> content."""
    return rendered(report, FIGURE_TITLES, summary(report), formats)


def rendered(
    report: Any, titles: Iterable[str], text: str, formats: tuple[str, ...]
) -> dict[str, bytes]:
    """A report's files (its ``tables``, its ``figure(name)`` for each of ``titles``, and the
    summary ``text``): file name -> content; shared by the installation's and the network's."""
    out = {f"{t.name}.csv": t.csv().encode("utf-8") for t in report.tables}
    for name in titles:
        fig = report.figure(name)
        for fmt in formats:
            out[f"{name}.{fmt}"] = figures.render(fig, fmt)
    out["summary.txt"] = text.encode("utf-8")
    return out


def write(report: Report, directory: Path) -> list[Path]:
    """Write :func:`files` into ``directory``."""
    return write_files(files(report), directory)


def write_files(content: Mapping[str, bytes], directory: Path) -> list[Path]:
    """Files rendered beforehand, written into ``directory``: each appears complete or not at
    all (temporary file, then ``os.replace``), and none is written before all are rendered."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in content.items():
        path = directory / name
        write_atomically(path, data)
        written.append(path)
    return written


def summary(report: Report) -> str:
    """A plain-text digest of the report, as ``cluneal report`` prints it."""
    cohort, fl = report.cohort, report.flow
    period = f"{cohort.start or 'the beginning'} to {cohort.end or 'now'}"
    lines = [
        f"Cluneal registry report: {', '.join(cohort.sites) or 'no site'}; entry {period}",
        f"Knowledge pack {report.pack_label}; block positive = {report.block_definition}",
        f"Patients: {fl.patients}",
        "",
        "Cohort flow (patients): step, SCN, MCN, either nerve",
    ]
    for row in report.table("flow").display_rows():
        lines.append(f"  {row[0]}: {row[2]}, {row[5]}, {row[8]}")
    lines += ["", "Response after up to three blocks (Kuniya 2014 measures) [S1]"]
    for row in report.table("block_kuniya").display_rows():
        lines.append(
            f"  {row[0]}: {row[1]} blocked; > 2 points {row[2]} ({row[3]} %); "
            f"> 50 % {row[4]} ({row[5]} %)"
        )
    lines += ["", "Time to recurrence (Kaplan-Meier)"]
    for row in report.table("km_summary").display_rows():
        median = "not reached" if row[6] == "–" else f"{row[6]} {row[5]}"
        lines.append(f"  {row[0]}: n {row[1]}, recurrences {row[2]}, median {median}")
    lines += ["", report.table("surgery_by_relief").title]
    lines += [f"  {note}" for note in report.table("surgery_by_relief").notes[:3]]
    lines += ["", "Questionnaire change (patients with baseline and follow-up)"]
    for row in report.table("questionnaires").display_rows():
        lines.append(f"  {row[0]}: n {row[1]}, mean change {row[4]}, reached MIC (points) {row[9]}")
    if report.min_cell > 1:
        lines += ["", f"Counts from 1 to {report.min_cell - 1} are shown as <{report.min_cell}."]
    if cohort.unreadable:
        lines += ["", f"Unreadable data skipped: {len(cohort.unreadable)} item(s)."]
    return "\n".join(lines) + "\n"
