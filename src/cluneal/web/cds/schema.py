"""The shape of what an EHR sends, checked once at the edge: a hook request here; a feedback
request in :mod:`.feedback`, and the FHIR data (prefetched or fetched) the services read in
:mod:`.fhir_shape`.

Every field the services read is checked for its JSON type, and every problem is reported by its
JSON path (:class:`~cluneal.web.cds.checks.Check`), so that the code behind (the card logic, the
database) only ever sees the shapes it expects. Fields the services do not read (extensions,
``encounterId``, FHIR elements other than those listed in :mod:`.fhir_shape`) are left alone, as
the specification asks of a service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cluneal.web.cds.checks import Check
from cluneal.web.cds.fhir_shape import bundle_resources, check_prefetch, check_resource


@dataclass(frozen=True)
class HookRequest:
    """A checked hook request: the fields the services read."""

    hook: str
    hook_instance: str
    patient_id: str
    context: dict[str, Any]
    #: The key's resource, or None when the EHR did not prefetch it.
    prefetch: dict[str, dict[str, Any] | None]
    draft_orders: list[dict[str, Any]] = field(default_factory=list)
    fhir_server: str | None = None
    access_token: str | None = None


def read_hook_request(data: Any, hook: str, templates: Mapping[str, str]) -> HookRequest:
    """The request for the service answering ``hook``, or :class:`Invalid` listing every problem
    by its JSON path. ``templates`` are the service's prefetch templates."""
    check = Check()
    if not check.obj(data, "", required=True):
        check.raise_if_any("CDS Hooks request")
    if check.string(data.get("hook"), "hook", required=True) and data["hook"] != hook:
        check.add("hook", f'must be "{hook}", the hook this service answers')
    check.string(data.get("hookInstance"), "hookInstance", required=True, non_empty=True)
    check.string(data.get("fhirServer"), "fhirServer")
    auth = data.get("fhirAuthorization")
    if check.obj(auth, "fhirAuthorization"):
        check.string(
            auth.get("access_token"),
            "fhirAuthorization.access_token",
            required=True,
            non_empty=True,
        )
        check.strings(auth, "fhirAuthorization", "token_type", "scope", "subject")
        check.typed(
            auth.get("expires_in"),
            "fhirAuthorization.expires_in",
            int,
            "an integer",
            required=False,
        )
    context = data.get("context")
    if check.obj(context, "context", required=True):
        check.string(context.get("userId"), "context.userId", required=True, non_empty=True)
        check.string(context.get("patientId"), "context.patientId", required=True, non_empty=True)
        check.string(context.get("encounterId"), "context.encounterId")
        if hook == "order-sign":
            orders = context.get("draftOrders")
            path = "context.draftOrders"
            kind = check_resource(check, orders, path, order=True)
            if kind is not None and kind != "Bundle":
                check.add(f"{path}.resourceType", f"must be Bundle, not {kind}")
    sent = data.get("prefetch")
    prefetch: dict[str, dict[str, Any] | None] = {}
    if check.obj(sent, "prefetch"):
        for key, template in templates.items():
            value = sent.get(key)
            usable = check_prefetch(check, value, f"prefetch.{key}", expected_type(template))
            prefetch[key] = value if usable else None
    else:
        prefetch = dict.fromkeys(templates)
    check.raise_if_any("CDS Hooks request")
    drafts = bundle_resources(context["draftOrders"]) if hook == "order-sign" else []
    return HookRequest(
        hook=hook,
        hook_instance=data["hookInstance"],
        patient_id=context["patientId"],
        context=context,
        prefetch=prefetch,
        draft_orders=drafts,
        fhir_server=data.get("fhirServer"),
        access_token=auth.get("access_token") if isinstance(auth, dict) else None,
    )


def expected_type(template: str) -> str:
    """The resource a prefetch template answers: a Bundle for a search, else the type read."""
    return "Bundle" if "?" in template else template.split("/", 1)[0]
