"""The FHIR data of a hook request (prefetched, fetched or a draft order), checked for the JSON
types of the fields the services read.

The FHIR subset read: a resource's ``resourceType`` and ``id``; for the resource types the card
logic reads and for every draft order, ``code`` (a CodeableConcept: ``text``, ``coding[]`` of
``system``, ``code``, ``display``) and ``status``, ``verificationStatus``, ``clinicalStatus``
(a code or a CodeableConcept); a Patient's ``gender`` and ``birthDate``; a DocumentReference's
``status``, ``date`` and ``content[].attachment`` (``contentType``, ``data``, ``url``); a
Bundle's ``entry[].resource`` and ``link[]`` (``relation``, ``url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cluneal.interop.fhir_case import FEATURE_TYPES
from cluneal.web.cds.checks import Check, json_type, plain

#: "If the CDS Client encounters errors prefetching the requested data, OperationOutcome(s)
#: SHOULD be used" (CDS Hooks 2.0.1, Prefetch): such a key counts as not prefetched.
NOT_PREFETCHED = "OperationOutcome"
STATUS_FIELDS = ("status", "verificationStatus", "clinicalStatus")
NOTE = "DocumentReference"
ATTACHMENT_FIELDS = ("contentType", "data", "url")


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
    if text is not None and not plain(text):
        return False
    if codings is None:
        return True
    if type(codings) is not list:
        return False
    for coding in codings:
        if type(coding) is not dict:
            return False
        for key in ("system", "code", "display"):
            if (field := coding.get(key)) is not None and not plain(field):
                return False
    return True


def _plain_resource(value: dict[str, Any], kind: str, order: bool) -> bool:
    """Whether a resource that is not a Bundle is plainly right (the fast common case)."""
    if (rid := value.get("id")) is not None and not plain(rid):
        return False
    if order or kind in FEATURE_TYPES:
        if (code := value.get("code")) is not None and not _plain_concept(code):
            return False
        for key in STATUS_FIELDS:
            status = value.get(key)
            if status is not None and not plain(status) and not _plain_concept(status):
                return False
    if kind == "Patient":
        for key in ("gender", "birthDate"):
            if (field := value.get(key)) is not None and not plain(field):
                return False
    if kind == NOTE:
        return _plain_note(value)
    return True


def _plain_note(value: dict[str, Any]) -> bool:
    for key in ("status", "date"):
        if (field := value.get(key)) is not None and not plain(field):
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
            if (field := attachment.get(key)) is not None and not plain(field):
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
    if not isinstance(kind, str) or kind == "Bundle" or not plain(kind) or not kind.strip():
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
            if status is None or plain(status):
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
