"""Making a site's research export: the records as source rows, the site's secret, the zip,
and its entry in the export log and the audit trail."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from cluneal.knowledge.loader import active_pack
from cluneal.web.accounts.models import Site
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.records.models import Patient
from cluneal.web.research.deid import (
    SourceBlock,
    SourcePatient,
    SourceTreatment,
    SourceVisit,
    deidentify,
    new_secret,
)
from cluneal.web.research.files import FORMATS, build_zip
from cluneal.web.research.models import ResearchExport, SiteSecret


def site_secret(site: Site) -> str:
    """The site's secret, created on its first export."""
    secret, _created = SiteSecret.objects.get_or_create(site=site, defaults={"key": new_secret()})
    return str(secret.key)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def source_patient(patient: Patient) -> SourcePatient:
    """Only the coded and numeric fields: no name, contact, record number, note or agent."""
    return SourcePatient(
        key=str(patient.pk),
        birth_year=patient.birth_year,
        sex=patient.sex,
        visits=tuple(
            SourceVisit(
                date=v.date,
                history=_dict(v.history),
                body_map=_dict(v.body_map),
                exam=_dict(v.exam),
                questionnaires=_dict(v.questionnaires),
                current_nrs=v.current_nrs,
            )
            for v in patient.visits.all()
        ),
        blocks=tuple(
            SourceBlock(
                date=b.date,
                nerve=b.nerve,
                side=b.side,
                guidance=b.guidance,
                volume_ml=_float(b.volume_ml),
                nrs_before=b.nrs_before,
                nrs_after=b.nrs_after,
                minutes_after=b.minutes_after,
                relief_days=_float(b.relief_days),
                relief_days_from_diary=b.relief_days_from_diary,
            )
            for b in patient.blocks.all()
        ),
        treatments=tuple(
            SourceTreatment(
                date=t.date,
                kind=t.kind,
                nerve=t.nerve,
                side=t.side,
                outcome=t.outcome,
                recurrence_date=t.recurrence_date,
                last_follow_up=t.last_follow_up,
            )
            for t in patient.treatments.all()
        ),
    )


def site_sources(site: Site) -> list[SourcePatient]:
    patients = Patient.objects.filter(site=site).prefetch_related("visits", "blocks", "treatments")
    return [source_patient(p) for p in patients]


def build_export(site: Site, format_name: str) -> tuple[dict[str, int], bytes]:
    """The export of ``site`` as zip bytes, and its row counts per file. ``format_name`` must
    be a key of ``FORMATS``."""
    if format_name not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}")
    with transaction.atomic():
        tables = deidentify(site_sources(site), site_secret(site), active_pack())
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
