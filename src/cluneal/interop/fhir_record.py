"""One patient's record as a FHIR R4 Bundle, and back (pure: no web framework, no database).

:class:`Record` is the record as plain data, field for field the database's patient, visits,
blocks, treatments and patient links (with their diary entries or questionnaire answer).
:func:`to_bundle` writes it as a Bundle; :func:`from_bundle` reads a Bundle back, strictly: it
raises :class:`~cluneal.knowledge.reader.Invalid` listing every problem by its JSON path
(``entry[3].resource.valueInteger: must be an integer from 0 to 10``) and returns nothing of an
invalid bundle. ``from_bundle(to_bundle(r)) == r`` for every record ``to_bundle`` accepts.

Resources (all references are the ``urn:uuid:`` fullUrls of entries in the same bundle):

* ``Patient``: the site's record number as the identifier, under
  ``urn:cluneal:site:<site uuid>:record-number``; gender; ``birthDate`` as the year only; the
  optional name (``name[0].text``) and contact (``telecom[0]``, system ``other``).
* ``Encounter`` per visit (``period.start`` is the visit date), and a ``QuestionnaireResponse``
  per visit (:data:`VISIT_QUESTIONNAIRE`) whose items hold the visit's history, body map, exam,
  questionnaire items and notes; linkIds are the JSON paths (``history.duration_months``,
  ``exam.left.scn.tender``, ``questionnaires.odi.3``). An item without an answer is ``null``.
* ``Observation`` of pain (LOINC 72514-3, always ``valueInteger``) for each visit's current NRS,
  each block's NRS before and after, and each diary day; the second category (a Cluneal code:
  ``nrs-visit``, ``nrs-before-block``, ``nrs-after-block``, ``nrs-diary``) says which.
* ``Procedure`` per block (CPT 64450 and Cluneal ``cluneal-nerve-block``; the block's figures in
  extensions under :data:`EXTENSION`) and per treatment (Cluneal code of the kind, plus CPT 64640
  for radiofrequency; the outcome in ``Procedure.outcome``). ``bodySite`` is the nerve (Cluneal
  code) then the side (SNOMED CT laterality qualifier).
* ``QuestionnaireResponse`` per answered patient link (``.../Questionnaire/<instrument>``); diary
  observations and answers carry the link's id in the ``patient-link`` extension and point at the
  link's block with ``partOf``.

Derived data is exported for readers and **ignored on import**: a ``Condition`` per nerve and
side the engine finds confirmed or suspected (passed in as ``statuses``), questionnaire-score
``Observation`` resources (RMDQ score, ODI percent, STarT Back total; computed when a knowledge
pack is given), and the NRS observations of blocks, which repeat the Procedure's extensions and
are checked against them.

What is not exchanged: link tokens (secrets), when a link expires or was completed, who created
a visit or link, and the created/updated/recorded timestamps. Database ids may be re-keyed on
import; the grouping they express (which diary entries belong to which link, which link follows
which block) is kept. Within the visit's JSON, ``null`` and absent are the same for objects and
lists (a ``null`` scalar is kept, as an item without an answer).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from cluneal.core.case import CASE_FORMAT, parse_case
from cluneal.core.scores import score_all
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.knowledge.reader import Invalid, Node, Problem, Problems

CLUNEAL: Final = "https://cluneal.org/fhir/CodeSystem/cluneal"
EXTENSION: Final = "https://cluneal.org/fhir/StructureDefinition/"
QUESTIONNAIRE: Final = "https://cluneal.org/fhir/Questionnaire/"
VISIT_QUESTIONNAIRE: Final = QUESTIONNAIRE + "cluneal-visit"
LOINC: Final = v.CODE_SYSTEMS["loinc"]
SNOMED: Final = v.CODE_SYSTEMS["snomedct"]
CPT: Final = v.CODE_SYSTEMS["cpt"]
ICD10CM: Final = v.CODE_SYSTEMS["icd10cm"]
UCUM: Final = "http://unitsofmeasure.org"
BUNDLE_TYPES: Final = ("collection", "searchset")
INSTRUMENTS: Final = ("startback", "odi", "rmdq")
LINK_KINDS: Final = ("diary", *INSTRUMENTS)
GUIDANCE: Final = ("landmark", "ultrasound", "fluoroscopy")
#: Regions of the pain drawing, per view (``cluneal.web.records.bodymap.REGIONS``).
BODY_REGIONS: Final = {
    "back": (
        "low_back",
        "iliac_crest",
        "buttock",
        "posterior_thigh",
        "lateral_thigh",
        "calf",
        "foot",
    ),
    "front": ("groin", "anterior_thigh", "lateral_thigh", "knee", "shin", "foot"),
}
MIN_BIRTH_YEAR: Final = 1900
MAX_DECIMAL: Final = 9999.9  # the database keeps five digits, one of them after the point
MAX_MINUTES: Final = 2_147_483_647
LIMITS: Final = {"record_number": 40, "name": 200, "contact": 200, "agent": 120, "notes": 20_000}

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://cluneal.org/fhir")
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SITE_SYSTEM: Final = re.compile(rf"urn:cluneal:site:({_UUID.pattern}):record-number")
_YEAR: Final = re.compile(r"\d{4}")
_ENTRY: Final = re.compile(r"entry\[(\d+)\]")


# -- the record as plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class PatientData:
    id: str
    site_id: str
    record_number: str
    birth_year: int | None = None
    sex: str = "unknown"
    name: str = ""
    contact: str = ""


@dataclass(frozen=True)
class VisitData:
    id: str
    date: dt.date
    history: dict[str, Any] = field(default_factory=dict)
    body_map: dict[str, Any] = field(default_factory=dict)
    exam: dict[str, Any] = field(default_factory=dict)
    questionnaires: dict[str, Any] = field(default_factory=dict)
    current_nrs: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class BlockData:
    id: str
    date: dt.date
    nerve: str
    side: str
    nrs_before: int
    nrs_after: int
    agent: str = ""
    volume_ml: Decimal | None = None
    guidance: str = ""
    minutes_after: int | None = None
    relief_days: Decimal | None = None
    relief_days_from_diary: bool = False


@dataclass(frozen=True)
class TreatmentData:
    id: str
    date: dt.date
    kind: str
    nerve: str
    side: str
    outcome: str = ""


@dataclass(frozen=True)
class DiaryDay:
    date: dt.date
    nrs: int


@dataclass(frozen=True)
class AnswerData:
    """A questionnaire filled in through a link: item values in the case format."""

    values: list[Any]
    date: dt.date


@dataclass(frozen=True)
class LinkData:
    """A patient link that holds something: its diary entries or its questionnaire answer.

    ``kind`` is ``diary`` or the instrument answered; ``block_id`` is the link's block."""

    id: str
    kind: str
    block_id: str | None = None
    entries: tuple[DiaryDay, ...] = ()
    answer: AnswerData | None = None


@dataclass(frozen=True)
class Record:
    patient: PatientData
    visits: tuple[VisitData, ...] = ()
    blocks: tuple[BlockData, ...] = ()
    treatments: tuple[TreatmentData, ...] = ()
    links: tuple[LinkData, ...] = ()


