"""Registry analytics pages: the analytics page, CSV tables and figure files, each audited."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.core.downloads import download
from cluneal.web.registry.access import analytics, min_cell_for, registry_sites
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
    context = {"form": form, **analysis.page_context(report, selection)}
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
    try:
        table = report.table(name)
    except KeyError:
        raise Http404 from None
    _audit(request, Action.EXPORT, selection, table=name, format="csv")
    return download(
        table.csv().encode("utf-8"), "text/csv; charset=utf-8", f"cluneal-registry-{name}.csv"
    )


@analytics
@require_GET
def figure_file(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    from cluneal.registry.figures import render as render_figure
    from cluneal.registry.report import FIGURE_TITLES
    from cluneal.web.registry import analysis

    if name not in FIGURE_TITLES or fmt not in FIGURE_TYPES:
        raise Http404
    form, selection = _selection(request)
    if selection is None:
        return _bad_filter(form)
    report = analysis.build(selection, min_cell_for(request.user, selection.sites))
    data = render_figure(report.figure(name), fmt)
    _audit(request, Action.EXPORT, selection, figure=name, format=fmt)
    return download(data, FIGURE_TYPES[fmt], f"cluneal-registry-{name}.{fmt}")
