"""A Synthea patient turned into templates that print a re-keyed, date-shifted copy quickly.

A copy keeps the patient's last few encounters (with their procedures and notes) and the active
conditions, so that a million copies stay within a disk's reach (a whole Synthea history is
about 600 kB a patient).
Every resource is serialised once, with markers where a copy differs: each UUID (one new
UUID per source UUID, so references stay consistent), each date (the source date shifted by the
copy's offset, the time of day and zone kept, so intervals within the patient are exact), each
name token, the demographic fields of the Patient and each note (its own template,
base64-encoded per copy).
Printing a copy is then one ``%`` per resource type, its values gathered by ``itemgetter``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.source import SourceError, SourcePatient
from cluneal.screening.synth.truth import Facts, facts_of

TYPES = ("Patient", "Encounter", "Condition", "Procedure", "DocumentReference")
#: Demographic fields of the Patient that each copy draws anew, in ``{f[n]}`` order.
FIELDS = ("ssn", "licence", "passport", "phone", "line", "city", "state", "postal_code")
NUMBERS = ("latitude", "longitude")
NAME_ROLES = ("given", "given2", "family", "maiden", "mother_given", "mother_family")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE_START = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_DATE_ANY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_MARK = re.compile('"\ue000n(\\d+)\ue001"|\ue000([idtfb])(\\d+)\ue001')
_REF = re.compile(r"^(Patient|Encounter|Condition|Procedure|DocumentReference)/(.+)$")


def _mark(kind: str, index: int) -> str:
    return f"\ue000{kind}{index}\ue001"


Getter = Callable[[Sequence[str]], tuple[str, ...]]
SLOT_ORDER = "idtfnb"


def _getter(indices: Sequence[int]) -> Getter:
    if len(indices) == 1:
        (only,) = indices
        return lambda values: (values[only],)
    if not indices:
        return lambda values: ()
    gather: Getter = operator.itemgetter(*indices)
    return gather


class _Slots:
    """Turns marked text into a %-template and the positions of its values in the copy's
    flat list of values (UUIDs, dates, names, fields, numbers, notes, in that order)."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self.offset: dict[str, int] = {}
        start = 0
        for kind in SLOT_ORDER:
            self.offset[kind] = start
            start += sizes[kind]

    def template(self, marked: str) -> tuple[str, Getter]:
        indices: list[int] = []

        def slot(m: re.Match[str]) -> str:
            kind, index = ("n", m[1]) if m[1] is not None else (m[2], m[3])
            indices.append(self.offset[kind] + int(index))
            return "%s"

        return _MARK.sub(slot, marked.replace("%", "%%")), _getter(indices)


@dataclass(frozen=True)
class Profile:
    """One source patient with ``k`` recent encounters, ready to print copies of."""

    source_id: str
    gender: str
    deceased: bool
    templates: Mapping[str, tuple[str, Getter]]  # type -> all its lines, and their values
    counts: Mapping[str, int]
    notes: tuple[tuple[str, Getter], ...]  # the notes' text (dates and names only)
    n_ids: int
    patient_slot: int  # which of the copy's new UUIDs is the Patient's id
    date_ords: tuple[int, ...]
    name_roles: tuple[str, ...]
    birth_ord: int
    end_ord: int  # the latest date in the copy
    facts: Facts  # in source dates


def _ref_id(value: Any, rtype: str) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        ref: str = value["reference"]
        if ref.startswith(rtype + "/"):
            return ref[len(rtype) + 1 :]
    return None


def _without(resource: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: value for k, value in resource.items() if k != key}


def select(sp: SourcePatient, k: int) -> dict[str, list[dict[str, Any]]]:
    """The last ``k`` encounters with their procedures and notes, the conditions diagnosed at
    them, the conditions still active and those the procedures give as reasons (an active
    condition diagnosed at an older encounter loses its optional ``encounter``)."""
    res = sp.resources
    encounters = sorted(
        res["Encounter"], key=lambda e: (str(e.get("period", {}).get("start", "")), e["id"])
    )
    kept = {e["id"] for e in encounters[-k:]} if k > 0 else set()
    procedures = [p for p in res["Procedure"] if _ref_id(p.get("encounter"), "Encounter") in kept]
    notes = [
        d
        for d in res["DocumentReference"]
        if any(_ref_id(e, "Encounter") in kept for e in d.get("context", {}).get("encounter", []))
    ]
    reasons = {_ref_id(r, "Condition") for p in procedures for r in p.get("reasonReference", [])}
    conditions = [
        c
        for c in res["Condition"]
        if _ref_id(c.get("encounter"), "Encounter") in kept
        or c["id"] in reasons
        or "abatementDateTime" not in c
    ]
    conditions = [
        c if _ref_id(c.get("encounter"), "Encounter") in kept else _without(c, "encounter")
        for c in conditions
    ]
    return {
        "Patient": [sp.patient],
        "Encounter": [e for e in encounters if e["id"] in kept],
        "Condition": conditions,
        "Procedure": procedures,
        "DocumentReference": notes,
    }