@dataclass(frozen=True)
class NerveStatus:
    """The engine's status of one nerve on one side (derived; exported as a Condition)."""

    nerve: str
    side: str
    status: str


# -- codes -----------------------------------------------------------------------------------

NERVE_NAMES: Final = {"scn": "Superior cluneal nerve", "mcn": "Middle cluneal nerve"}
LATERALITY: Final = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
SIDE_CONCEPTS: Final = {
    side: {"coding": [{"system": SNOMED, "code": code, "display": display}]}
    for side, (code, display) in LATERALITY.items()
}
NERVE_CONCEPTS: Final = {
    nerve: {"coding": [{"system": CLUNEAL, "code": nerve, "display": name}]}
    for nerve, name in NERVE_NAMES.items()
}
BLOCK_CODE: Final = {
    "coding": [
        {"system": CPT, "code": "64450"},
        {"system": CLUNEAL, "code": "cluneal-nerve-block", "display": "Cluneal nerve block"},
    ],
    "text": "Cluneal nerve block",
}
TREATMENT_NAMES: Final = {
    "surgical_release": "Surgical release of a cluneal nerve",
    "neurectomy": "Cluneal neurectomy",
    "radiofrequency": "Radiofrequency treatment of a cluneal nerve",
}
TREATMENT_CODES: Final = {
    kind: {
        "coding": ([{"system": CPT, "code": "64640"}] if kind == "radiofrequency" else [])
        + [{"system": CLUNEAL, "code": kind, "display": name}],
        "text": name,
    }
    for kind, name in TREATMENT_NAMES.items()
}
PROCEDURE_CODES: Final = {"block": BLOCK_CODE, **TREATMENT_CODES}
OUTCOME_CONCEPTS: Final = {
    outcome: {
        "coding": [{"system": CLUNEAL, "code": outcome, "display": outcome.replace("_", " ")}]
    }
    for outcome in v.OUTCOMES
}
NRS_CODE: Final = {
    "coding": [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ],
    "text": "Pain intensity (NRS 0-10)",
}
SURVEY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
        }
    ]
}
NRS_CONTEXTS: Final = ("nrs-visit", "nrs-before-block", "nrs-after-block", "nrs-diary")
SCORE_NAMES: Final = {
    "startback-total": "STarT Back total score",
    "startback-psychosocial": "STarT Back psychosocial subscore",
    "startback-risk": "STarT Back risk group",
    "odi-percent": "Oswestry Disability Index (percent)",
    "rmdq-score": "Roland-Morris Disability Questionnaire score",
}
ENCOUNTER_CLASS: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "AMB",
    "display": "ambulatory",
}
G58_8: Final = {"system": ICD10CM, "code": "G58.8", "display": "Other specified mononeuropathies"}
#: The block's extensions: name -> (value[x] key, what it holds).
BLOCK_EXTENSIONS: Final = {
    "nrs-before": "valueInteger",
    "nrs-after": "valueInteger",
    "minutes-after": "valueInteger",
    "relief-days": "valueDecimal",
    "relief-days-from-diary": "valueBoolean",
    "agent": "valueString",
    "volume-ml": "valueQuantity",
    "guidance": "valueCode",
}
LINK_EXTENSION: Final = EXTENSION + "patient-link"
MILLILITRES: Final = {"unit": "mL", "system": UCUM, "code": "mL"}
PERCENT: Final = {"unit": "%", "system": UCUM, "code": "%"}


def site_system(site_id: str) -> str:
    """The identifier system of a site's record numbers."""
    return f"urn:cluneal:site:{site_id}:record-number"


def _cluneal(code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": CLUNEAL, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _derived_id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": _url(resource_id)}


def _number(value: Decimal) -> float:
    return float(value)


# -- the visit's JSON as questionnaire items ---------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    kind: str  # "integer", "number", "boolean" or "string"
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Codes:
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    fields: Mapping[str, Shape]


@dataclass(frozen=True)
class Seq:
    elements: tuple[Scalar, ...]
    min_len: int = 0


Shape = Scalar | Codes | Group | Seq

BOOL = Scalar("boolean")
FINDING = Group(
    {
        "tender": BOOL,
        "distance_mm": Scalar("number", 0),
        "reproduces_complaint": BOOL,
        "radiation_on_pressure": BOOL,
    }
)
HISTORY = Group(
    {
        "duration_months": Scalar("number", 0),
        "pain_sites": Group({side: Codes(v.PAIN_SITES) for side in v.SIDES}),
        "aggravated_by": Codes(v.AGGRAVATING),
        "leg_numbness_or_tingling": BOOL,
        "prior_procedures": Codes(v.PROCEDURES),
        "planned_procedures": Codes(v.PROCEDURES),
        "conditions": Codes(v.CONDITIONS),
        "red_flags": Codes(v.RED_FLAGS),
    }
)
EXAM = Group({side: Group(dict.fromkeys(v.NERVES, FINDING)) for side in v.SIDES})
BODY_MAP = Group(
    {
        view: Group({side: Codes(regions) for side in v.SIDES})
        for view, regions in BODY_REGIONS.items()
    }
)
INSTRUMENT_SHAPES: Final = {
    "startback": Seq((Scalar("integer", 0, 1),) * 8 + (Scalar("integer", 1, 5),), 9),
    "odi": Seq((Scalar("integer", 0, 5),) * 10, 10),
    "rmdq": Seq((BOOL,) * 24),
}
QUESTIONNAIRES = Group(INSTRUMENT_SHAPES)
VISIT = Group(
    {
        "history": HISTORY,
        "body_map": BODY_MAP,
        "exam": EXAM,
        "questionnaires": QUESTIONNAIRES,
        "notes": Scalar("string"),
    }
)
_VALUE_KEYS: Final = {
    "integer": ("valueInteger",),
    "number": ("valueInteger", "valueDecimal"),
    "boolean": ("valueBoolean",),
    "string": ("valueString",),
}


