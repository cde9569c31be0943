"""The network's own tables: the installations, the meta-analyses, the curves per installation
and claim E6 by installation; and :func:`with_ranges`, which shows a pooled count resting on
withheld counts as the range it lies in."""

from __future__ import annotations

import math
from dataclasses import replace

from cluneal.core.numbers import plain
from cluneal.knowledge import vocabulary as v
from cluneal.registry import survival
from cluneal.registry.comparison import odds_ratio
from cluneal.registry.network import stats
from cluneal.registry.network.pool import MEASURES, Pooled
from cluneal.registry.questionnaires import LABELS
from cluneal.registry.tables import Cell, Column, Table

NERVE_LABELS = {n: v.LABELS[n] for n in v.NERVES}
#: Kuniya 2014 [S1], SCN, 113 patients given blocks: 96 (85 %) and 77 (68 %).
KUNIYA = {"over_20mm": 96 / 113, "over_50pct": 77 / 113}


def with_ranges(low: Table, high: Table) -> Table:
    """One table from the same table computed at the lowest and the highest values withheld
    counts can take: a count that differs becomes ``"low to high"``, a statistic that differs
    is withheld (empty), and a note that differs is left out."""
    if low == high:
        return low
    rows = []
    for lo_row, hi_row in zip(low.rows, high.rows, strict=True):
        cells: list[Cell] = []
        for column, a, b in zip(low.columns, lo_row, hi_row, strict=True):
            if a == b:
                cells.append(a)
            elif column.kind == "count":
                cells.append(f"{a} to {b}")
            else:
                cells.append(None)
        rows.append(tuple(cells))
    notes = [n for n, m in zip(low.notes, high.notes, strict=False) if n == m]
    notes.append(
        "A count shown as 'a to b' includes counts that installations withheld (small-cell "
        "suppression); statistics resting on it are left empty."
    )
    return replace(low, rows=tuple(rows), notes=tuple(notes))


def installations_table(p: Pooled) -> Table:
    columns = (
        Column("installation", "Installation"),
        Column("patients", "Patients", "count"),
        Column("entry_from", "Entry from"),
        Column("entry_to", "Entry to"),
        Column("min_cell", "Counts withheld below", "number"),
        Column("withheld", "Counts withheld", "count"),
        Column("cluneal", "Cluneal"),
        Column("knowledge_pack", "Knowledge pack"),
        Column("digest", "Digest (SHA-256)"),
    )
    withheld = dict(p.withholding())
    rows = []
    for s in p.shares:
        d = s.data
        pack = d["made_with"]["knowledge_pack"]
        patients = d["patients"] if d["patients"] is not None else f"<{s.min_cell}"
        rows.append(
            (
                s.label,
                patients,
                d["period"]["from"] or "",
                d["period"]["to"] or "",
                s.min_cell if s.min_cell > 1 else None,
                withheld.get(s.label, 0),
                d["made_with"]["cluneal"],
                f"{pack['name']} {pack['version']}",
                s.digest.removeprefix("sha256:"),
            )
        )
    first = p.shares[0].data["made_with"]["block_definition"] if p.shares else ""
    return Table(
        "installations",
        "Installations and their shares",
        columns,
        tuple(rows),
        (
            f"{len(p.shares)} shares, each of one installation, made with the same definitions "
            f"(positive block: {first}).",
        ),
    )


def _pct(x: float | None) -> float | None:
    return None if x is None else x * 100


