"""Strict readers of the pack's red flags: what each one is, and how EHR data shows it.

``red_flags`` names the red flags of the case format, each with its text, how long after it
was recorded it still counts (``within_years``) and the words that say a notes finding is this
red flag. ``red_flag_rules`` says which codes and words of a Condition are which red flag, which
clinical statuses mean it is gone, and which notes concept holds red flags. Whatever shows a
red flag stops every cluneal suggestion (policy P1).
"""

from __future__ import annotations

from collections.abc import Mapping

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.ehr_section import matcher
from cluneal.knowledge.model import CodeList, RedFlag, RedFlagRule, RedFlagRules
from cluneal.knowledge.refs import SourceRefs, unique_ids
from cluneal.validation import Node

#: Condition clinical statuses (FHIR R4) a site may say no longer count.
CLINICAL_STATUSES = ("active", "recurrence", "relapse", "inactive", "remission", "resolved")


def read_red_flags(section: Node, refs: SourceRefs) -> dict[str, RedFlag]:
    out: dict[str, RedFlag] = {}
    allowed = ("id", "title", "text", "sources", "within_years", "note_words")
    for n in section.items(min_len=1):
        if not n.obj(allowed):
            continue
        rid, title = n.get("id").enum(v.RED_FLAGS), n.get("title").string(non_empty=True)
        text = n.get("text").string(non_empty=True)
        sources = refs.read(n.get("sources"))
        years = n.get("within_years").number(0)
        words = tuple(w.lower() for w in n.get("note_words").strings() or ())
        if rid in out:
            n.get("id").fail(f"duplicate red flag {rid!r}")
        if rid and title and text:
            out[rid] = RedFlag(rid, title, text, sources, years, words)
    for missing in (r for r in v.RED_FLAGS if r not in out):
        section.fail(f"red flag {missing!r} is missing")
    return out


def read_red_flag_rules(
    section: Node, refs: SourceRefs, code_lists: Mapping[str, CodeList]
) -> RedFlagRules | None:
    allowed = ("ignored_statuses", "ignored_words", "note_concept", "note_default_flag", "rules")
    if not section.obj((*allowed, "note")):
        section.required()
        return None
    ignored = section.get("ignored_statuses").strings(allowed=CLINICAL_STATUSES)
    if ignored is None:
        section.get("ignored_statuses").required()
    words = tuple(w.lower() for w in section.get("ignored_words").strings() or ())
    concept = section.get("note_concept").string(non_empty=True)
    default = section.get("note_default_flag").enum(v.RED_FLAGS)
    for key in ("note_concept", "note_default_flag"):
        section.get(key).required()
    rules: list[RedFlagRule] = []
    nodes = section.get("rules").items(min_len=1)
    for n in nodes:
        if not n.obj(("id", "label", "flag", "code_lists", "keywords", "sources", "note")):
            continue
        rid, label = n.get("id").string(non_empty=True), n.get("label").string(non_empty=True)
        flag = n.get("flag").enum(v.RED_FLAGS)
        for key in ("id", "label", "flag"):
            n.get(key).required()
        match = matcher(n, code_lists)
        sources = refs.read(n.get("sources"))
        if rid and label and flag:
            rules.append(RedFlagRule(rid, label, flag, match, sources))
    unique_ids(nodes, [x.get("id").value for x in nodes])
    if ignored is None or not concept or not default:
        return None
    return RedFlagRules(tuple(rules), tuple(ignored), words, concept, default)
