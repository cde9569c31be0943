"""Writing audit entries: one call per read or change of patient data."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from cluneal.web.audit.models import Action, AuditEvent

#: Fields whose values are not copied into the audit trail (only that they changed).
MASKED = {"name", "contact", "token_hash"}


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def snapshot(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("created_at", "updated_at", "id"):
            continue
        value = f.value_from_object(obj)
        out[f.name] = (
            value
            if isinstance(value, int | float | str | bool | list | dict) or value is None
            else str(value)
        )
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = {"changed": True} if key in MASKED else {"from": old, "to": new}
    return changes


def record(
    request: HttpRequest | None,
    action: str | Action,
    *,
    patient: Any = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor: str | None = None,
    site: Any = None,
) -> AuditEvent:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        actor=actor or (user.get_username() if authenticated else "anonymous"),
        site=site or (patient.site if patient is not None else None),
        patient_id=patient.pk if patient is not None else None,
        record_number=patient.record_number if patient is not None else "",
        action=str(action),
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        changes=changes or {},
        ip=client_ip(request) if request is not None else None,
        path=request.get_full_path()[:300] if request is not None else "",
    )