def _link_id(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _scalar_ok(shape: Scalar, value: Any) -> bool:
    if shape.kind == "boolean":
        return isinstance(value, bool)
    if shape.kind == "string":
        return isinstance(value, str) and value != ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if shape.kind == "integer" and not isinstance(value, int):
        return False
    return (shape.low is None or value >= shape.low) and (shape.high is None or value <= shape.high)


def _answer(shape: Scalar, value: Any) -> dict[str, Any]:
    if shape.kind == "boolean":
        return {"valueBoolean": value}
    if shape.kind == "string":
        return {"valueString": value}
    return {"valueInteger": value} if isinstance(value, int) else {"valueDecimal": value}


def _encode(shape: Shape, value: Any, link_id: str, path: str, bad: Problems) -> dict[str, Any]:
    """The item for ``value``; what does not fit the shape is recorded in ``bad``."""
    item: dict[str, Any] = {"linkId": link_id}
    if isinstance(shape, Scalar):
        if value is not None:
            if _scalar_ok(shape, value):
                item["answer"] = [_answer(shape, value)]
            else:
                bad.add(path, f"cannot be exported: not a valid {shape.kind}")
        return item
    if isinstance(shape, Codes):
        if not isinstance(value, list) or not all(c in shape.allowed for c in value):
            bad.add(path, "cannot be exported: must be a list of " + ", ".join(shape.allowed))
        elif value:
            item["answer"] = [{"valueCoding": {"system": CLUNEAL, "code": c}} for c in value]
        return item
    if isinstance(shape, Seq):
        if not isinstance(value, list) or not shape.min_len <= len(value) <= len(shape.elements):
            bad.add(path, "cannot be exported: not a list of the expected length")
            return item
        children = [
            _encode(shape.elements[i], x, _link_id(link_id, i + 1), f"{path}[{i}]", bad)
            for i, x in enumerate(value)
        ]
        if children:
            item["item"] = children
        return item
    if not isinstance(value, dict):
        bad.add(path, "cannot be exported: must be an object")
        return item
    for key in value:
        if key not in shape.fields:
            bad.add(f"{path}.{key}", "cannot be exported: unknown field")
    children = [
        _encode(child, value[key], _link_id(link_id, key), f"{path}.{key}", bad)
        for key, child in shape.fields.items()
        if key in value and (value[key] is not None or isinstance(child, Scalar))
    ]
    if children:
        item["item"] = children
    return item


def _decode(shape: Shape, node: Node, link_id: str) -> Any:
    """The JSON value an item holds (its linkId already checked)."""
    if isinstance(shape, Scalar):
        node.obj(("linkId", "answer"))
        answers = node.get("answer").items(max_len=1)
        if not answers:
            return None
        answer = answers[0]
        keys = _VALUE_KEYS[shape.kind]
        if not isinstance(answer.value, dict):
            answer.fail("must be an object (an answer)")
            return None
        answer.obj(keys)
        given = [k for k in keys if answer.value.get(k) is not None]
        if len(given) != 1:
            answer.fail("must have exactly one of " + ", ".join(keys))
            return None
        value = answer.get(given[0])
        if shape.kind == "boolean":
            return value.boolean()
        if shape.kind == "string":
            return value.string(non_empty=True)
        if shape.kind == "integer" or given[0] == "valueInteger":
            return value.integer(shape.low, shape.high)
        got = value.number(shape.low, shape.high)
        return None if got is None else float(got)
    if isinstance(shape, Codes):
        node.obj(("linkId", "answer"))
        codes: list[str] = []
        for answer in node.get("answer").items():
            if not isinstance(answer.value, dict):
                answer.fail("must be an object (an answer)")
                continue
            answer.obj(("valueCoding",))
            coding = answer.get("valueCoding")
            if coding.required() and coding.obj(("system", "code")):
                _fixed(coding.get("system"), CLUNEAL)
                if coding.get("code").required():
                    code = coding.get("code").enum(shape.allowed)
                    if code is not None:
                        codes.append(code)
        return codes
    node.obj(("linkId", "item"))
    if isinstance(shape, Group):
        return _group(shape, node.get("item"), link_id)
    children = node.get("item").items()
    n = len(children)
    if not shape.min_len <= n <= len(shape.elements):
        expected = (
            f"exactly {shape.min_len}"
            if shape.min_len == len(shape.elements)
            else f"at most {len(shape.elements)}"
        )
        node.get("item").fail(f"must have {expected} items (has {n})")
    out: list[Any] = []
    for i, child in enumerate(children[: len(shape.elements)]):
        expected_id = _link_id(link_id, i + 1)
        if not _item(child):
            continue
        if child.get("linkId").value != expected_id:
            child.get("linkId").fail(f'must be "{expected_id}" (items in order)')
            continue
        out.append(_decode(shape.elements[i], child, expected_id))
    return out


def _group(shape: Group, items: Node, link_id: str) -> dict[str, Any]:
    """The object the items of a group (or of a whole response) hold."""
    group: dict[str, Any] = {}
    for child in items.items():
        if not _item(child):
            continue
        child_id = child.get("linkId").value
        key = child_id[len(link_id) + 1 :] if link_id else child_id
        if (link_id and not child_id.startswith(link_id + ".")) or key not in shape.fields:
            names = ", ".join(_link_id(link_id, k) for k in shape.fields)
            child.get("linkId").fail(f"unknown item: must be one of {names}")
        elif key in group:
            child.get("linkId").fail("repeats an item")
        else:
            group[key] = _decode(shape.fields[key], child, child_id)
    return group


def _item(node: Node) -> bool:
    if not isinstance(node.value, dict):
        node.fail("must be an object (a questionnaire item)")
        return False
    link_id = node.get("linkId")
    if link_id.required():
        return link_id.string(non_empty=True) is not None
    return False


def _case_problems(node: Node, **parts: Any) -> None:
    """Problems the core finds in history, exam or questionnaires, at ``node``."""
    try:
        parse_case({"format": CASE_FORMAT, **parts})
    except Invalid as exc:
        for p in exc.problems:
            node.fail(f"{p.path}: {p.message}")


# -- export ----------------------------------------------------------------------------------


def to_bundle(
    record: Record,
    *,
    statuses: Iterable[NerveStatus] = (),
    pack: KnowledgePack | None = None,
    bundle_type: str = "collection",
) -> dict[str, Any]:
    """The record as a FHIR R4 Bundle.

    ``bundle_type`` is ``collection`` (a file to move between sites) or ``searchset`` (what
    ``Patient/$everything`` answers). ``statuses`` (the engine's) become Conditions and ``pack``
    scores the questionnaires; both are derived and ignored by :func:`from_bundle`. Raises
    :class:`Invalid` if the record holds something the format cannot carry."""
    if bundle_type not in BUNDLE_TYPES:
        raise ValueError(f"bundle_type must be one of {', '.join(BUNDLE_TYPES)}")
    bad = Problems()
    writer = _Writer(record, pack, bad)
    resources = writer.resources(tuple(statuses))
    if bad.found:
        raise Invalid(bad.found, "record")
    entries: list[dict[str, Any]] = []
    for resource in resources:
        entry: dict[str, Any] = {"fullUrl": _url(resource["id"]), "resource": resource}
        if bundle_type == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": bundle_type}
    if bundle_type == "searchset":
        bundle["total"] = len(entries)
    bundle["entry"] = entries
    try:
        from_bundle(bundle)  # never hand out a bundle that the import would refuse
    except Invalid as exc:
        raise Invalid(list(exc.problems), "record (its bundle would be refused)") from None
    return bundle


class _Writer:
    def __init__(self, record: Record, pack: KnowledgePack | None, bad: Problems) -> None:
        self.record = record
        self.pack = pack
        self.bad = bad
        self.subject = _ref(record.patient.id)

    def resources(self, statuses: tuple[NerveStatus, ...]) -> list[dict[str, Any]]:
        out = [self.patient()]
        for i, visit in enumerate(self.record.visits):
            out += self.visit(i, visit)
        for i, block in enumerate(self.record.blocks):
            out += self.block(i, block)
        out += [self.treatment(i, t) for i, t in enumerate(self.record.treatments)]
        for i, link in enumerate(self.record.links):
            out += self.link(i, link)
        out += [self.condition(s) for s in statuses if s.status in ("confirmed", "suspected")]
        return out

    def patient(self) -> dict[str, Any]:
        p = self.record.patient
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": p.id,
            "identifier": [{"system": site_system(p.site_id), "value": p.record_number}],
            "gender": p.sex,
        }
        if p.birth_year is not None:
            resource["birthDate"] = f"{p.birth_year:04d}"
        if p.name:
            resource["name"] = [{"text": p.name}]
        if p.contact:
            resource["telecom"] = [{"system": "other", "value": p.contact}]
        return resource

    def nrs(self, rid: str, context: str, date: dt.date, value: int, **more: Any) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": rid,
            "status": "final",
            "category": [SURVEY, _cluneal(context)],
            "code": NRS_CODE,
            "subject": self.subject,
        }
        resource.update(more)
        resource["effectiveDateTime"] = date.isoformat()
        resource["valueInteger"] = value
        return resource

    def visit(self, i: int, visit: VisitData) -> list[dict[str, Any]]:
        path = f"visits[{i}]"
        content = {
            "history": visit.history,
            "body_map": visit.body_map,
            "exam": visit.exam,
            "questionnaires": visit.questionnaires,
            "notes": visit.notes,
        }
        bad_before = len(self.bad.found)
        items = _encode(VISIT, {k: x for k, x in content.items() if x}, "", path, self.bad).get(
            "item", []
        )
        if len(self.bad.found) == bad_before:
            _case_problems(
                Node(None, path, self.bad),
                history=visit.history,
                exam=visit.exam,
                questionnaires=visit.questionnaires,
            )
        qr_id = _derived_id(visit.id, "visit-questionnaire")
        encounter = {
            "resourceType": "Encounter",
            "id": visit.id,
            "status": "finished",
            "class": ENCOUNTER_CLASS,
            "subject": self.subject,
            "period": {"start": visit.date.isoformat()},
        }
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": qr_id,
            "questionnaire": VISIT_QUESTIONNAIRE,
            "status": "completed",
            "subject": self.subject,
            "encounter": _ref(visit.id),
            "authored": visit.date.isoformat(),
        }
        if items:
            response["item"] = items
        out = [encounter, response]
        if visit.current_nrs is not None:
            if not _scalar_ok(Scalar("integer", 0, 10), visit.current_nrs):
                self.bad.add(f"{path}.current_nrs", "cannot be exported: not an NRS 0-10")
            out.append(
                self.nrs(
                    _derived_id(visit.id, "nrs"),
                    "nrs-visit",
                    visit.date,
                    visit.current_nrs,
                    encounter=_ref(visit.id),
                )
            )
        out += self.scores(qr_id, visit.date, visit.questionnaires, encounter=_ref(visit.id))
        return out

    def scores(
        self, source: str, date: dt.date, questionnaires: Any, **more: Any
    ) -> list[dict[str, Any]]:
        if self.pack is None or not questionnaires:
            return []
        try:
            case = parse_case({"format": CASE_FORMAT, "questionnaires": questionnaires})
        except Invalid:
            return []  # reported by the caller
        out: list[dict[str, Any]] = []
        for name, score in score_all(case.questionnaires, self.pack).items():
            base: dict[str, Any] = {
                "resourceType": "Observation",
                "id": _derived_id(source, "score", name),
                "status": "final",
                "category": [SURVEY],
            }
            tail: dict[str, Any] = {
                "subject": self.subject,
                **more,
                "effectiveDateTime": date.isoformat(),
            }
            value: dict[str, Any]
            if name == "rmdq":
                code, value = "rmdq-score", {"valueInteger": score["score"]}
            elif name == "odi":
                if score["percent"] is None:
                    continue
                code, value = (
                    "odi-percent",
                    {"valueQuantity": {"value": score["percent"], **PERCENT}},
                )
            else:
                code, value = "startback-total", {"valueInteger": score["total"]}
                value["component"] = [
                    {
                        "code": _cluneal(
                            "startback-psychosocial", SCORE_NAMES["startback-psychosocial"]
                        ),
                        "valueInteger": score["psychosocial"],
                    },
                    {
                        "code": _cluneal("startback-risk", SCORE_NAMES["startback-risk"]),
                        "valueCodeableConcept": _cluneal(f"startback-risk-{score['risk']}"),
                    },
                ]
            out.append(
                {
                    **base,
                    "code": _cluneal(code, SCORE_NAMES[code]),
                    **tail,
                    **value,
                    "derivedFrom": [_ref(source)],
                }
            )
        return out

    def body_site(self, path: str, nerve: str, side: str) -> list[dict[str, Any]]:
        if nerve not in NERVE_CONCEPTS:
            self.bad.add(f"{path}.nerve", "cannot be exported: unknown nerve")
            return []
        if side not in SIDE_CONCEPTS:
            self.bad.add(f"{path}.side", "cannot be exported: unknown side")
            return []
        return [NERVE_CONCEPTS[nerve], SIDE_CONCEPTS[side]]

    def block(self, i: int, b: BlockData) -> list[dict[str, Any]]:
        path = f"blocks[{i}]"
        values: dict[str, Any] = {
            "nrs-before": b.nrs_before,
            "nrs-after": b.nrs_after,
            "minutes-after": b.minutes_after,
            "relief-days": None if b.relief_days is None else _number(b.relief_days),
            "relief-days-from-diary": b.relief_days_from_diary,
            "agent": b.agent or None,
            "volume-ml": None
            if b.volume_ml is None
            else {"value": _number(b.volume_ml), **MILLILITRES},
            "guidance": b.guidance or None,
        }
        for name, nrs in (("nrs_before", b.nrs_before), ("nrs_after", b.nrs_after)):
            if not _scalar_ok(Scalar("integer", 0, 10), nrs):
                self.bad.add(f"{path}.{name}", "cannot be exported: not an NRS 0-10")
        if b.guidance and b.guidance not in GUIDANCE:
            self.bad.add(f"{path}.guidance", "cannot be exported: unknown guidance")
        procedure = {
            "resourceType": "Procedure",
            "id": b.id,
            "extension": [
                {"url": EXTENSION + name, BLOCK_EXTENSIONS[name]: value}
                for name, value in values.items()
                if value is not None
            ],
            "status": "completed",
            "code": BLOCK_CODE,
            "subject": self.subject,
            "performedDateTime": b.date.isoformat(),
            "bodySite": self.body_site(path, b.nerve, b.side),
        }
        part_of = {"partOf": [_ref(b.id)]}
        return [
            procedure,
            self.nrs(
                _derived_id(b.id, "nrs-before"), "nrs-before-block", b.date, b.nrs_before, **part_of
            ),
            self.nrs(
                _derived_id(b.id, "nrs-after"), "nrs-after-block", b.date, b.nrs_after, **part_of
            ),
        ]

    def treatment(self, i: int, t: TreatmentData) -> dict[str, Any]:
        path = f"treatments[{i}]"
        if t.kind not in TREATMENT_CODES:
            self.bad.add(f"{path}.kind", "cannot be exported: unknown kind")
        if t.outcome and t.outcome not in OUTCOME_CONCEPTS:
            self.bad.add(f"{path}.outcome", "cannot be exported: unknown outcome")
        resource: dict[str, Any] = {
            "resourceType": "Procedure",
            "id": t.id,
            "status": "completed",
            "code": TREATMENT_CODES.get(t.kind, {}),
            "subject": self.subject,
            "performedDateTime": t.date.isoformat(),
            "bodySite": self.body_site(path, t.nerve, t.side),
        }
        if t.outcome:
            resource["outcome"] = OUTCOME_CONCEPTS.get(t.outcome, {})
        return resource

    def link(self, i: int, link: LinkData) -> list[dict[str, Any]]:
        path = f"links[{i}]"
        extension = [{"url": LINK_EXTENSION, "valueId": link.id}]
        part_of = {"partOf": [_ref(link.block_id)]} if link.block_id else {}
        if link.kind not in LINK_KINDS:
            self.bad.add(f"{path}.kind", "cannot be exported: unknown kind")
            return []
        if link.kind == "diary" and link.answer is not None:
            self.bad.add(f"{path}.answer", "cannot be exported: a diary holds no answer")
        if link.kind != "diary" and link.entries:
            self.bad.add(f"{path}.entries", "cannot be exported: only a diary holds entries")
        out: list[dict[str, Any]] = []
        for k, day in enumerate(link.entries):
            if not _scalar_ok(Scalar("integer", 0, 10), day.nrs):
                self.bad.add(f"{path}.entries[{k}].nrs", "cannot be exported: not an NRS 0-10")
            out.append(
                self.nrs(
                    _derived_id(link.id, "diary", day.date.isoformat()),
                    "nrs-diary",
                    day.date,
                    day.nrs,
                    extension=extension,
                    **part_of,
                )
            )
        if link.answer is not None and link.kind != "diary":
            answer = link.answer
            shape = INSTRUMENT_SHAPES[link.kind]
            bad_before = len(self.bad.found)
            item = _encode(shape, answer.values, link.kind, f"{path}.answer.values", self.bad)
            if len(self.bad.found) == bad_before:
                _case_problems(
                    Node(None, f"{path}.answer", self.bad),
                    questionnaires={link.kind: answer.values},
                )
            qr_id = _derived_id(link.id, "answer")
            out.append(
                {
                    "resourceType": "QuestionnaireResponse",
                    "id": qr_id,
                    "extension": extension,
                    "questionnaire": QUESTIONNAIRE + link.kind,
                    "status": "completed",
                    "subject": self.subject,
                    **part_of,
                    "authored": answer.date.isoformat(),
                    "item": [item],
                }
            )
            out += self.scores(qr_id, answer.date, {link.kind: answer.values})
        return out

    def condition(self, s: NerveStatus) -> dict[str, Any]:
        nerve_name = NERVE_NAMES.get(s.nerve, s.nerve)
        verification = "confirmed" if s.status == "confirmed" else "provisional"
        return {
            "resourceType": "Condition",
            "id": _derived_id(self.record.patient.id, "condition", s.nerve, s.side),
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": verification,
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "problem-list-item",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [
                    {
                        "system": CLUNEAL,
                        "code": "cluneal-nerve-entrapment",
                        "display": "Cluneal nerve entrapment",
                    },
                    G58_8,
                ],
                "text": f"{nerve_name} entrapment, {s.side} ({s.status}). ICD-10-CM G58.8 is a "
                "candidate code only: no official ICD-10-CM index entry for 'cluneal' was found.",
            },
            "bodySite": self.body_site("statuses", s.nerve, s.side),
            "subject": self.subject,
            "note": [
                {
                    "text": "Derived by Cluneal's engine from the record; ignored when the "
                    "record is imported."
                }
            ],
        }


