"""Strict readers of the pack's instruments and code lists."""

from __future__ import annotations

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import Code, CodeList, Instrument
from cluneal.knowledge.refs import SourceRefs
from cluneal.validation import Node

#: Every instrument the engine scores must be described by the pack.
REQUIRED_INSTRUMENTS = ("nrs", "startback", "odi", "rmdq")
CODE_KEYS = ("system", "code", "display", "use", "status", "sources", "note", "descendants")


def read_instruments(section: Node, refs: SourceRefs) -> dict[str, Instrument]:
    out: dict[str, Instrument] = {}
    allowed = (
        "id",
        "name",
        "items",
        "scoring",
        "licence",
        "item_labels",
        "mic",
        "bands",
        "parameters",
        "sources",
    )
    for n in section.items(min_len=1):
        if not n.obj(allowed):
            continue
        iid, name = n.get("id").string(non_empty=True), n.get("name").string(non_empty=True)
        count = n.get("items").integer(1, 100)
        scoring, licence = (
            n.get("scoring").string(non_empty=True),
            n.get("licence").string(non_empty=True),
        )
        for key in ("id", "name", "items", "scoring", "licence"):
            n.get(key).required()
        labels = n.get("item_labels").strings() or []
        if labels and count is not None and len(labels) != count:
            n.get("item_labels").fail(f"must have one label per item ({count})")
        bands: list[tuple[float, float, str]] = []
        for b in n.get("bands").items():
            if b.obj(("low", "high", "label")):
                low, high, label = b.get("low").number(), b.get("high").number(), b.get("label")
                text = label.string(non_empty=True)
                if low is not None and high is not None and text:
                    bands.append((low, high, text))
        parameters: dict[str, float] = {}
        for key, p in n.get("parameters").mapping().items():
            value = p.number()
            if value is not None:
                parameters[key] = value
        sources = refs.read(n.get("sources"))
        if iid and name and count and scoring and licence:
            out[iid] = Instrument(
                iid,
                name,
                count,
                scoring,
                licence,
                sources,
                tuple(labels),
                n.get("mic").string(),
                tuple(bands),
                parameters,
            )
    for missing in (i for i in REQUIRED_INSTRUMENTS if i not in out):
        section.fail(f"instrument {missing!r} is missing")
    return out


def read_code_lists(section: Node, refs: SourceRefs) -> dict[str, CodeList]:
    out: dict[str, CodeList] = {}
    for n in section.items(min_len=1):
        if not n.obj(("id", "title", "purpose", "codes")):
            continue
        lid, title = n.get("id").string(non_empty=True), n.get("title").string(non_empty=True)
        purpose = n.get("purpose").string(non_empty=True)
        for key in ("id", "title", "purpose"):
            n.get(key).required()
        codes: list[Code] = []
        for c in n.get("codes").items(min_len=1):
            if not c.obj(CODE_KEYS):
                continue
            system, code = (
                c.get("system").enum(tuple(v.CODE_SYSTEMS)),
                c.get("code").string(non_empty=True),
            )
            status, display = c.get("status").enum(v.CODE_STATUSES), c.get("display").string()
            for key in ("system", "code", "status"):
                c.get(key).required()
            if system == "cpt" and display is not None:
                c.get("display").fail("CPT descriptors may not be shipped (AMA licence)")
            elif system and system != "cpt" and display is None:
                c.get("display").required()
            note = c.get("note").string()
            sources = refs.read(c.get("sources"))
            descendants = bool(c.get("descendants").boolean())
            if descendants and system != "icd10cm":
                c.get("descendants").fail("only ICD-10-CM codes have descendants by their prefix")
            if system and code and status:
                codes.append(
                    Code(
                        system,
                        code,
                        status,
                        sources,
                        display,
                        c.get("use").string(),
                        note,
                        descendants,
                    )
                )
        if lid in out:
            n.get("id").fail(f"duplicate id {lid!r}")
        if lid and title and purpose:
            out[lid] = CodeList(lid, title, purpose, tuple(codes))
    return out
