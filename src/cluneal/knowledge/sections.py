"""Strict readers for each section of a knowledge pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.ehr_section import read_ehr
from cluneal.knowledge.model import (
    BlockDefinition,
    Code,
    CodeList,
    CriteriaSet,
    CriterionItem,
    Differential,
    Grade,
    Instrument,
    KnowledgePack,
    Landmark,
    Pathway,
    RedFlag,
    Setting,
    Settings,
    Source,
    Stage,
    Statement,
    Step,
    Trigger,
    Warning,
)
from cluneal.knowledge.reader import Node
from cluneal.knowledge.screening_section import read_screening

#: Every instrument the engine scores must be described by the pack.
REQUIRED_INSTRUMENTS = ("nrs", "startback", "odi", "rmdq")
FAVOURABLE_KEYS = ("true", "false", "null")
SETTING_IDS = (
    "block_definition",
    "scn_window_mm",
    "mcn_window_mm",
    "blocks_before_surgery",
    "maintenance_max_nrs",
    "escalate_min_nrs",
    "favourable_relief_days",
)


class SourceRefs:
    """Source ids cited anywhere in the pack, checked against ``sources`` at the end."""

    def __init__(self) -> None:
        self.refs: list[tuple[Node, str]] = []

    def read(self, node: Node, *, required: bool = True) -> tuple[str, ...]:
        ids = node.strings()
        if ids is None:
            if required:
                node.required()
            return ()
        if required and not ids:
            node.fail("must cite at least one source")
        for i, sid in enumerate(ids):
            self.refs.append((Node(sid, f"{node.path}[{i}]", node.problems), sid))
        return tuple(ids)

    def check(self, known: set[str]) -> None:
        for node, sid in self.refs:
            if sid not in known:
                node.fail(f"unknown source id {sid!r}")


def _unique(nodes: list[Node], ids: list[str | None]) -> None:
    seen: set[str] = set()
    for node, ident in zip(nodes, ids, strict=True):
        if ident is not None and ident in seen:
            node.get("id").fail(f"duplicate id {ident!r}")
        if ident is not None:
            seen.add(ident)


def read_sources(section: Node) -> dict[str, Source]:
    out: dict[str, Source] = {}
    nodes = section.items(min_len=1)
    allowed = ("id", "short", "citation", "doi", "pmid", "pmcid", "urls", "grade", "note")
    for n in nodes:
        if not n.obj(allowed):
            n.required()
            continue
        sid, short = n.get("id").string(non_empty=True), n.get("short").string(non_empty=True)
        citation, grade = n.get("citation").string(non_empty=True), n.get("grade").enum(v.GRADES)
        for key in ("id", "short", "citation", "grade"):
            n.get(key).required()
        urls = n.get("urls").strings() or []
        if sid and sid in out:
            n.get("id").fail(f"duplicate id {sid!r}")
        if sid and short and citation and grade:
            out[sid] = Source(
                sid,
                short,
                citation,
                cast(Grade, grade),
                doi=n.get("doi").string(),
                pmid=n.get("pmid").string(),
                pmcid=n.get("pmcid").string(),
                urls=tuple(urls),
                note=n.get("note").string(),
            )
    return out


def read_landmarks(section: Node, refs: SourceRefs) -> tuple[Landmark, ...]:
    numbers = ("value_mm", "mean_mm", "sd_mm", "min_mm", "max_mm", "percent")
    allowed = ("id", "nerve", "what", "reference", "count", "text", "sample", "note", "sources")
    out: list[Landmark] = []
    nodes = section.items()
    for n in nodes:
        if not n.obj((*allowed, *numbers)):
            n.required()
            continue
        lid, nerve = n.get("id").string(non_empty=True), n.get("nerve").enum(("scn", "mcn", "icn"))
        what = n.get("what").string(non_empty=True)
        for key in ("id", "nerve", "what"):
            n.get(key).required()
        values = {key: n.get(key).number() for key in numbers}
        count, text = n.get("count").integer(0), n.get("text").string()
        if all(x is None for x in values.values()) and count is None and text is None:
            n.fail("must give at least one value (a number, count or text)")
        sources = refs.read(n.get("sources"))
        if lid and nerve and what:
            out.append(
                Landmark(
                    lid,
                    nerve,
                    what,
                    sources,
                    reference=n.get("reference").enum(("midline", "psis", "iliac_crest", "none")),
                    count=count,
                    text=text,
                    sample=n.get("sample").string(),
                    note=n.get("note").string(),
                    **values,
                )
            )
    _unique(nodes, [x.get("id").value for x in nodes])
    return tuple(out)


def read_criteria(section: Node, refs: SourceRefs) -> tuple[CriteriaSet, ...]:
    out: list[CriteriaSet] = []
    nodes = section.items(min_len=1)
    for n in nodes:
        if not n.obj(("id", "nerve", "title", "note", "sources", "items")):
            n.required()
            continue
        sid, nerve = n.get("id").string(non_empty=True), n.get("nerve").enum(v.NERVES)
        title, note = n.get("title").string(non_empty=True), n.get("note").string() or ""
        for key in ("id", "nerve", "title", "items"):
            n.get(key).required()
        sources = refs.read(n.get("sources"))
        items: list[CriterionItem] = []
        item_nodes = n.get("items").items(min_len=1)
        for item in item_nodes:
            if not item.obj(("id", "check", "text", "sources")):
                item.required()
                continue
            iid, check = (
                item.get("id").string(non_empty=True),
                item.get("check").enum(v.CRITERION_CHECKS),
            )
            text = item.get("text").string(non_empty=True)
            for key in ("id", "check", "text"):
                item.get(key).required()
            item_sources = refs.read(item.get("sources"))
            if iid and check and text:
                items.append(CriterionItem(iid, check, text, item_sources))
        _unique(item_nodes, [x.get("id").value for x in item_nodes])
        if sid and nerve and title:
            out.append(CriteriaSet(sid, nerve, title, note, sources, tuple(items)))
    _unique(nodes, [x.get("id").value for x in nodes])
    return tuple(out)


def read_block_definitions(section: Node, refs: SourceRefs) -> dict[str, BlockDefinition]:
    out: dict[str, BlockDefinition] = {}
    allowed = (
        "id",
        "label",
        "min_relief_percent",
        "inclusive",
        "min_minutes_after",
        "max_minutes_after",
        "note",
        "sources",
    )
    nodes = section.items(min_len=1)
    for n in nodes:
        if not n.obj(allowed):
            n.required()
            continue
        did, label = n.get("id").string(non_empty=True), n.get("label").string(non_empty=True)
        relief, inclusive = n.get("min_relief_percent").number(0, 100), n.get("inclusive").boolean()
        for key in ("id", "label", "min_relief_percent", "inclusive"):
            n.get(key).required()
        low, high = n.get("min_minutes_after").number(0), n.get("max_minutes_after").number(0)
        if low is not None and high is not None and low > high:
            n.get("max_minutes_after").fail("must not be below min_minutes_after")
        sources = refs.read(n.get("sources"))
        if did and label and relief is not None and inclusive is not None:
            out[did] = BlockDefinition(
                did, label, relief, inclusive, sources, low, high, n.get("note").string()
            )
    _unique(nodes, [x.get("id").value for x in nodes])
    return out


def read_statement(n: Node, refs: SourceRefs) -> Statement | None:
    if not n.obj(("text", "sources")):
        n.required()
        return None
    text = n.get("text").string(non_empty=True)
    n.get("text").required()
    sources = refs.read(n.get("sources"))
    return Statement(text, sources) if text else None


def read_pathway(section: Node, refs: SourceRefs) -> Pathway | None:
    if not section.obj(("stages", "warnings", "favourable_for_release")):
        section.required()
        return None
    stages: dict[str, Stage] = {}
    for n in section.get("stages").items():
        if not n.obj(("id", "title", "steps")):
            continue
        sid, title = n.get("id").enum(v.STAGES), n.get("title").string(non_empty=True)
        steps: list[Step] = []
        for s in n.get("steps").items(min_len=1):
            if not s.obj(("text", "sources", "nerve")):
                s.required()
                continue
            text = s.get("text").string(non_empty=True)
            s.get("text").required()
            sources = refs.read(s.get("sources"))
            if text:
                steps.append(Step(text, sources, s.get("nerve").enum(v.NERVES)))
        if sid in stages:
            n.get("id").fail(f"duplicate stage {sid!r}")
        if sid and title:
            stages[sid] = Stage(sid, title, tuple(steps))
    for missing in (s for s in v.STAGES if s not in stages):
        section.get("stages").fail(f"stage {missing!r} is missing")
    warnings: list[Warning] = []
    for n in section.get("warnings").items():
        if not n.obj(("id", "text", "sources", "planned_procedures")):
            continue
        wid, text = n.get("id").string(non_empty=True), n.get("text").string(non_empty=True)
        procedures = n.get("planned_procedures").strings(allowed=v.PROCEDURES) or []
        sources = refs.read(n.get("sources"))
        if wid and text:
            warnings.append(Warning(wid, text, sources, tuple(procedures)))
    favourable: dict[str, Statement] = {}
    fav = section.get("favourable_for_release")
    if fav.obj(FAVOURABLE_KEYS):
        for key in FAVOURABLE_KEYS:
            statement = read_statement(fav.get(key), refs)
            if statement:
                favourable[key] = statement
    else:
        fav.required()
    return Pathway(stages, tuple(warnings), favourable)


def read_red_flags(section: Node, refs: SourceRefs) -> dict[str, RedFlag]:
    out: dict[str, RedFlag] = {}
    for n in section.items(min_len=1):
        if not n.obj(("id", "title", "text", "sources")):
            continue
        rid, title = n.get("id").enum(v.RED_FLAGS), n.get("title").string(non_empty=True)
        text = n.get("text").string(non_empty=True)
        sources = refs.read(n.get("sources"))
        if rid and title and text:
            out[rid] = RedFlag(rid, title, text, sources)
    for missing in (r for r in v.RED_FLAGS if r not in out):
        section.fail(f"red flag {missing!r} is missing")
    return out


def read_trigger(n: Node) -> Trigger:
    allowed = (
        "conditions",
        "prior_procedures",
        "planned_procedures",
        "pain_sites",
        "aggravated_by",
        "leg_numbness_or_tingling",
        "min_age",
        "always",
    )
    if not n.obj(allowed):
        n.required()
        return Trigger()
    trigger = Trigger(
        conditions=tuple(n.get("conditions").strings(allowed=v.CONDITIONS) or ()),
        prior_procedures=tuple(n.get("prior_procedures").strings(allowed=v.PROCEDURES) or ()),
        planned_procedures=tuple(n.get("planned_procedures").strings(allowed=v.PROCEDURES) or ()),
        pain_sites=tuple(n.get("pain_sites").strings(allowed=v.PAIN_SITES) or ()),
        aggravated_by=tuple(n.get("aggravated_by").strings(allowed=v.AGGRAVATING) or ()),
        leg_numbness_or_tingling=bool(n.get("leg_numbness_or_tingling").boolean()),
        min_age=n.get("min_age").integer(0, 120),
        always=bool(n.get("always").boolean()),
    )
    if trigger == Trigger():
        n.fail("must name at least one clause")
    return trigger


def read_differentials(section: Node, refs: SourceRefs) -> tuple[Differential, ...]:
    out: list[Differential] = []
    nodes = section.items()
    for n in nodes:
        if not n.obj(("id", "title", "text", "distinguishing", "sources", "when")):
            continue
        did, title = n.get("id").string(non_empty=True), n.get("title").string(non_empty=True)
        text = n.get("text").string(non_empty=True)
        for key in ("id", "title", "text"):
            n.get(key).required()
        distinguishing = n.get("distinguishing").strings() or []
        sources = refs.read(n.get("sources"))
        when = read_trigger(n.get("when"))
        if did and title and text:
            out.append(Differential(did, title, text, tuple(distinguishing), sources, when))
    _unique(nodes, [x.get("id").value for x in nodes])
    return tuple(out)


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
            if not c.obj(("system", "code", "display", "use", "status", "sources", "note")):
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
            sources = refs.read(c.get("sources"), required=False)
            if not sources and not note:
                c.fail("must cite a source or say in 'note' where the code comes from")
            if system and code and status:
                codes.append(
                    Code(system, code, status, sources, display, c.get("use").string(), note)
                )
        if lid in out:
            n.get("id").fail(f"duplicate id {lid!r}")
        if lid and title and purpose:
            out[lid] = CodeList(lid, title, purpose, tuple(codes))
    return out


def read_settings(
    section: Node, refs: SourceRefs, definitions: dict[str, BlockDefinition]
) -> tuple[Settings | None, dict[str, Setting]]:
    notes: dict[str, Setting] = {}
    values: dict[str, object] = {}
    if not section.obj(SETTING_IDS):
        section.required()
        return None, notes
    for key in SETTING_IDS:
        n = section.get(key)
        if not n.obj(("value", "label", "rationale", "sources")):
            n.required()
            continue
        value = setting_value(key, n.get("value"), definitions)
        label, rationale = (
            n.get("label").string(non_empty=True),
            n.get("rationale").string(non_empty=True),
        )
        for part in ("value", "label", "rationale"):
            n.get(part).required()
        sources = refs.read(n.get("sources"))
        if value is not None and label and rationale:
            values[key] = value
            notes[key] = Setting(key, value, label, rationale, sources)
    if len(values) != len(SETTING_IDS):
        return None, notes
    return Settings(**values), notes  # type: ignore[arg-type]


def setting_value(key: str, n: Node, definitions: dict[str, BlockDefinition]) -> object:
    if key == "block_definition":
        return n.enum(tuple(definitions)) if definitions else n.string(non_empty=True)
    if key.endswith("_window_mm"):
        bounds = [x.number(0, 1000) for x in n.items(min_len=2, max_len=2)]
        if len(bounds) == 2 and None not in bounds:
            low, high = cast(list[float], bounds)
            if low <= high:
                return (low, high)
            n.fail("the lower bound must not exceed the upper bound")
        return None
    if key == "favourable_relief_days":
        return n.number(0)
    high = 10 if key.endswith("_nrs") else 100
    return n.integer(0 if key.endswith("_nrs") else 1, high)


def read_pack(node: Callable[[str], Node], label: str) -> KnowledgePack | None:
    """Read every section; returns None when any problem was recorded."""
    refs = SourceRefs()
    name, version = node("name").string(non_empty=True), node("version").string(non_empty=True)
    node("name").required()
    node("version").required()
    description = node("description").string() or ""
    sources = read_sources(node("sources"))
    landmarks = read_landmarks(node("landmarks"), refs)
    criteria = read_criteria(node("criteria_sets"), refs)
    definitions = read_block_definitions(node("block_definitions"), refs)
    settings, notes = read_settings(node("settings"), refs, definitions)
    pathway = read_pathway(node("pathway"), refs)
    red_flags = read_red_flags(node("red_flags"), refs)
    differentials = read_differentials(node("differentials"), refs)
    instruments = read_instruments(node("instruments"), refs)
    code_lists = read_code_lists(node("code_lists"), refs)
    ehr = read_ehr(node("ehr"), refs, code_lists)
    screening = read_screening(node("screening"), refs, code_lists, ehr)
    refs.check(set(sources))
    if not (name and version and settings and pathway and ehr and screening):
        return None
    return KnowledgePack(
        name=name,
        version=version,
        description=description,
        origin=label,
        settings=settings,
        setting_notes=notes,
        sources=sources,
        landmarks=landmarks,
        criteria=criteria,
        block_definitions=definitions,
        pathway=pathway,
        red_flags=red_flags,
        differentials=differentials,
        instruments=instruments,
        code_lists=code_lists,
        ehr=ehr,
        screening=screening,
    )


TOP_LEVEL = (
    "name",
    "version",
    "description",
    "extends",
    "settings",
    "sources",
    "landmarks",
    "criteria_sets",
    "block_definitions",
    "pathway",
    "red_flags",
    "differentials",
    "instruments",
    "code_lists",
    "ehr",
    "screening",
)
