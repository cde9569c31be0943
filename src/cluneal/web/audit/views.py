"""The site administrator's search of the audit trail (read-only: no page changes it)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cluneal.web.accounts.access import admin_sites, site_admin
from cluneal.web.audit.models import Action, AuditEvent


@site_admin
@require_GET
def audit_view(request: HttpRequest) -> HttpResponse:
    sites = admin_sites(request.user)
    events = AuditEvent.objects.filter(site__in=sites).select_related("site")
    q = {
        k: request.GET.get(k, "").strip()[:100]
        for k in ("actor", "record", "action", "since", "until")
    }
    if q["actor"]:
        events = events.filter(actor__icontains=q["actor"])
    if q["record"]:
        events = events.filter(record_number__iexact=q["record"])
    if q["action"] in Action.values:
        events = events.filter(action=q["action"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        try:
            events = events.filter(**{lookup: dt.date.fromisoformat(q[key])}) if q[key] else events
        except ValueError:
            q[key] = ""
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "audit/audit.html", {"page": page, "q": q, "actions": Action.values})
