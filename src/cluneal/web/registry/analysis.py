"""The report for a selection, and what the page shows of it.

Kept apart from the views because it imports the analytics stack (pandas, scipy, lifelines,
matplotlib): the views import it when a registry page is asked for, not when the URL map loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from cluneal.knowledge.loader import active_pack
from cluneal.registry import report as registry_report
from cluneal.registry.report import FIGURE_TITLES, Report
from cluneal.registry.survival import KINDS
from cluneal.registry.tables import Table, small_count
from cluneal.web.audit.models import Action, AuditEvent
from cluneal.web.records.models import Block, Patient, Treatment, Visit
from cluneal.web.registry.cohort import cohort_for
from cluneal.web.registry.filters import Selection

#: Audited actions that change a record (a view, an export or a sign-in changes none).
CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.PATIENT_LINK)
#: How long a drawn figure is kept; a change to the selection's records makes a new key anyway.
FIGURE_SECONDS = 3600

#: Page sections: (heading, [figure or table names in order]).
SECTIONS = (
    ("flow", "Cohort flow", ["fig:flow", "flow"]),
    (
        "blocks",
        "Block response",
        [
            "fig:block_relief",
            "block_relief",
            "block_kuniya",
            "fig:relief_duration",
            "relief_duration",
        ],
    ),
    (
        "recurrence",
        "Time to recurrence",
        [*(f"km:{k}" for k in KINDS), "km_summary"],
    ),
    ("e6", "Surgical outcome by block relief (claim E6)", ["surgery_by_relief"]),
    ("questionnaires", "Questionnaire change", ["fig:questionnaires", "questionnaires"]),
)


def build(selection: Selection, min_cell: int) -> Report:
    pack = active_pack()
    cohort = cohort_for(selection.sites, pack).select(start=selection.start, end=selection.end)
    return registry_report.build(cohort, pack, min_cell)


def table_context(table: Table, csv: str) -> dict[str, Any]:
    pack = active_pack()
    return {
        "name": table.name,
        "title": table.title,
        "headers": [c.label for c in table.columns],
        "rows": [
            list(zip(row, (c.kind for c in table.columns), strict=True))
            for row in table.display_rows()
        ],
        "notes": table.notes,
        "sources": [
            {
                "id": s,
                "short": pack.sources[s].short,
                "grade": pack.sources[s].grade,
                "grade_label": pack.sources[s].grade_label,
            }
            for s in table.sources
            if s in pack.sources
        ],
        "csv": csv,
    }


def data_version(selection: Selection) -> str:
    """A key that changes whenever a record of the selected sites changes.

    Drawing the figures is the slow part of the page (matplotlib, about 0.15 s each), so they
    are cached under this key. It combines the newest audited change at these sites (every edit
    in the app is audited) with counts, sums and times read from the records themselves, so
    that a change made outside the app (an import, a restore) changes it too.
    """
    ids = [s.pk for s in selection.sites]
    pack = active_pack()
    patients = Patient.objects.filter(site_id__in=ids)
    facts = (
        AuditEvent.objects.filter(site_id__in=ids, action__in=CHANGES).aggregate(Max("id")),
        patients.aggregate(Count("id"), Max("updated_at")),
        Visit.objects.filter(patient__in=patients).aggregate(Count("id")),
        Block.objects.filter(patient__in=patients).aggregate(Count("id"), Sum("relief_days")),
        Treatment.objects.filter(patient__in=patients).aggregate(Count("id")),
        dt.date.today(),  # censoring and "last contact" are as of today
        pack.origin,
        pack.version,
    )
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def _svg(report: Report, name: str, key: str | None) -> str:
    if key is None:
        return report.svg(name)
    cache_key = f"registry-svg:{key}:{report.min_cell}:{name}"
    svg: str | None = cache.get(cache_key)
    if svg is None:
        svg = report.svg(name)
        cache.set(cache_key, svg, FIGURE_SECONDS)
    return svg


def figure_context(report: Report, name: str, query: str, key: str | None = None) -> dict[str, Any]:
    return figure_block(
        name, FIGURE_TITLES[name], _svg(report, name, key), f"/registry/figures/{name}", query
    )


def figure_block(name: str, title: str, svg: str, base: str, query: str = "") -> dict[str, Any]:
    """What the page's figure template needs; ``base`` is the download URL without format."""
    suffix = f"?{query}" if query else ""
    return {
        "name": name,
        "title": title,
        "svg": svg,
        "downloads": [(fmt.upper(), f"{base}.{fmt}{suffix}") for fmt in ("png", "pdf", "svg")],
    }


def csv_url(name: str, query: str) -> str:
    return f"/registry/tables/{name}.csv?{query}"


def page_context(report: Report, selection: Selection) -> dict[str, Any]:
    query = selection.query()
    key = hashlib.sha256(f"{data_version(selection)}:{query}".encode()).hexdigest()[:32]
    sections = []
    for anchor, heading, items in SECTIONS:
        blocks: list[dict[str, Any]] = []
        for item in items:
            if item.startswith("fig:"):
                blocks.append({"figure": figure_context(report, item[4:], query, key)})
            elif item.startswith("km:"):
                kind = item[3:]
                blocks.append(
                    {
                        "figure": figure_context(report, f"km_{kind}", query, key),
                        "at_risk": table_context(
                            report.table(f"km_{kind}_at_risk"), csv_url(f"km_{kind}_at_risk", query)
                        ),
                        "life": table_context(
                            report.table(f"km_{kind}"), csv_url(f"km_{kind}", query)
                        ),
                    }
                )
            else:
                blocks.append({"table": table_context(report.table(item), csv_url(item, query))})
        sections.append({"anchor": anchor, "heading": heading, "blocks": blocks})
    return {
        "report": report,
        "selection": selection,
        "sections": sections,
        "patients": small_count(report.flow.patients, report.min_cell),
        "unreadable": [
            (what, small_count(n, report.min_cell))
            for what, n in sorted(Counter(report.cohort.unreadable).items())
        ],
        "comparison": report.comparison,
    }
