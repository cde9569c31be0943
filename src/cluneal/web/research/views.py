"""The research page: choose a site and a format, download the de-identified export."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from cluneal.registry import dictionary
from cluneal.web.core.downloads import download
from cluneal.web.research.access import research_sites, researcher
from cluneal.web.research.export import build_export, log_export
from cluneal.web.research.files import FORMATS, dictionary_csv
from cluneal.web.research.models import ResearchExport

DEFAULT_FORMAT = "csv+parquet"


def _page(request: HttpRequest, errors: dict[str, str], status: int = 200) -> HttpResponse:
    sites = research_sites(request.user)
    context: dict[str, Any] = {
        "sites": sites,
        "formats": list(FORMATS),
        "chosen_format": request.POST.get("format", DEFAULT_FORMAT),
        "chosen_site": request.POST.get("site", ""),
        "errors": errors,
        "exports": ResearchExport.objects.filter(site__in=sites).select_related("site")[:50],
        "tables": [(name, what, cols) for name, (cols, what) in dictionary.TABLES.items()],
    }
    return render(request, "research/index.html", context, status=status)


@researcher
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, {})


@researcher
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    format_name = request.POST.get("format", DEFAULT_FORMAT)
    if format_name not in FORMATS:
        errors["format"] = f"format: choose one of {', '.join(FORMATS)}."
    site_id = None
    try:
        site_id = uuid.UUID(request.POST.get("site", ""))
    except ValueError:
        errors["site"] = "site: choose one of your sites."
    if errors or site_id is None:
        return _page(request, errors, status=400)
    site = research_sites(request.user).filter(pk=site_id).first()
    if site is None:
        raise Http404
    rows, data = build_export(site, format_name)
    made = log_export(site, format_name, rows, data, request=request)
    return download(data, "application/zip", f"cluneal-research-{made.pk.hex[:12]}.zip")


@researcher
@require_GET
def dictionary_download(request: HttpRequest) -> HttpResponse:
    return download(dictionary_csv(), "text/csv; charset=utf-8", "data_dictionary.csv")
