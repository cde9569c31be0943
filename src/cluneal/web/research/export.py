"""Making a site's research export: the site's records (read through
:mod:`cluneal.web.records.mapping`), the site's secret, the zip, and its entry in the export log
and the audit trail."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import HttpRequest

from cluneal.knowledge.loader import active_pack
from cluneal.registry.deid import deidentify, new_secret
from cluneal.web.accounts.models import Site
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.records.mapping import records_of
from cluneal.web.records.models import Patient
from cluneal.web.research.files import FORMATS, build_zip
from cluneal.web.research.models import ResearchExport, SiteSecret


def site_secret(site: Site) -> str:
    """The site's secret, created on its first export."""
    secret, _created = SiteSecret.objects.get_or_create(site=site, defaults={"key": new_secret()})
    return str(secret.key)


def build_export(site: Site, format_name: str) -> tuple[dict[str, int], bytes]:
    """The export of ``site`` as zip bytes, and its row counts per file. ``format_name`` must
    be a key of ``FORMATS``."""
    if format_name not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}")
    with transaction.atomic():
        records = records_of(Patient.objects.filter(site=site))
        tables = deidentify(records, site_secret(site), active_pack())
    return {name: len(table) for name, table in tables.items()}, build_zip(tables, format_name)


def log_export(
    site: Site,
    format_name: str,
    rows: dict[str, int],
    data: bytes,
    *,
    request: HttpRequest | None = None,
    actor: str | None = None,
) -> ResearchExport:
    """The export's entry in the export log and the audit trail: who, which site, when, the
    row counts and the zip's checksum; never the secret or an offset."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user = None
    with transaction.atomic():
        export = ResearchExport.objects.create(
            site=site,
            created_by=user,
            actor=actor or (user.get_username() if user is not None else "anonymous"),
            format=format_name,
            rows=rows,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        record(
            request,
            Action.EXPORT,
            site=site,
            obj=export,
            actor=actor,
            changes={"research_export": format_name, "rows": rows, "sha256": export.sha256},
        )
    return export
