"""Registry analytics pages: the analytics page, CSV tables and figure files, each audited."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.core.downloads import download
from cluneal.web.registry.access import (
    analytics,
    configured_min_cell,
    min_cell_for,
    registry_sites,
)
from cluneal.web.registry.filters import FilterForm, Selection, parse

FIGURE_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def _audit(request: HttpRequest, action: str, selection: Selection, **what: Any) -> None:
    """One entry per site, so that each site's administrators see it in their audit page."""
    changes = {"registry": "analytics", **selection.describe(), **what}
    for site in selection.sites:
        record(request, action, site=site, changes=changes)


def _bad_filter(form: FilterForm) -> HttpResponse:
    return HttpResponse(
        "Bad filter: " + "; ".join(form.problems()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def table_download(report: Any, name: str, prefix: str) -> HttpResponse:
    """The table ``name`` of a registry or network report as a CSV file (404 if none)."""
    try:
        table = report.table(name)
    except KeyError:
        raise Http404 from None
    return download(table.csv().encode("utf-8"), "text/csv; charset=utf-8", f"{prefix}-{name}.csv")


def figure_download(report: Any, name: str, fmt: str, prefix: str) -> HttpResponse:
    """The figure ``name`` of a report (a name of its ``FIGURE_TITLES``) in the format ``fmt``
    (one of ``FIGURE_TYPES``)."""
    from cluneal.registry.figures import render

    return download(render(report.figure(name), fmt), FIGURE_TYPES[fmt], f"{prefix}-{name}.{fmt}")


def _selection(request: HttpRequest) -> tuple[FilterForm, Selection | None]:
    form = parse(request.GET, registry_sites(request.user))
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.selection()


@analytics
@require_GET
def analytics_page(request: HttpRequest) -> HttpResponse:
    from cluneal.web.registry import analysis

    form, selection = _selection(request)
    if selection is None:
        return render(request, "registry/analytics.html", {"form": form}, status=400)
    min_cell = min_cell_for(request.user, selection.sites)
    report = analysis.build(selection, min_cell)
    _audit(request, Action.VIEW, selection, page="analytics")
    context = {
        "form": form,
        **analysis.page_context(report, selection),
        "selection_query": selection.query(),
        "share_min_cell": configured_min_cell(),
    }
    response = render(request, "registry/analytics.html", context)
    response["Cache-Control"] = "no-store"
    return response


@analytics
@require_GET
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    from cluneal.web.registry import analysis

    form, selection = _selection(request)
    if selection is None:
        return _bad_filter(form)
    report = analysis.build(selection, min_cell_for(request.user, selection.sites))
    response = table_download(report, name, "cluneal-registry")
    _audit(request, Action.EXPORT, selection, table=name, format="csv")
    return response


@analytics
@require_GET
def figure_file(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    from cluneal.registry.report import FIGURE_TITLES
    from cluneal.web.registry import analysis

    if name not in FIGURE_TITLES or fmt not in FIGURE_TYPES:
        raise Http404
    form, selection = _selection(request)
    if selection is None:
        return _bad_filter(form)
    report = analysis.build(selection, min_cell_for(request.user, selection.sites))
    response = figure_download(report, name, fmt, "cluneal-registry")
    _audit(request, Action.EXPORT, selection, figure=name, format=fmt)
    return response


@analytics
@require_GET
def share_file(request: HttpRequest) -> HttpResponse:
    """The selection as a network share (docs/registry-network.md). It leaves the installation,
    so small counts are withheld by ``CLUNEAL_REGISTRY_MIN_CELL`` whoever downloads it."""
    from importlib.metadata import version

    from cluneal.knowledge.loader import active_pack
    from cluneal.registry.network import share
    from cluneal.web.registry.cohort import cohort_for

    form, selection = _selection(request)
    if selection is None:
        return _bad_filter(form)
    pack = active_pack()
    cohort = cohort_for(selection.sites, pack).select(start=selection.start, end=selection.end)
    made = share.make(
        cohort,
        pack,
        label=", ".join(s.name for s in selection.sites),
        min_cell=configured_min_cell(),
        cluneal_version=version("cluneal"),
        start=selection.start,
        end=selection.end,
    )
    _audit(request, Action.EXPORT, selection, share=made["digest"], min_cell=made["min_cell"])
    name = f"cluneal-share-{made['digest'].removeprefix('sha256:')[:12]}.json"
    return download(share.dumps(made), "application/json", name)
