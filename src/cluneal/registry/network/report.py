"""The network report: the pooled analysis of many shares, as the registry's tables and figures
plus the network's own (installations, meta-analyses, curves per installation, E6 by
installation), for ``cluneal research pool`` and the network page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from cluneal.core.numbers import plain
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry import blocks, figures, flow, km_tables, questionnaires, survival
from cluneal.registry.comparison import odds_ratio
from cluneal.registry.network import tables as nt
from cluneal.registry.network.check import Share
from cluneal.registry.network.figures import Panel, Row, forest_figure, installations_km_figure
from cluneal.registry.network.pool import HIGH, LOW, MEASURES, Pooled, pool
from cluneal.registry.network.stats import Meta, wilson
from cluneal.registry.questionnaires import LABELS
from cluneal.registry.report import rendered, write_files
from cluneal.registry.tables import Table, named

FIGURE_TITLES = {
    "flow": "Cohort flow per nerve, all installations",
    "block_relief": "Relief after each block, all installations",
    "relief_duration": "How long the relief of a positive block lasted, all installations",
    "forest_scn": "Response after up to three SCN blocks, per installation",
    "forest_mcn": "Response after up to three MCN blocks, per installation",
    **{f"km_{k}": survival.TITLES[k] + ", all installations" for k in survival.KINDS},
    **{f"km_{k}_installations": survival.TITLES[k] + ", per installation" for k in survival.KINDS},
    "forest_e6": "Surgical outcome by block relief (claim E6), per installation",
    "forest_questionnaires": "Questionnaire change per installation",
}


@dataclass(frozen=True)
class NetworkReport:
    pooled: Pooled
    threshold_days: float
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return named(self.tables, name)

    def figure(self, name: str) -> Figure:
        p = self.pooled
        if name == "flow":
            return figures.flow_figure(p.flow[LOW])
        if name == "block_relief":
            return figures.relief_figure(p.blocks[LOW])
        if name == "relief_duration":
            return figures.duration_figure(p.blocks[LOW])
        if name in ("forest_scn", "forest_mcn"):
            return _forest_blocks(p, name.removeprefix("forest_"))
        if name == "forest_e6":
            return _forest_e6(p, self.threshold_days)
        if name == "forest_questionnaires":
            return _forest_questionnaires(p)
        kind = name.removeprefix("km_").removesuffix("_installations")
        if name.startswith("km_") and kind in survival.KINDS:
            if name.endswith("_installations"):
                return installations_km_figure(
                    FIGURE_TITLES[name], p.curves[kind][LOW], p.installation_curves[kind]
                )
            return figures.km_figure(p.curves[kind][LOW])
        raise KeyError(name)

    def svg(self, name: str) -> str:
        return figures.page_svg(self.figure(name), name, FIGURE_TITLES[name])


def build(shares: Sequence[Share], pack: KnowledgePack) -> NetworkReport:
    """Pool ``shares`` (checked and compatible) into every table; figures are drawn on demand."""
    p = pool(shares, pack)
    threshold = float(shares[0].data["definitions"]["favourable_relief_days"])

    def ranged(make: Callable[[str], Table]) -> Table:
        return nt.with_ranges(make(LOW), make(HIGH))

    def curves(b: str) -> dict[str, survival.Curve]:
        return {k: p.curves[k][b] for k in survival.KINDS}

    tables = (
        nt.installations_table(p),
        ranged(lambda b: flow.flow_table(p.flow[b])),
        ranged(lambda b: blocks.relief_table(p.blocks[b])),
        ranged(lambda b: blocks.kuniya_table(p.blocks[b])),
        ranged(lambda b: blocks.duration_table(p.blocks[b])),
        nt.block_meta_table(p),
        ranged(lambda b: km_tables.summary_table(curves(b))),
        *(ranged(lambda b, k=k: km_tables.life_table(p.curves[k][b])) for k in survival.KINDS),  # type: ignore[misc]
        *(km_tables.at_risk_table(p.curves[k][LOW]) for k in survival.KINDS),
        nt.km_installations_table(p),
        nt.e6_table(p, threshold),
        ranged(lambda b: questionnaires.change_table(p.questionnaires[b])),
        nt.questionnaire_meta_table(p),
    )
    return NetworkReport(p, threshold, tables)


def _row(
    label: str,
    values: Sequence[float] | None,
    kind: str = "study",
    weight: float | None = None,
    scale: float = 1.0,
    missing: str = "no data, withheld or not estimable",
) -> Row:
    if values is None:
        return Row(label, None, None, None, kind, missing=missing)
    est, low, high = (float(x) * scale for x in values)
    return Row(label, est, low, high, kind, weight)


def _meta_rows(labels: Sequence[str], meta: Meta, scale: float = 1.0) -> list[Row]:
    by_label = {s.label: s for s in meta.studies}
    rows = []
    for label in labels:
        s = by_label.get(label)
        values = None if s is None else (s.estimate, s.lower, s.upper)
        rows.append(_row(label, values, weight=s.weight if s else None, scale=scale))
    rows.append(_row("Random effects", meta.pooled, "pooled", scale=scale))
    return rows


def _forest_blocks(p: Pooled, nerve: str) -> Figure:
    panels = []
    for measure in ("over_50pct", "over_20mm"):
        rows = _meta_rows(p.labels, p.meta[nerve, measure], 100)
        rows.append(
            _row("All nerve-sides together", wilson(*p.crude[nerve, measure]), "overall", scale=100)
        )
        marks = ((nt.KUNIYA[measure] * 100, "Kuniya 2014"),) if nerve == "scn" else ()
        panels.append(Panel(MEASURES[measure], tuple(rows), "% of nerve-sides", marks=marks))
    return forest_figure(FIGURE_TITLES[f"forest_{nerve}"], panels)


def _forest_e6(p: Pooled, threshold: float) -> Figure:
    rows = []
    for label, table in p.strata:
        r = odds_ratio(table) if table is not None else None
        missing = "a cell withheld" if table is None else "not estimable"
        rows.append(_row(label, (r.estimate, r.lower, r.upper) if r else None, missing=missing))
    mh = p.mantel_haenszel
    rows.append(
        _row("Mantel-Haenszel", (mh.odds_ratio, mh.lower, mh.upper) if mh else None, "pooled")
    )
    panel = Panel(
        f"Odds ratio of a good outcome, relief > {plain(threshold)} days",
        tuple(rows),
        "Odds ratio (log scale)",
        null=1.0,
        log=True,
    )
    return forest_figure(FIGURE_TITLES["forest_e6"], [panel], "Claim E6 is expert opinion.")


def _forest_questionnaires(p: Pooled) -> Figure:
    panels = []
    for summary in p.questionnaires[LOW]:
        rows = _meta_rows(p.labels, p.questionnaire_meta[summary.instrument])
        mean = summary.mean_change()
        rows.append(
            _row("All patients together", mean if mean and summary.n >= 2 else None, "overall")
        )
        panels.append(
            Panel(
                LABELS[summary.instrument],
                tuple(rows),
                "Change (negative = better)",
                null=0.0,
                marks=((-summary.mic_points, "-MIC"),),
            )
        )
    return forest_figure(FIGURE_TITLES["forest_questionnaires"], panels)


def files(
    report: NetworkReport, formats: tuple[str, ...] = ("png", "pdf", "svg")
) -> dict[str, bytes]:
    """Every table as CSV and every figure in ``formats``: file name -> content."""
    return rendered(report, FIGURE_TITLES, summary(report), formats)


def write(report: NetworkReport, directory: Path) -> list[Path]:
    """Every file rendered first, then each written atomically (see registry.report)."""
    return write_files(files(report), directory)


def summary(report: NetworkReport) -> str:
    p = report.pooled
    lines = [f"Cluneal registry network: {len(p.shares)} installations"]
    for row in report.table("installations").display_rows():
        lines.append(f"  {row[0]}: {row[1]} patients, digest {row[8][:16]}")
    lines += ["", "Cohort flow (patients): step, SCN, MCN, either nerve"]
    for row in report.table("flow").display_rows():
        lines.append(f"  {row[0]}: {row[2]}, {row[5]}, {row[8]}")
    lines += ["", "Response after up to three blocks, pooled (random effects) [S1]"]
    for row in report.table("block_response_meta").display_rows():
        if row[2] in ("Random effects", "All nerve-sides together"):
            lines.append(f"  {row[0]}, {row[1]}, {row[2]}: {row[5]} % ({row[6]} to {row[7]})")
    lines += ["", "Time to recurrence (Kaplan-Meier of the merged life tables)"]
    for row in report.table("km_summary").display_rows():
        median = "not reached" if row[6] == "–" else f"{row[6]} {row[5]}"
        lines.append(f"  {row[0]}: n {row[1]}, recurrences {row[2]}, median {median}")
    lines += ["", report.table("surgery_by_relief").title]
    lines += [f"  {report.table('surgery_by_relief').notes[0]}"]
    lines += ["", "Questionnaire change, all patients together"]
    for row in report.table("questionnaires").display_rows():
        lines.append(f"  {row[0]}: n {row[1]}, mean change {row[4]} ({row[5]} to {row[6]})")
    withheld = p.withholding()
    if withheld:
        lines += ["", "Counts withheld (small-cell suppression): " + ", ".join(
            f"{label} {n}" for label, n in withheld
        )]  # fmt: skip
    return "\n".join(lines) + "\n"
