"""The shape of what an EHR sends, checked once at the edge: a hook request, a feedback request,
and the FHIR data (prefetched or fetched) the services read.

Every field the services read is checked for its JSON type here, and every problem is reported
by its JSON path, so that the code behind (the card logic, the database) only ever sees the
shapes it expects. Fields the services do not read (extensions, ``encounterId``, FHIR elements
other than those below) are left alone, as the specification asks of a service.

The FHIR subset read: a resource's ``resourceType`` and ``id``; for the resource types the card
logic reads and for every draft order, ``code`` (a CodeableConcept: ``text``, ``coding[]`` of
``system``, ``code``, ``display``) and ``status``, ``verificationStatus``, ``clinicalStatus``
(a code or a CodeableConcept); a Patient's ``gender`` and ``birthDate``; a DocumentReference's
``status``, ``date`` and ``content[].attachment`` (``contentType``, ``data``, ``url``); a
Bundle's ``entry[].resource`` and ``link[]`` (``relation``, ``url``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cluneal.interop.fhir_case import FEATURE_TYPES
from cluneal.validation import Invalid, Problem

#: Problems reported at most; a body of thousands of bad entries gets a short answer.
MAX_PROBLEMS = 50
MAX_FEEDBACK_ITEMS = 100
#: "If the CDS Client encounters errors prefetching the requested data, OperationOutcome(s)
#: SHOULD be used" (CDS Hooks 2.0.1, Prefetch): such a key counts as not prefetched.
NOT_PREFETCHED = "OperationOutcome"
STATUS_FIELDS = ("status", "verificationStatus", "clinicalStatus")
NOTE = "DocumentReference"
ATTACHMENT_FIELDS = ("contentType", "data", "url")
OUTCOMES = ("accepted", "overridden")
JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return JSON_TYPES.get(type(value), type(value).__name__)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Check:
    """Problems found so far, each at a JSON path."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(path, message))
        elif len(self.found) == MAX_PROBLEMS:
            self.found.append(Problem("", f"more than {MAX_PROBLEMS} problems; the rest omitted"))

    def raise_if_any(self, what: str) -> None:
        if self.found:
            raise Invalid(self.found, what)

    def typed(self, value: Any, path: str, kind: type, name: str, *, required: bool) -> bool:
        """True when ``value`` is of ``kind``; a problem when it is not (or is missing while
        required). ``null`` counts as missing."""
        if value is None:
            if required:
                self.add(path, "is required")
            return False
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return True
        self.add(path, f"must be {name}, not {json_type(value)}")
        return False

    def obj(self, value: Any, path: str, *, required: bool = False) -> bool:
        return self.typed(value, path, dict, "an object", required=required)

    def array(self, value: Any, path: str, *, required: bool = False) -> bool:
        return self.typed(value, path, list, "a list", required=required)

    def string(
        self, value: Any, path: str, *, required: bool = False, non_empty: bool = False
    ) -> bool:
        if not self.typed(value, path, str, "a string", required=required):
            return False
        if "\x00" in value:
            self.add(path, "must not contain NUL characters")
            return False
        if not _utf8(value):
            self.add(path, "must be valid Unicode (it holds a lone surrogate)")
            return False
        if non_empty and not value.strip():
            self.add(path, "must not be empty")
            return False
        return True

    def strings(self, node: Mapping[str, Any], path: str, *keys: str) -> None:
        """Optional string members of ``node``; the path is built only for a problem."""
        for key in keys:
            value = node.get(key)
            if value is not None and not _plain(value):
                self.string(value, f"{path}.{key}")


def _plain(value: Any) -> bool:
    """The common case, decided fast: a string of ASCII without NUL (always well-formed)."""
    return type(value) is str and value.isascii() and "\x00" not in value


# The FHIR checks below run over every prefetched resource (a hundred or more per request):
# each value is first tested by the fast common case, and the full check, which builds the
# JSON path, runs only for a value that is not plainly right.


def _codeable_concept(check: Check, value: Any, path: str) -> None:
    if type(value) is not dict:
        check.obj(value, path)
        return
    check.strings(value, path, "text")
    codings = value.get("coding")
    if codings is None:
        return
    if type(codings) is not list:
        check.array(codings, f"{path}.coding")
        return
    for i, coding in enumerate(codings):
        if type(coding) is dict:
            check.strings(coding, f"{path}.coding[{i}]", "system", "code", "display")
        else:
            check.obj(coding, f"{path}.coding[{i}]", required=True)