def _check_references(chosen: Mapping[str, list[dict[str, Any]]], source: str) -> None:
    ids = {(t, r["id"]) for t, rs in chosen.items() for r in rs}

    def walk(node: Any, rtype: str, rid: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                m = _REF.match(value) if key == "reference" and isinstance(value, str) else None
                if m is not None and (m[1], m[2]) not in ids:
                    raise SourceError(
                        f"{rtype}.000.ndjson",
                        f"{rtype}/{rid} of patient {source} points at {value}, "
                        "which is not in the sample",
                    )
                walk(value, rtype, rid)
        elif isinstance(node, list):
            for item in node:
                walk(item, rtype, rid)

    for rtype, resources in chosen.items():
        for r in resources:
            walk(r, rtype, r["id"])


def _name_tokens(patient: Mapping[str, Any]) -> dict[str, str]:
    """Each name token of the patient (and their mother) with its role."""
    tokens: dict[str, str] = {}
    for name in patient.get("name", []):
        given = name.get("given", [])
        for token, role in zip(given, ("given", "given2"), strict=False):
            tokens.setdefault(token, role)
        if "family" in name:
            role = "maiden" if name.get("use") == "maiden" else "family"
            tokens.setdefault(name["family"], role)
    for ext in patient.get("extension", []):
        if ext.get("url", "").endswith("patient-mothersMaidenName"):
            parts = str(ext.get("valueString", "")).split()
            for token, role in zip(parts, ("mother_given", "mother_family"), strict=False):
                tokens.setdefault(token, role)
    return tokens


def _mark_demographics(patient: dict[str, Any]) -> None:
    """Put field markers where a copy's Patient gets new demographics."""
    slot = {name: _mark("f", i) for i, name in enumerate(FIELDS)}
    for ident in patient.get("identifier", []):
        codes = {c.get("code") for c in ident.get("type", {}).get("coding", [])}
        for code, name in (("SS", "ssn"), ("DL", "licence"), ("PPN", "passport")):
            if code in codes:
                ident["value"] = slot[name]
    for telecom in patient.get("telecom", []):
        if telecom.get("system") == "phone":
            telecom["value"] = slot["phone"]
    for address in patient.get("address", [])[:1]:
        if address.get("line"):
            address["line"] = [slot["line"]]
        for key, name in (("city", "city"), ("state", "state"), ("postalCode", "postal_code")):
            if key in address:
                address[key] = slot[name]
        for ext in address.get("extension", []):
            for part in ext.get("extension", []):
                if part.get("url") in NUMBERS:
                    part["valueDecimal"] = _mark("n", NUMBERS.index(part["url"]))


class _Compiler:
    def __init__(self, tokens: Mapping[str, str]) -> None:
        self.ids: dict[str, int] = {}
        self.dates: dict[int, int] = {}
        self.roles: dict[str, int] = {}
        self.role_list: list[str] = []
        self.tokens = tokens
        words = sorted(tokens, key=len, reverse=True)
        self.token_re = (
            re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b") if words else None
        )
        self.notes: list[str] = []

    def _date(self, text: str) -> str:
        ordinal = dt.date.fromisoformat(text).toordinal()
        return _mark("d", self.dates.setdefault(ordinal, len(self.dates)))

    def _token(self, token: str) -> str:
        role = self.tokens[token]
        if role not in self.roles:
            self.roles[role] = len(self.role_list)
            self.role_list.append(role)
        return _mark("t", self.roles[role])

    def _names(self, text: str) -> str:
        if self.token_re is None:
            return text
        return self.token_re.sub(lambda m: self._token(m[1]), text)

    def string(self, text: str) -> str:
        if "?identifier=" in text:  # a shared Practitioner, Location or Organization
            return text
        text = _UUID.sub(lambda m: _mark("i", self.ids.setdefault(m[0], len(self.ids))), text)
        text = _DATE_START.sub(lambda m: self._date(m[1]), text)
        return self._names(text)

    def note(self, text: str) -> str:
        text = _DATE_ANY.sub(lambda m: self._date(m[1]), self._names(text))
        self.notes.append(text)
        return _mark("b", len(self.notes) - 1)

    def walk(self, node: Any, convert: Callable[[str], str]) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "data" and node.get("contentType", "").startswith("text/plain"):
                    out[key] = self.note(base64.b64decode(value).decode("utf-8"))
                else:
                    out[key] = self.walk(value, convert)
            return out
        if isinstance(node, list):
            return [self.walk(item, convert) for item in node]
        if isinstance(node, str) and "\ue000" not in node:
            return convert(node)
        return node


def compile_profile(sp: SourcePatient, k: int, pack: KnowledgePack) -> Profile:
    chosen = select(sp, k)
    _check_references(chosen, sp.id)
    patient = json.loads(json.dumps(sp.patient))
    _mark_demographics(patient)
    chosen["Patient"] = [patient]
    comp = _Compiler(_name_tokens(sp.patient))
    marked: dict[str, str] = {}
    for rtype in TYPES:
        lines = [
            json.dumps(comp.walk(r, comp.string), ensure_ascii=False, separators=(",", ":"))
            for r in chosen[rtype]
        ]
        marked[rtype] = "".join(line + "\n" for line in lines)
    slots = _Slots(
        {
            "i": len(comp.ids),
            "d": len(comp.dates),
            "t": len(comp.role_list),
            "f": len(FIELDS),
            "n": len(NUMBERS),
            "b": len(comp.notes),
        }
    )
    birth = dt.date.fromisoformat(str(sp.patient.get("birthDate", "1900-01-01"))).toordinal()
    facts = facts_of((r for rtype in TYPES for r in chosen[rtype]), pack)
    return Profile(
        source_id=sp.id,
        gender=str(sp.patient.get("gender", "unknown")),
        deceased="deceasedDateTime" in sp.patient or bool(sp.patient.get("deceasedBoolean")),
        templates={t: slots.template(text) for t, text in marked.items()},
        counts={t: len(chosen[t]) for t in TYPES},
        notes=tuple(slots.template(text) for text in comp.notes),
        n_ids=len(comp.ids),
        patient_slot=comp.ids[sp.id],
        date_ords=tuple(sorted(comp.dates, key=comp.dates.__getitem__)),
        name_roles=tuple(comp.role_list),
        birth_ord=birth,
        end_ord=max(comp.dates, default=birth),
        facts=facts,
    )
