"""The visit's JSON as QuestionnaireResponse items, and back.

Each part of the visit (history, body map, exam, questionnaires, notes) has a :data:`Shape`; an
item's linkId is the JSON path of its value (``exam.left.scn.tender``, ``questionnaires.odi.3``),
so a receiving system can map the items without knowing Cluneal's code. The same shapes check
what is written (problems at the record's path) and what is read (problems at the bundle's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cluneal.core.case import CASE_FORMAT, parse_case
from cluneal.interop.fhir_record.checks import fixed
from cluneal.interop.fhir_record.codes import BODY_REGIONS, CLUNEAL
from cluneal.knowledge import vocabulary as v
from cluneal.validation import Invalid, Node, Problems


@dataclass(frozen=True)
class Scalar:
    """One answer of a kind, with bounds for numbers."""

    kind: str  # "integer", "number", "boolean" or "string"
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Codes:
    """A list of codes of the Cluneal code system, each one of ``allowed``."""

    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """An object: one child item per field present, in the order of ``fields``."""

    fields: Mapping[str, Shape]


@dataclass(frozen=True)
class Seq:
    """A questionnaire's item values in order (linkIds 1, 2, ...), at least ``min_len``."""

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


def scalar_ok(shape: Scalar, value: Any) -> bool:
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


def encode(shape: Shape, value: Any, link_id: str, path: str, bad: Problems) -> dict[str, Any]:
    """The item for ``value``; what does not fit the shape is recorded in ``bad``."""
    item: dict[str, Any] = {"linkId": link_id}
    if isinstance(shape, Scalar):
        if value is not None:
            if scalar_ok(shape, value):
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
            encode(shape.elements[i], x, _link_id(link_id, i + 1), f"{path}[{i}]", bad)
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
        encode(child, value[key], _link_id(link_id, key), f"{path}.{key}", bad)
        for key, child in shape.fields.items()
        if key in value and (value[key] is not None or isinstance(child, Scalar))
    ]
    if children:
        item["item"] = children
    return item


def decode(shape: Shape, node: Node, link_id: str) -> Any:
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
                fixed(coding.get("system"), CLUNEAL)
                if coding.get("code").required():
                    code = coding.get("code").enum(shape.allowed)
                    if code is not None:
                        codes.append(code)
        return codes
    node.obj(("linkId", "item"))
    if isinstance(shape, Group):
        return decode_group(shape, node.get("item"), link_id)
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
        if not is_item(child):
            continue
        if child.get("linkId").value != expected_id:
            child.get("linkId").fail(f'must be "{expected_id}" (items in order)')
            continue
        out.append(decode(shape.elements[i], child, expected_id))
    return out


def decode_group(shape: Group, items: Node, link_id: str) -> dict[str, Any]:
    """The object the items of a group (or of a whole response) hold."""
    group: dict[str, Any] = {}
    for child in items.items():
        if not is_item(child):
            continue
        child_id = child.get("linkId").value
        key = child_id[len(link_id) + 1 :] if link_id else child_id
        if (link_id and not child_id.startswith(link_id + ".")) or key not in shape.fields:
            names = ", ".join(_link_id(link_id, k) for k in shape.fields)
            child.get("linkId").fail(f"unknown item: must be one of {names}")
        elif key in group:
            child.get("linkId").fail("repeats an item")
        else:
            group[key] = decode(shape.fields[key], child, child_id)
    return group


def is_item(node: Node) -> bool:
    if not isinstance(node.value, dict):
        node.fail("must be an object (a questionnaire item)")
        return False
    link_id = node.get("linkId")
    if link_id.required():
        return link_id.string(non_empty=True) is not None
    return False


def case_problems(node: Node, **parts: Any) -> None:
    """Problems the core finds in history, exam or questionnaires, at ``node``."""
    try:
        parse_case({"format": CASE_FORMAT, **parts})
    except Invalid as exc:
        for p in exc.problems:
            node.fail(f"{p.path}: {p.message}")