def _plain_concept(value: Any) -> bool:
    if type(value) is not dict:
        return False
    text, codings = value.get("text"), value.get("coding")
    if text is not None and not _plain(text):
        return False
    if codings is None:
        return True
    if type(codings) is not list:
        return False
    for coding in codings:
        if type(coding) is not dict:
            return False
        for key in ("system", "code", "display"):
            if (field := coding.get(key)) is not None and not _plain(field):
                return False
    return True


def _plain_resource(value: dict[str, Any], kind: str, order: bool) -> bool:
    """Whether a resource that is not a Bundle is plainly right (the fast common case)."""
    if (rid := value.get("id")) is not None and not _plain(rid):
        return False
    if order or kind in FEATURE_TYPES:
        if (code := value.get("code")) is not None and not _plain_concept(code):
            return False
        for key in STATUS_FIELDS:
            status = value.get(key)
            if status is not None and not _plain(status) and not _plain_concept(status):
                return False
    if kind == "Patient":
        for key in ("gender", "birthDate"):
            if (field := value.get(key)) is not None and not _plain(field):
                return False
    if kind == NOTE:
        return _plain_note(value)
    return True


def _plain_note(value: dict[str, Any]) -> bool:
    for key in ("status", "date"):
        if (field := value.get(key)) is not None and not _plain(field):
            return False
    content = value.get("content")
    if content is None:
        return True
    if type(content) is not list:
        return False
    for item in content:
        if type(item) is not dict:
            return False
        attachment = item.get("attachment")
        if attachment is None:
            continue
        if type(attachment) is not dict:
            return False
        for key in ATTACHMENT_FIELDS:
            if (field := attachment.get(key)) is not None and not _plain(field):
                return False
    return True


def _note(check: Check, value: dict[str, Any], path: str) -> None:
    check.strings(value, path, "status", "date")
    content = value.get("content")
    if not check.array(content, f"{path}.content"):
        return
    for i, item in enumerate(content):
        where = f"{path}.content[{i}]"
        if not check.obj(item, where, required=True):
            continue
        attachment = item.get("attachment")
        if check.obj(attachment, f"{where}.attachment"):
            check.strings(attachment, f"{where}.attachment", *ATTACHMENT_FIELDS)


def _links(check: Check, value: dict[str, Any], path: str) -> None:
    links = value.get("link")
    if not check.array(links, f"{path}.link"):
        return
    for i, link in enumerate(links):
        if check.obj(link, f"{path}.link[{i}]", required=True):
            check.strings(link, f"{path}.link[{i}]", "relation", "url")


def _plainly(value: Any, order: bool) -> bool:
    """Whether ``value`` is plainly a right resource, not a Bundle (the fast common case)."""
    if type(value) is not dict:
        return False
    kind = value.get("resourceType")
    if not isinstance(kind, str) or kind == "Bundle" or not _plain(kind) or not kind.strip():
        return False
    return _plain_resource(value, kind, order)


def check_resource(check: Check, value: Any, path: str, *, order: bool = False) -> str | None:
    """Check one resource at ``path``; its resourceType, or None when it has none."""
    if _plainly(value, order):
        return value["resourceType"]  # type: ignore[no-any-return]
    if type(value) is not dict:
        check.obj(value, path, required=True)
        return None
    kind = value.get("resourceType")
    if not check.string(kind, f"{path}.resourceType", required=True, non_empty=True):
        return None
    check.strings(value, path, "id")
    if order or kind in FEATURE_TYPES:
        if (code := value.get("code")) is not None:
            _codeable_concept(check, code, f"{path}.code")
        for key in STATUS_FIELDS:
            status = value.get(key)
            if status is None or _plain(status):
                continue
            if type(status) is dict:
                _codeable_concept(check, status, f"{path}.{key}")
            elif type(status) is str:
                check.string(status, f"{path}.{key}")
            else:
                check.add(f"{path}.{key}", f"must be a code or an object, not {json_type(status)}")
    if kind == "Patient":
        check.strings(value, path, "gender", "birthDate")
    if kind == NOTE:
        _note(check, value, path)
    if kind == "Bundle":
        _links(check, value, path)
        entries = value.get("entry")
        if entries is not None and type(entries) is not list:
            check.array(entries, f"{path}.entry")
        elif entries:
            for i, entry in enumerate(entries):
                if type(entry) is not dict:
                    check.obj(entry, f"{path}.entry[{i}]", required=True)
                elif (resource := entry.get("resource")) is not None and not _plainly(
                    resource, order
                ):
                    check_resource(check, resource, f"{path}.entry[{i}].resource", order=order)
    return kind


