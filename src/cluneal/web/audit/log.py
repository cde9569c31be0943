"""Writing audit entries: one call per read or change of patient data.

Reads are audited where patient-scoped views get their patient
(:func:`cluneal.web.records.views.patient_for` calls :func:`reading`): unless the view records
an entry naming that patient while it runs (a change, a print, an export, a more specific
view), the :class:`~cluneal.web.core.middleware.PatientDataResponses` middleware records the
read when the response is ready. So every request that touched a patient's data leaves an
entry, and only one.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from cluneal.web.audit.models import Action, AuditEvent

#: Text fields copied into the trail as they are: the pseudonymous record number (each entry
#: names it anyway) and the directory listing's fields that are published. Every other free-text
#: field (a TextField, or a CharField without choices: visit notes, names, contacts, agents,
#: token hashes, review notes...) is recorded as changed, never with its text, because the
#: trail can never be purged.
VERBATIM = frozenset(
    {
        "records.patient.record_number",
        "directory.listing.display_name",
        "directory.listing.specialty",
        "directory.listing.city",
        "directory.listing.country",
        "directory.listing.contact_url",
    }
)


class Masked:
    """A free-text value in a snapshot: compared by digest, never written to the trail."""

    __slots__ = ("digest",)

    def __init__(self, text: str) -> None:
        self.digest = hashlib.sha256(text.encode("utf-8", "replace")).digest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Masked) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def free_text(field: models.Field[Any, Any]) -> bool:
    model = field.model._meta
    if f"{model.app_label}.{model.model_name}.{field.name}" in VERBATIM:
        return False
    return isinstance(field, models.TextField | models.CharField) and not field.choices


def snapshot(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("created_at", "updated_at", "id"):
            continue
        value = f.value_from_object(obj)
        if value and free_text(f):
            out[f.name] = Masked(str(value))
        elif isinstance(value, int | float | str | bool | list | dict) or value is None:
            out[f.name] = value
        else:
            out[f.name] = str(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            masked = isinstance(old, Masked) or isinstance(new, Masked)
            changes[key] = {"changed": True} if masked else {"from": old, "to": new}
    return changes


_READS = "_cluneal_patients_read"
_NAMED = "_cluneal_patients_audited"


def reading(request: HttpRequest, patient: Any) -> None:
    """``request`` reads ``patient``'s data (audited when the response is ready, see above)."""
    request.__dict__.setdefault(_READS, {}).setdefault(patient.pk, patient)


def patients_read(request: HttpRequest) -> list[Any]:
    return list(request.__dict__.get(_READS, {}).values())


def record_reads(request: HttpRequest, status: int) -> None:
    """A view entry for each patient the request read and no entry of the request names."""
    named = request.__dict__.get(_NAMED, set())
    match = request.resolver_match
    page = {"page": match.url_name if match else request.path[:100], "status": status}
    if match and match.kwargs.get("kind"):
        page["kind"] = match.kwargs["kind"]
    for patient in patients_read(request):
        if patient.pk not in named:
            record(request, Action.VIEW, patient=patient, obj=patient, changes=page)


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
    if request is not None and patient is not None:
        request.__dict__.setdefault(_NAMED, set()).add(patient.pk)
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


def delete_recorded(
    request: HttpRequest, obj: models.Model, *, patient: Any = None, site: Any = None
) -> None:
    """Delete ``obj`` and record its last state as a deletion, in one transaction: both or
    neither."""
    with transaction.atomic():
        record(
            request,
            Action.DELETE,
            patient=patient,
            obj=obj,
            site=site,
            changes=diff(snapshot(obj), {}),
        )
        obj.delete()


def record_saved(
    request: HttpRequest,
    obj: models.Model,
    before: dict[str, Any] | None,
    *,
    patient: Any = None,
    site: Any = None,
) -> None:
    """Record the save of ``obj``: its creation when ``before`` is None, else an update with
    what changed since ``before`` (its :func:`snapshot` before the change)."""
    record(
        request,
        Action.CREATE if before is None else Action.UPDATE,
        patient=patient,
        obj=obj,
        site=site,
        changes=diff(before or {}, snapshot(obj)),
    )
