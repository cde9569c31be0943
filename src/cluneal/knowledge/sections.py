"""Strict readers for each section of a knowledge pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.catalogue_section import read_code_lists, read_instruments
from cluneal.knowledge.ehr_section import read_ehr
from cluneal.knowledge.lexicon import read_lexicon
from cluneal.knowledge.model import (
    BlockDefinition,
    CriteriaSet,
    CriterionItem,
    Differential,
    Grade,
    KnowledgePack,
    Landmark,
    Pathway,
    PathwayWarning,
    Source,
    Stage,
    Statement,
    Step,
    Trigger,
)
from cluneal.knowledge.red_flags_section import read_red_flag_rules, read_red_flags
from cluneal.knowledge.refs import SourceRefs, unique_ids
from cluneal.knowledge.screening_section import read_screening
from cluneal.knowledge.settings_section import SETTING_IDS, read_settings, setting_value
from cluneal.validation import Node

#: Every instrument the engine scores must be described by the pack.


FAVOURABLE_KEYS = ("true", "false", "null")
__all__ = ["SETTING_IDS", "TOP_LEVEL", "SourceRefs", "read_pack", "setting_value"]


def read_sources(section: Node) -> dict[str, Source]:
    out: dict[str, Source] = {}
    nodes = section.items(min_len=1)
    allowed = (
        *("id", "short", "citation", "doi", "pmid", "pmcid", "urls", "grade", "note"),
        "added_by_project",
    )
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
                added_by_project=bool(n.get("added_by_project").boolean()),
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
    unique_ids(nodes, [x.get("id").value for x in nodes])
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
        unique_ids(item_nodes, [x.get("id").value for x in item_nodes])
        if sid and nerve and title:
            out.append(CriteriaSet(sid, nerve, title, note, sources, tuple(items)))
    unique_ids(nodes, [x.get("id").value for x in nodes])
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
    unique_ids(nodes, [x.get("id").value for x in nodes])
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
    warnings: list[PathwayWarning] = []
    for n in section.get("warnings").items():
        if not n.obj(("id", "text", "sources", "planned_procedures")):
            continue
        wid, text = n.get("id").string(non_empty=True), n.get("text").string(non_empty=True)
        procedures = n.get("planned_procedures").strings(allowed=v.PROCEDURES) or []
        sources = refs.read(n.get("sources"))
        if wid and text:
            warnings.append(PathwayWarning(wid, text, sources, tuple(procedures)))
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
    unique_ids(nodes, [x.get("id").value for x in nodes])
    return tuple(out)


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
    red_flag_rules = read_red_flag_rules(node("red_flag_rules"), refs, code_lists)
    ehr = read_ehr(node("ehr"), refs, code_lists)
    lexicon = read_lexicon(node("lexicon"), refs)
    concepts = {c.id for c in lexicon.concepts} if lexicon else set()
    if red_flag_rules and lexicon and red_flag_rules.note_concept not in concepts:
        node("red_flag_rules").get("note_concept").fail(
            f"unknown notes concept {red_flag_rules.note_concept!r}"
        )
    screening = read_screening(node("screening"), refs, code_lists, ehr, lexicon)
    refs.check(set(sources))
    if (
        not (name and version and settings and pathway and ehr and screening and lexicon)
        or red_flag_rules is None
    ):
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
        red_flag_rules=red_flag_rules,
        differentials=differentials,
        instruments=instruments,
        code_lists=code_lists,
        ehr=ehr,
        screening=screening,
        lexicon=lexicon,
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
    "red_flag_rules",
    "differentials",
    "instruments",
    "code_lists",
    "ehr",
    "screening",
    "lexicon",
)