def block_meta_table(p: Pooled) -> Table:
    columns = (
        Column("nerve", "Nerve"),
        Column("measure", "Measure"),
        Column("installation", "Installation"),
        Column("responders", "Responders", "count"),
        Column("nerve_sides", "Nerves and sides blocked", "count"),
        Column("pct", "%", "percent"),
        Column("lower", "95 % CI, lower", "percent"),
        Column("upper", "95 % CI, upper", "percent"),
        Column("weight_pct", "Weight (random effects), %", "percent"),
    )
    rows: list[tuple[Cell, ...]] = []
    notes = []
    for (nerve, measure), meta in p.meta.items():
        head = (NERVE_LABELS[nerve], MEASURES[measure])
        for s in meta.studies:
            rows.append(
                (*head, s.label, s.events, s.n, _pct(s.estimate), _pct(s.lower), _pct(s.upper),
                 s.weight * 100)
            )  # fmt: skip
        if meta.pooled is not None:
            rows.append(
                (*head, "Random effects", None, None, *(_pct(x) for x in meta.pooled), 100.0)
            )
        k, n = p.crude[nerve, measure]
        crude = stats.wilson(k, n)
        if crude is not None:
            rows.append((*head, "All nerve-sides together", k, n, *(_pct(x) for x in crude), None))
        notes.append(f"{head[0]}, {head[1].lower()}: " + _heterogeneity(meta))
    notes += [
        "Unit: one nerve and side with a block (Kuniya 2014's measures after up to three "
        "blocks; 20 mm read as 2 NRS points). Per installation: logit proportion with its 95 % "
        "interval (0.5 added when a count is 0 or all). Random effects: Paule-Mandel tau², "
        "statsmodels. All nerve-sides together: Wilson interval.",
        "Kuniya 2014 (SCN, VAS): 96 of 113 (85 %) > 20 mm and 77 of 113 (68 %) > 50 % [S1].",
    ]
    return Table(
        "block_response_meta",
        "Response after up to three blocks, per installation and pooled",
        columns,
        tuple(rows),
        tuple(notes),
        ("S1",),
    )


def _heterogeneity(meta: stats.Meta) -> str:
    if meta.pooled is None or meta.i2 is None or meta.tau2 is None or meta.q_p is None:
        return f"{len(meta.studies)} installation(s): no meta-analysis below two."
    return (
        f"{len(meta.studies)} installations; I² {meta.i2 * 100:.1f} %, tau² {meta.tau2:.3g}, "
        f"Cochran's Q {meta.q:.2f} (p = {meta.q_p:.3g})."
    )


def km_installations_table(p: Pooled) -> Table:
    columns = (
        Column("curve", "Curve"),
        Column("installation", "Installation"),
        Column("nerve_sides", "Nerves and sides", "count"),
        Column("events", "Recurrences", "count"),
        Column("median", "Median time (empty: not reached)", "number"),
        Column("median_lower", "95 % CI, lower", "number"),
        Column("median_upper", "95 % CI, upper (empty: not reached)", "number"),
    )
    rows: list[tuple[Cell, ...]] = []
    notes = []
    for kind in survival.KINDS:
        title = survival.TITLES[kind]
        curves = [*p.installation_curves[kind], ("All installations", p.curves[kind]["low"])]
        for label, c in curves:
            if c is None:
                rows.append((title, label, None, None, None, None, None))
                continue
            ci = c.median_ci or (None, None)
            rows.append((title, label, c.n, c.events, _finite(c.median), *map(_finite, ci)))
        tables = [
            (s.label, [(t, e, c) for t, _, e, c in s.data["recurrence"][kind]["life_table"]])
            for s in p.shares
            if s.data["recurrence"][kind]["life_table"]
        ]
        logrank = stats.logrank_p(tables)
        if logrank is not None:
            notes.append(f"{title}: log-rank test of equal curves, p = {logrank:.3g}.")
    notes.append(
        "An installation with no numbers withheld its life table (fewer nerve-sides than its "
        "small-cell threshold); the pooled curve is that of the other installations."
    )
    return Table(
        "km_installations",
        "Time to recurrence per installation",
        columns,
        tuple(rows),
        tuple(notes),
    )


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) or math.isnan(x) else x