# -- import ----------------------------------------------------------------------------------

COMMON: Final = ("resourceType", "id", "meta", "text")
RESOURCE_TYPES: Final = (
    "Patient",
    "Encounter",
    "Procedure",
    "Observation",
    "QuestionnaireResponse",
    "Condition",
)


def _fixed(node: Node, expected: Any) -> bool:
    if node.value is None:
        node.fail("is required")
        return False
    if node.value != expected:
        node.fail(f"must be {json.dumps(expected)}")
        return False
    return True


def _absent(node: Node, why: str) -> None:
    if node.value is not None:
        node.fail(f"must be left out {why}")


def _concept(node: Node, table: Mapping[str, Mapping[str, Any]], system: str) -> str | None:
    """The key of ``table`` whose CodeableConcept ``node`` is; the problem otherwise."""
    if not node.required():
        return None
    for key, concept in table.items():
        if node.value == concept:
            return key
    if not isinstance(node.value, dict):
        node.fail("must be an object (a CodeableConcept)")
        return None
    by_code = {
        c["code"]: key
        for key, concept in table.items()
        for c in concept["coding"]
        if c["system"] == system
    }
    if not isinstance(node.value.get("coding"), list):
        node.get("coding").fail("must be a list of codings")
        return None
    for coding in node.get("coding").items():
        if isinstance(coding.value, dict) and coding.value.get("system") == system:
            code = coding.get("code")
            found = by_code.get(code.value) if isinstance(code.value, str) else None
            if found is None:
                names = (c if c == k else f"{c} ({k})" for c, k in by_code.items())
                code.fail("must be one of " + ", ".join(names))
                return None
            node.fail(f"must be exactly {json.dumps(table[found])}")
            return None
    node.get("coding").fail(f"must include a coding of {system}")
    return None