def check_prefetch(check: Check, value: Any, path: str, expected: str) -> bool:
    """Check a prefetched (or fetched) value that should be a resource of type ``expected``;
    True when it is a well-formed one. A value that counts as not prefetched (absent, null or
    an OperationOutcome) is False without a problem; any other value is False with problems."""
    if value is None:
        return False
    before = len(check.found)
    kind = check_resource(check, value, path)
    if kind == NOT_PREFETCHED:
        return False
    if kind is not None and kind != expected:
        check.add(f"{path}.resourceType", f"must be {expected} (or the key left out), not {kind}")
    return kind == expected and len(check.found) == before


def bundle_resources(bundle: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The resources of a Bundle already checked by :func:`check_resource`."""
    entries = (bundle or {}).get("entry") or []
    return [e["resource"] for e in entries if e.get("resource") is not None]


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


def _timestamp(check: Check, value: Any, path: str) -> dt.datetime | None:
    if not check.string(value, path, required=True):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        return when.astimezone(dt.UTC)  # also refuses an offset that leaves years 1-9999
    except (ValueError, OverflowError):
        check.add(path, "must be an ISO 8601 date-time, e.g. 2021-12-11T10:05:31Z")
        return None


def _feedback_item(check: Check, item: Any, path: str) -> dict[str, Any] | None:
    if not check.obj(item, path, required=True):
        return None
    card = item.get("card")
    if check.string(card, f"{path}.card", required=True):
        try:
            card = uuid.UUID(card)
        except ValueError:
            check.add(f"{path}.card", "must be the UUID of a card")
    outcome = item.get("outcome")
    if check.string(outcome, f"{path}.outcome", required=True) and outcome not in OUTCOMES:
        check.add(f"{path}.outcome", "must be accepted or overridden")
    when = _timestamp(check, item.get("outcomeTimestamp"), f"{path}.outcomeTimestamp")
    accepted = item.get("acceptedSuggestions")
    ids: list[str] = []
    if check.array(accepted, f"{path}.acceptedSuggestions"):
        for i, suggestion in enumerate(accepted):
            where = f"{path}.acceptedSuggestions[{i}]"
            if check.obj(suggestion, where, required=True) and check.string(
                suggestion.get("id"), f"{where}.id", required=True
            ):
                ids.append(suggestion["id"])
    reason = item.get("overrideReason")
    coding: dict[str, Any] = {}
    comment = ""
    if check.obj(reason, f"{path}.overrideReason"):
        if check.obj(reason.get("reason"), f"{path}.overrideReason.reason"):
            coding = reason["reason"]
            check.strings(coding, f"{path}.overrideReason.reason", "code", "system", "display")
        if check.string(reason.get("userComment"), f"{path}.overrideReason.userComment"):
            comment = reason["userComment"]
    if check.found:
        return None
    return {
        "card": card,
        "outcome": outcome,
        "outcome_timestamp": when,
        "accepted_suggestions": ids,
        "override_code": (coding.get("code") or "")[:100],
        "override_system": (coding.get("system") or "")[:300],
        "override_comment": comment[:2000],
    }


def read_feedback(data: Any) -> list[dict[str, Any]]:
    """The feedback items as :class:`~cluneal.web.cds.models.CardFeedback` fields, or
    :class:`Invalid` listing every problem by its JSON path."""
    check = Check()
    if not check.obj(data, "", required=True):
        check.raise_if_any("CDS Hooks feedback")
    items = data.get("feedback")
    out = []
    if check.array(items, "feedback", required=True):
        if not items:
            check.add("feedback", "must hold at least one item")
        if len(items) > MAX_FEEDBACK_ITEMS:
            check.add("feedback", f"must hold at most {MAX_FEEDBACK_ITEMS} items")
        for i, item in enumerate(items[:MAX_FEEDBACK_ITEMS]):
            parsed = _feedback_item(check, item, f"feedback[{i}]")
            if parsed is not None:
                out.append(parsed)
    check.raise_if_any("CDS Hooks feedback")
    return out