def e6_table(p: Pooled, threshold: float) -> Table:
    t = plain(threshold)
    columns = (
        Column("installation", "Installation"),
        Column("long_good", f"> {t} days, good", "count"),
        Column("long_poor", f"> {t} days, poor", "count"),
        Column("short_good", f"<= {t} days, good", "count"),
        Column("short_poor", f"<= {t} days, poor", "count"),
        Column("total", "Total", "count"),
        Column("odds_ratio", "Odds ratio", "number"),
        Column("lower", "95 % CI, lower", "number"),
        Column("upper", "95 % CI, upper", "number"),
    )
    rows: list[tuple[Cell, ...]] = []
    left_out = []
    for label, table in p.strata:
        if table is None:
            left_out.append(label)
            rows.append((label, None, None, None, None, None, None, None, None))
            continue
        r = odds_ratio(table)
        ratio = (r.estimate, r.lower, r.upper) if r else (None, None, None)
        rows.append((label, table.a, table.b, table.c, table.d, table.n, *ratio))
    known = [x for _, x in p.strata if x is not None]
    sums = [sum(getattr(x, k) for x in known) for k in "abcd"]
    rows.append(("All installations (crude sum)", *sums, sum(sums), None, None, None))
    notes = [_mh_note(p.mantel_haenszel, t)]
    if left_out:
        notes.append("Left out (a cell withheld by small-cell suppression): " + ", ".join(left_out))
    notes += [
        "Per installation: odds ratio of a good outcome with relief > "
        f"{t} days, Woolf interval, 0.5 added to every cell when one is 0 (Haldane).",
        "Claim tested: 'more than three days of relief after blocks had better outcomes than "
        "less than three days' (expert opinion, not confirmed by any retrieved paper) [E6].",
    ]
    return Table(
        "surgery_by_relief",
        f"Surgical outcome by block relief > {t} days (claim E6), by installation",
        columns,
        tuple(rows),
        tuple(notes),
        ("E6",),
    )


def _mh_note(mh: stats.MantelHaenszel | None, t: float | int) -> str:
    if mh is None:
        return (
            "Mantel-Haenszel odds ratio: not estimable (no installation, or every one has an "
            "empty cell that makes the odds ratio 0 or infinite)."
        )
    test = (
        f"exact conditional test p = {mh.exact_p:.3g} (to read: a stratum has an expected "
        f"count below 5); Cochran-Mantel-Haenszel p = {mh.cmh_p:.3g}"
        if mh.small
        else f"Cochran-Mantel-Haenszel test p = {mh.cmh_p:.3g}; exact conditional test "
        f"p = {mh.exact_p:.3g}"
    )
    bd = (
        ""
        if mh.breslow_day_p is None
        else f"; Breslow-Day test of a common odds ratio p = {mh.breslow_day_p:.3g}"
    )
    return (
        f"Mantel-Haenszel odds ratio {mh.odds_ratio:.2f} (95 % CI {mh.lower:.2f} to "
        f"{mh.upper:.2f}) for a good surgical outcome with block relief > {t} days, "
        f"installations as strata; {test}{bd}."
    )


def questionnaire_meta_table(p: Pooled) -> Table:
    columns = (
        Column("instrument", "Instrument"),
        Column("installation", "Installation"),
        Column("patients", "Patients", "count"),
        Column("change_mean", "Change, mean", "number"),
        Column("lower", "95 % CI, lower", "number"),
        Column("upper", "95 % CI, upper", "number"),
        Column("weight_pct", "Weight (random effects), %", "percent"),
    )
    rows: list[tuple[Cell, ...]] = []
    notes = []
    for instrument, meta in p.questionnaire_meta.items():
        label = LABELS[instrument]
        for s in meta.studies:
            rows.append((label, s.label, s.n, s.estimate, s.lower, s.upper, s.weight * 100))
        if meta.pooled is not None:
            rows.append((label, "Random effects", None, *meta.pooled, 100.0))
        notes.append(f"{label}: " + _heterogeneity(meta))
    notes.append(
        "Per installation: mean change (follow-up minus baseline; negative = improvement) with "
        "a normal 95 % interval, variance SD² / n; installations with fewer than two patients "
        "are left out. Random effects: Paule-Mandel tau², statsmodels."
    )
    return Table(
        "questionnaires_meta",
        "Questionnaire change per installation and pooled",
        columns,
        tuple(rows),
        tuple(notes),
    )