def _decimal(node: Node) -> Decimal | None:
    value = node.number(0, MAX_DECIMAL)
    if value is None:
        return None
    exact = Decimal(str(value))
    rounded = exact.quantize(Decimal("0.1"))
    if rounded != exact:
        node.fail("must have at most one decimal place")
        return None
    return rounded


def _text(node: Node, limit: int) -> str | None:
    value = node.string(non_empty=True)
    if value is not None and len(value) > limit:
        node.fail(f"must be at most {limit} characters")
        return None
    return value


@dataclass
class _Visit:
    id: str
    date: dt.date | None
    content: dict[str, Any] | None = None
    current_nrs: int | None = None
    nrs_seen: bool = False


@dataclass
class _Link:
    id: str
    kind: str
    block_url: str | None
    where: str
    entries: list[DiaryDay] = field(default_factory=list)
    answer: AnswerData | None = None


def from_bundle(bundle: Any) -> Record:
    """The record a Bundle holds; raises :class:`Invalid` listing every problem by its path."""
    problems = Problems()
    record = _Reader(problems).read(Node(bundle, "", problems))
    problems.found.sort(key=_entry_order)
    problems.raise_if_any("FHIR bundle")
    assert record is not None
    return record


def _position(path: str) -> int:
    """The entry a path is in (-1 for the bundle itself)."""
    match = _ENTRY.match(path)
    return int(match.group(1)) if match else -1


