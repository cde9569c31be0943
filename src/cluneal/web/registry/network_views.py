"""The network page (``/registry/network``): upload shares of several installations, see their
pooled analysis with each installation's contribution, download its tables and figures.

Researchers, site administrators and superusers (as the registry page). Each user's shares are
their own; adding and removing one is audited, one entry per site of the user's registry role.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.registry.access import analytics, registry_sites
from cluneal.web.registry.views import FIGURE_TYPES, figure_download, table_download

#: Page sections: (anchor, heading, items): a table name, "fig:NAME" or "km:KIND".
SECTIONS = (
    ("flow", "Cohort flow", ["fig:flow", "flow"]),
    (
        "blocks",
        "Block response",
        [
            "fig:forest_scn",
            "fig:forest_mcn",
            "block_response_meta",
            "block_kuniya",
            "fig:block_relief",
            "block_relief",
            "fig:relief_duration",
            "relief_duration",
        ],
    ),
    (
        "recurrence",
        "Time to recurrence",
        ["km:block", "km:surgery", "km:radiofrequency", "km_summary", "km_installations"],
    ),
    ("e6", "Surgical outcome by block relief (claim E6)", ["fig:forest_e6", "surgery_by_relief"]),
    (
        "questionnaires",
        "Questionnaire change",
        ["fig:forest_questionnaires", "questionnaires", "questionnaires_meta"],
    ),
)


def _audit(request: HttpRequest, action: str, **what: Any) -> None:
    for site in registry_sites(request.user):
        record(request, action, site=site, changes={"registry": "network", **what})


def _context(request: HttpRequest, problems: list[str]) -> dict[str, Any]:
    from cluneal.registry.network.report import FIGURE_TITLES
    from cluneal.web.registry import network
    from cluneal.web.registry.analysis import figure_block, table_context

    shares = network.stored(request.user, problems)
    context: dict[str, Any] = {
        "problems": problems,
        "shares": shares,
        "max_files": network.MAX_FILES,
        "max_bytes": network.MAX_REQUEST_BYTES,
    }
    if not shares:
        return context
    report = network.build(shares)
    key = network.key(shares)

    def figure(name: str) -> dict[str, Any]:
        svg = network.svg(report, name, key)
        return figure_block(name, FIGURE_TITLES[name], svg, f"/registry/network/figures/{name}")

    def table(name: str) -> dict[str, Any]:
        return table_context(report.table(name), f"/registry/network/tables/{name}.csv")

    sections = []
    for anchor, heading, items in SECTIONS:
        blocks: list[dict[str, Any]] = []
        for item in items:
            if item.startswith("fig:"):
                blocks.append({"figure": figure(item[4:])})
            elif item.startswith("km:"):
                kind = item[3:]
                blocks.append(
                    {
                        "pair": [figure(f"km_{kind}"), figure(f"km_{kind}_installations")],
                        "at_risk": table(f"km_{kind}_at_risk"),
                        "life": table(f"km_{kind}"),
                    }
                )
            else:
                blocks.append({"table": table(item)})
        sections.append({"anchor": anchor, "heading": heading, "blocks": blocks})
    installations = report.table("installations")
    context.update(
        sections=sections,
        installations=table("installations"),
        digests=[s.digest for s in shares],
        installation_rows=zip(installations.display_rows(), shares, strict=True),
        withholding=report.pooled.withholding(),
        verdict=report.table("surgery_by_relief").notes[0],
    )
    return context


def _page(request: HttpRequest, problems: list[str], status: int = 200) -> HttpResponse:
    response = render(request, "registry/network.html", _context(request, problems), status=status)
    response["Cache-Control"] = "no-store"
    return response


@analytics
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    return _page(request, [])


@analytics
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    from cluneal.registry.network import check
    from cluneal.web.registry import network

    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > network.MAX_REQUEST_BYTES:
        # Refused before the upload is read.
        return _page(
            request, [f"share: the upload is larger than {network.MAX_REQUEST_BYTES:,} bytes"], 400
        )
    files = []
    problems = []
    for f in request.FILES.getlist("share"):
        if f.size is not None and f.size > check.MAX_BYTES:
            problems.append(f"{f.name}: larger than {check.MAX_BYTES:,} bytes")
        else:
            files.append((f.name or "share.json", f.read()))
    try:
        if problems:
            raise check.ShareError(problems)
        added = network.add(request.user, files)
    except check.ShareError as exc:
        return _page(request, exc.problems, 400)
    for s in added:
        _audit(request, Action.CREATE, share=s.digest, installation=s.label)
    return HttpResponseRedirect("/registry/network", status=303)


@analytics
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    from cluneal.web.registry import network

    row = network.remove(request.user, request.POST.get("digest", ""))
    if row is None:
        raise Http404
    _audit(request, Action.DELETE, share=row.digest, installation=row.installation)
    return HttpResponseRedirect("/registry/network", status=303)


def _report(request: HttpRequest) -> Any:
    from cluneal.web.registry import network

    shares = network.stored(request.user)
    if not shares:
        raise Http404
    return network.build(shares)


@analytics
@require_GET
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    return table_download(_report(request), name, "cluneal-network")


@analytics
@require_GET
def figure_file(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    from cluneal.registry.network.report import FIGURE_TITLES

    if name not in FIGURE_TITLES or fmt not in FIGURE_TYPES:
        raise Http404
    return figure_download(_report(request), name, fmt, "cluneal-network")