def _entry_order(p: Problem) -> int:
    return _position(p.path)


class _Reader:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.index: dict[str, tuple[str, Node]] = {}
        self.patient_url: str | None = None
        self.block_urls: set[str] = set()
        self.visits: dict[str, _Visit] = {}
        self.blocks: dict[str, BlockData] = {}
        self.treatments: list[TreatmentData] = []
        self.links: dict[str, _Link] = {}
        self.visit_responses: set[str] = set()
        self.block_nrs: set[tuple[str, str]] = set()

    # -- the bundle -------------------------------------------------------------------------

    def read(self, root: Node) -> Record | None:
        if not isinstance(root.value, dict):
            root.fail("must be a FHIR Bundle (a JSON object)")
            return None
        if not _fixed(root.get("resourceType"), "Bundle"):
            return None
        root.obj(("resourceType", "id", "meta", "type", "timestamp", "total", "entry"))
        bundle_type = root.get("type")
        if bundle_type.required():
            bundle_type.enum(BUNDLE_TYPES)
        if root.get("total").value is not None:
            if bundle_type.value == "searchset":
                root.get("total").integer(0)
            else:
                root.get("total").fail("must be left out (only a searchset has a total)")
        resources = self.index_entries(root, bundle_type.value == "searchset")
        patients = [n for kind, n in resources if kind == "Patient"]
        if not patients:
            root.get("entry").fail("must include the Patient")
        for extra in patients[1:]:
            extra.fail("is a second Patient: a bundle holds the record of one patient")
        patient = self.patient(patients[0]) if patients else None
        readers: dict[str, Callable[[Node], None]] = {
            "Encounter": self.encounter,
            "Procedure": self.procedure,
            "QuestionnaireResponse": self.response,
            "Observation": self.observation,
        }
        for kind in ("Encounter", "Procedure", "QuestionnaireResponse", "Observation"):
            for resource_kind, node in resources:
                if resource_kind == kind:
                    readers[kind](node)
        if patient is None or self.problems.found:
            return None
        return Record(
            patient=patient,
            visits=tuple(self.visit_data(x) for x in self.visits.values()),
            blocks=tuple(self.blocks.values()),
            treatments=tuple(self.treatments),
            links=tuple(
                LinkData(
                    id=link.id,
                    kind=link.kind,
                    block_id=self.blocks[link.block_url].id if link.block_url else None,
                    entries=tuple(link.entries),
                    answer=link.answer,
                )
                for link in sorted(self.links.values(), key=lambda x: _position(x.where))
            ),
        )

    def index_entries(self, root: Node, searchset: bool) -> list[tuple[str, Node]]:
        found: list[tuple[str, Node]] = []
        for entry in root.get("entry").items():
            if not isinstance(entry.value, dict):
                entry.fail("must be an object (a bundle entry)")
                continue
            entry.obj(("fullUrl", "resource", "search"))
            search = entry.get("search")
            if not searchset:
                _absent(search, "(only a searchset's entries have search)")
            elif search.obj(("mode", "score")):
                search.get("mode").enum(("match", "include", "outcome"))
                search.get("score").number(0, 1)
            resource = entry.get("resource")
            if not resource.required():
                continue
            if not isinstance(resource.value, dict):
                resource.fail("must be an object (a FHIR resource)")
                continue
            kind_node = resource.get("resourceType")
            kind = kind_node.enum(RESOURCE_TYPES) if kind_node.required() else None
            rid_node = resource.get("id")
            rid = rid_node.string() if rid_node.required() else None
            if rid is not None and not _UUID.fullmatch(rid):
                rid_node.fail("must be a lower-case UUID")
                rid = None
            full = entry.get("fullUrl")
            if full.required() and rid is not None and full.value != _url(rid):
                full.fail(f'must be "{_url(rid)}" (urn:uuid: and the resource\'s id)')
            elif rid is not None and kind is not None:
                if full.value in self.index:
                    full.fail("repeats the fullUrl of an earlier entry")
                else:
                    self.index[_url(rid)] = (kind, resource)
            if kind is not None:
                found.append((kind, resource))
                if (
                    kind == "Procedure"
                    and rid is not None
                    and resource.value.get("code") == BLOCK_CODE
                ):
                    self.block_urls.add(_url(rid))
        return found

    # -- references -------------------------------------------------------------------------

    def target(self, node: Node, kind: str, what: str, within: Any = None) -> str | None:
        if not node.required() or not node.obj(("reference",)):
            return None
        ref = node.get("reference")
        url = ref.string(non_empty=True) if ref.required() else None
        if url is None:
            return None
        found = self.index.get(url)
        if found is None or found[0] != kind or (within is not None and url not in within):
            ref.fail(f"must refer to {what} in the bundle")
            return None
        return url

    def subject(self, resource: Node) -> None:
        if self.patient_url is None:
            return  # no valid Patient: said once, not on every resource
        node = resource.get("subject")
        url = self.target(node, "Patient", "the Patient")
        if url is not None and url != self.patient_url:
            node.get("reference").fail("must refer to the bundle's first Patient")

    def only_block(self, node: Node) -> tuple[bool, str | None]:
        """``partOf``: absent, or one reference to a block Procedure; (valid, url)."""
        if node.value is None:
            return True, None
        parts = node.items(min_len=1, max_len=1)
        if len(parts) != 1:
            return False, None
        url = self.target(parts[0], "Procedure", "a block Procedure", self.block_urls)
        return url is not None, url

    # -- resources --------------------------------------------------------------------------

    def patient(self, res: Node) -> PatientData | None:
        res.obj((*COMMON, "identifier", "gender", "birthDate", "name", "telecom"))
        url = _url(str(res.value.get("id")))
        self.patient_url = url if self.index.get(url, ("",))[0] == "Patient" else None
        site_id = record_number = None
        identifiers = res.get("identifier")
        if identifiers.required():
            items = identifiers.items(min_len=1, max_len=1)
            if items and not isinstance(items[0].value, dict):
                items[0].fail("must be an object (an Identifier)")
            elif items and items[0].obj(("system", "value")):
                system, value = items[0].get("system"), items[0].get("value")
                if system.required() and isinstance(system.value, str):
                    match = _SITE_SYSTEM.fullmatch(system.value)
                    if match:
                        site_id = match.group(1)
                    else:
                        system.fail("must be urn:cluneal:site:<site uuid>:record-number")
                elif system.value is not None:
                    system.fail("must be a string")
                if value.required():
                    record_number = _text(value, LIMITS["record_number"])
        sex = res.get("gender").enum(v.SEXES) or "unknown"
        birth_year = None
        birth = res.get("birthDate")
        if birth.value is not None:
            year = birth.value if isinstance(birth.value, str) else ""
            this_year = dt.date.today().year
            if _YEAR.fullmatch(year) and MIN_BIRTH_YEAR <= int(year) <= this_year:
                birth_year = int(year)
            else:
                birth.fail(
                    f"must be a year from {MIN_BIRTH_YEAR} to {this_year} (YYYY): "
                    "Cluneal keeps the year of birth only"
                )
        name = self.single(res.get("name"), ("text",), "text", LIMITS["name"])
        contact = self.single(
            res.get("telecom"), ("system", "value"), "value", LIMITS["contact"], {"system": "other"}
        )
        if site_id is None or record_number is None or self.patient_url is None:
            return None
        return PatientData(
            id=self.patient_url.removeprefix("urn:uuid:"),
            site_id=site_id,
            record_number=record_number,
            birth_year=birth_year,
            sex=sex,
            name=name or "",
            contact=contact or "",
        )

    @staticmethod
    def single(
        node: Node,
        allowed: tuple[str, ...],
        key: str,
        limit: int,
        fixed: Mapping[str, str] | None = None,
    ) -> str | None:
        items = node.items(min_len=1, max_len=1) if node.value is not None else []
        if not items:
            return None
        if not isinstance(items[0].value, dict):
            items[0].fail("must be an object")
            return None
        items[0].obj(allowed)
        for k, expected in (fixed or {}).items():
            _fixed(items[0].get(k), expected)
        value = items[0].get(key)
        return _text(value, limit) if value.required() else None

    def encounter(self, res: Node) -> None:
        res.obj((*COMMON, "status", "class", "subject", "period"))
        _fixed(res.get("status"), "finished")
        _fixed(res.get("class"), ENCOUNTER_CLASS)
        self.subject(res)
        period = res.get("period")
        date = None
        if period.required() and period.obj(("start",)):
            start = period.get("start")
            date = start.date() if start.required() else None
        rid = str(res.value.get("id"))
        self.visits[_url(rid)] = _Visit(id=rid, date=date)

    def procedure(self, res: Node) -> None:
        rid = str(res.value.get("id"))
        kind = _concept(res.get("code"), PROCEDURE_CODES, CLUNEAL)
        is_block = kind == "block"
        extra = {"block": ("extension",), None: ("extension", "outcome")}.get(kind, ("outcome",))
        res.obj((*COMMON, "status", "code", "subject", "performedDateTime", "bodySite", *extra))
        _fixed(res.get("status"), "completed")
        self.subject(res)
        performed = res.get("performedDateTime")
        date = performed.date() if performed.required() else None
        nerve = side = None
        sites = res.get("bodySite")
        if sites.required():
            pair = sites.items(min_len=2, max_len=2)
            if len(pair) == 2:
                nerve = _concept(pair[0], NERVE_CONCEPTS, CLUNEAL)
                side = _concept(pair[1], SIDE_CONCEPTS, SNOMED)
        if kind is None or date is None or nerve is None or side is None:
            return
        if not is_block:
            outcome = ""
            if res.get("outcome").value is not None:
                outcome = _concept(res.get("outcome"), OUTCOME_CONCEPTS, CLUNEAL) or ""
            self.treatments.append(TreatmentData(rid, date, kind, nerve, side, outcome))
            return
        ext = self.extensions(res.get("extension"))
        before = ext["nrs-before"].integer(0, 10) if "nrs-before" in ext else None
        after = ext["nrs-after"].integer(0, 10) if "nrs-after" in ext else None
        for name in ("nrs-before", "nrs-after"):
            if name not in ext:
                res.get("extension").fail(f"must include the {EXTENSION}{name} extension")
        minutes = ext["minutes-after"].integer(0, MAX_MINUTES) if "minutes-after" in ext else None
        relief = _decimal(ext["relief-days"]) if "relief-days" in ext else None
        from_diary = (
            ext["relief-days-from-diary"].boolean() if "relief-days-from-diary" in ext else None
        )
        agent = _text(ext["agent"], LIMITS["agent"]) if "agent" in ext else None
        volume = None
        if "volume-ml" in ext and ext["volume-ml"].obj(("value", *MILLILITRES)):
            quantity = ext["volume-ml"]
            for k, expected in MILLILITRES.items():
                _fixed(quantity.get(k), expected)
            if quantity.get("value").required():
                volume = _decimal(quantity.get("value"))
        guidance = ext["guidance"].enum(GUIDANCE) if "guidance" in ext else None
        if before is None or after is None:
            return
        self.blocks[_url(rid)] = BlockData(
            id=rid,
            date=date,
            nerve=nerve,
            side=side,
            nrs_before=before,
            nrs_after=after,
            agent=agent or "",
            volume_ml=volume,
            guidance=guidance or "",
            minutes_after=minutes,
            relief_days=relief,
            relief_days_from_diary=bool(from_diary),
        )

    def extensions(self, node: Node) -> dict[str, Node]:
        """The block's extensions by name, each as its value's node."""
        out: dict[str, Node] = {}
        for ext in node.items():
            if not isinstance(ext.value, dict):
                ext.fail("must be an object (an Extension)")
                continue
            url = ext.get("url")
            name = url.value[len(EXTENSION) :] if isinstance(url.value, str) else None
            if not url.required():
                continue
            if (
                name is None
                or not str(url.value).startswith(EXTENSION)
                or name not in BLOCK_EXTENSIONS
            ):
                url.fail("must be one of " + ", ".join(EXTENSION + n for n in BLOCK_EXTENSIONS))
                continue
            if name in out:
                url.fail("repeats an extension")
                continue
            key = BLOCK_EXTENSIONS[name]
            ext.obj(("url", key))
            if ext.get(key).required():
                out[name] = ext.get(key)
        return out

    def link_id(self, res: Node) -> str | None:
        node = res.get("extension")
        if not node.required():
            return None
        items = node.items(min_len=1, max_len=1)
        if len(items) != 1:
            return None
        ext = items[0]
        if not ext.obj(("url", "valueId")):
            ext.fail("must be an object (an Extension)")
            return None
        if not _fixed(ext.get("url"), LINK_EXTENSION):
            return None
        value = ext.get("valueId")
        link_id = value.string() if value.required() else None
        if link_id is not None and not _UUID.fullmatch(link_id):
            value.fail("must be a lower-case UUID")
            return None
        return link_id

    def add_to_link(self, res: Node, link_id: str, kind: str, block_url: str | None) -> _Link:
        link = self.links.get(link_id)
        if link is None:
            link = _Link(link_id, kind, block_url, res.path)
            self.links[link_id] = link
        elif link.kind != kind:
            res.get("extension").fail(f"names a {link.kind} link ({link.where}) as a {kind} link")
        elif link.block_url != block_url:
            res.get("partOf").fail(f"must refer to the same block as {link.where}")
        return link

    def response(self, res: Node) -> None:
        questionnaire = res.get("questionnaire")
        instruments = {QUESTIONNAIRE + k: k for k in INSTRUMENTS}
        if not questionnaire.required():
            return
        if questionnaire.value == VISIT_QUESTIONNAIRE:
            self.visit_response(res)
        elif isinstance(questionnaire.value, str) and questionnaire.value in instruments:
            self.answer(res, instruments[str(questionnaire.value)])
        else:
            questionnaire.fail("must be one of " + ", ".join([VISIT_QUESTIONNAIRE, *instruments]))

    def visit_response(self, res: Node) -> None:
        res.obj((*COMMON, "questionnaire", "status", "subject", "encounter", "authored", "item"))
        _fixed(res.get("status"), "completed")
        self.subject(res)
        url = self.target(res.get("encounter"), "Encounter", "an Encounter")
        authored = res.get("authored")
        date = authored.date() if authored.required() else None
        before = len(self.problems.found)
        content = _group(VISIT, res.get("item"), "")
        decoded = len(self.problems.found) == before
        notes = content.get("notes")
        if isinstance(notes, str) and len(notes) > LIMITS["notes"]:
            res.get("item").fail(f"notes: must be at most {LIMITS['notes']} characters")
        if url is None or url not in self.visits:
            return
        visit = self.visits[url]
        if url in self.visit_responses:
            res.get("encounter").fail("names a visit that already has its questionnaire response")
            return
        self.visit_responses.add(url)
        if date is not None and visit.date is not None and date != visit.date:
            authored.fail(f"must be the encounter's date ({visit.date.isoformat()})")
        if decoded:
            _case_problems(
                res.get("item"),
                history=content.get("history") or {},
                exam=content.get("exam") or {},
                questionnaires=content.get("questionnaires") or {},
            )
        visit.content = content

    def answer(self, res: Node, instrument: str) -> None:
        res.obj(
            (
                *COMMON,
                "extension",
                "questionnaire",
                "status",
                "subject",
                "partOf",
                "authored",
                "item",
            )
        )
        _fixed(res.get("status"), "completed")
        self.subject(res)
        link_id = self.link_id(res)
        ok, block_url = self.only_block(res.get("partOf"))
        authored = res.get("authored")
        date = authored.date() if authored.required() else None
        values: Any = None
        items = res.get("item")
        if items.required():
            top = items.items(min_len=1, max_len=1)
            if len(top) == 1 and _item(top[0]):
                if top[0].get("linkId").value != instrument:
                    top[0].get("linkId").fail(f'must be "{instrument}"')
                else:
                    before = len(self.problems.found)
                    values = _decode(INSTRUMENT_SHAPES[instrument], top[0], instrument)
                    if len(self.problems.found) == before:
                        _case_problems(items, questionnaires={instrument: values})
        if link_id is None or not ok or date is None or values is None:
            return
        link = self.add_to_link(res, link_id, instrument, block_url)
        if link.answer is not None:
            res.get("extension").fail(f"names a link already answered ({link.where})")
            return
        link.answer = AnswerData(values=values, date=date)

    def observation(self, res: Node) -> None:
        code = res.get("code")
        if isinstance(code.value, dict) and code.value != NRS_CODE:
            codings = code.value.get("coding")
            if isinstance(codings, list) and any(
                isinstance(c, dict)
                and c.get("system") == CLUNEAL
                and str(c.get("code")) in SCORE_NAMES
                for c in codings
            ):
                return  # a questionnaire score: derived, ignored on import
        res.obj(
            (
                *COMMON,
                "extension",
                "status",
                "category",
                "code",
                "subject",
                "encounter",
                "partOf",
                "effectiveDateTime",
                "valueInteger",
            )
        )
        _fixed(res.get("status"), "final")
        if code.value != NRS_CODE:
            if not code.required():
                return
            if "72514-3" in json.dumps(code.value):
                code.fail(f"must be exactly {json.dumps(NRS_CODE)}")
            else:
                code.fail(
                    "must be the pain NRS code (LOINC 72514-3) or a questionnaire score code of "
                    f"{CLUNEAL} ({', '.join(SCORE_NAMES)})"
                )
            return
        context = None
        category = res.get("category")
        if category.required():
            pair = category.items(min_len=2, max_len=2)
            if len(pair) == 2:
                _fixed(pair[0], SURVEY)
                context = _concept(pair[1], {c: _cluneal(c) for c in NRS_CONTEXTS}, CLUNEAL)
        self.subject(res)
        effective = res.get("effectiveDateTime")
        date = effective.date() if effective.required() else None
        value_node = res.get("valueInteger")
        nrs = value_node.integer(0, 10) if value_node.required() else None
        if context == "nrs-visit":
            self.visit_nrs(res, date, nrs)
        elif context in ("nrs-before-block", "nrs-after-block"):
            self.block_nrs_check(res, context, date, nrs)
        elif context == "nrs-diary":
            self.diary(res, date, nrs)

    def visit_nrs(self, res: Node, date: dt.date | None, nrs: int | None) -> None:
        _absent(res.get("partOf"), "for a visit's NRS")
        _absent(res.get("extension"), "for a visit's NRS")
        url = self.target(res.get("encounter"), "Encounter", "an Encounter")
        if url is None or url not in self.visits:
            return
        visit = self.visits[url]
        if visit.nrs_seen:
            res.get("encounter").fail("names a visit that already has its NRS observation")
            return
        visit.nrs_seen = True
        if date is not None and visit.date is not None and date != visit.date:
            res.get("effectiveDateTime").fail(
                f"must be the encounter's date ({visit.date.isoformat()})"
            )
        visit.current_nrs = nrs

    def block_nrs_check(
        self, res: Node, context: str, date: dt.date | None, nrs: int | None
    ) -> None:
        """A block's NRS observation repeats the Procedure's extension: it must agree."""
        _absent(res.get("encounter"), "for a block's NRS")
        _absent(res.get("extension"), "for a block's NRS")
        part_of = res.get("partOf")
        if not part_of.required():
            return
        ok, url = self.only_block(part_of)
        if not ok or url is None:
            return
        if (url, context) in self.block_nrs:
            res.fail(f"repeats the {context} observation of the block")
            return
        self.block_nrs.add((url, context))
        block = self.blocks.get(url)
        if block is None:
            return
        if date is not None and date != block.date:
            res.get("effectiveDateTime").fail(f"must be the block's date ({block.date})")
        expected = block.nrs_before if context == "nrs-before-block" else block.nrs_after
        if nrs is not None and nrs != expected:
            name = "nrs-before" if context == "nrs-before-block" else "nrs-after"
            res.get("valueInteger").fail(f"must equal the block's {name} extension ({expected})")

    def diary(self, res: Node, date: dt.date | None, nrs: int | None) -> None:
        _absent(res.get("encounter"), "for a diary entry")
        link_id = self.link_id(res)
        ok, block_url = self.only_block(res.get("partOf"))
        if link_id is None or not ok or date is None or nrs is None:
            return
        link = self.add_to_link(res, link_id, "diary", block_url)
        if any(day.date == date for day in link.entries):
            res.get("effectiveDateTime").fail("repeats a day of this diary")
            return
        link.entries.append(DiaryDay(date, nrs))

    def visit_data(self, visit: _Visit) -> VisitData:
        content = visit.content or {}
        assert visit.date is not None
        return VisitData(
            id=visit.id,
            date=visit.date,
            history=content.get("history") or {},
            body_map=content.get("body_map") or {},
            exam=content.get("exam") or {},
            questionnaires=content.get("questionnaires") or {},
            current_nrs=visit.current_nrs,
            notes=content.get("notes") or "",
        )
