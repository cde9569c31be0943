"""A plain-text reading of an assessment, for a person at a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cluneal.core.assessment import Assessment, Cited
from cluneal.core.numbers import plain
from cluneal.core.scores import odi_caution
from cluneal.knowledge.model import KnowledgePack

ITEM_MARKS = {"satisfied": "[x]", "unsatisfied": "[ ]", "unknown": "[?]"}


def _cite(ids: Iterable[str]) -> str:
    ids = list(ids)
    return f" [{', '.join(ids)}]" if ids else ""


def _statement(s: Cited, indent: str = "  ") -> str:
    return f"{indent}- {s.text}{_cite(s.sources)}"


def render_text(a: Assessment, pack: KnowledgePack) -> str:
    k = a.knowledge
    lines = [
        f"Cluneal assessment{f' of case {a.case_id}' if a.case_id else ''}",
        "Decision support for a clinician, not a diagnosis.",
        f"Knowledge pack {k.pack} {k.version}; block positive: {k.block_positive}; "
        f"SCN window {plain(k.scn_window_mm[0])}-{plain(k.scn_window_mm[1])} mm from the midline; "
        f"MCN window {plain(k.mcn_window_mm[0])}-{plain(k.mcn_window_mm[1])} mm below the PSIS.",
        "",
    ]
    if a.red_flags:
        lines.append("RED FLAGS (these come first)")
        lines += [_statement(f) for f in a.red_flags]
        lines.append("")
    lines.append("NERVES")
    for n in a.nerves:
        title = pack.pathway.stages[n.stage].title
        lines.append(f"  {n.nerve.upper()} {n.side:<5}  {n.status:<9}  stage: {n.stage} ({title})")
        b = n.blocks
        if b.count:
            relief = "n/a" if b.best_relief_percent is None else f"{b.best_relief_percent}%"
            days = "unknown" if b.longest_relief_days is None else f"{plain(b.longest_relief_days)}"
            lines.append(
                f"    blocks: {b.count} ({b.positive} positive), best relief {relief}, "
                f"longest relief {days} days"
            )
        if n.favourable_for_release is not None:
            lines.append(
                f"    favourable for release: {'yes' if n.favourable_for_release else 'no'}"
            )
        lines += [_statement(s, "    ") for s in n.next_steps]
    lines += ["", "CRITERIA"]
    for c in a.criteria:
        title = next((s.title for s in pack.criteria if s.id == c.id), c.id)
        lines.append(f"  {c.side:<5} {c.status:<10} {title}{_cite(c.sources)}")
        lines += [f"      {ITEM_MARKS[i.status]} {i.text}" for i in c.items]
    if a.warnings:
        lines += ["", "WARNINGS"] + [_statement(w) for w in a.warnings]
    if a.differentials:
        lines += ["", "DIFFERENTIAL DIAGNOSES"] + [_statement(d) for d in a.differentials]
    if a.scores:
        lines += ["", "QUESTIONNAIRES"]
        for name, score in a.scores.items():
            shown = ", ".join(f"{key} {value}" for key, value in score.items())
            lines.append(f"  {pack.instruments[name].name}: {shown}")
            if name == "odi" and (caution := odi_caution(score, pack)) is not None:
                lines.append(_statement(caution, "    "))
    cited = _all_sources(a)
    lines += ["", "SOURCES"]
    for sid in cited:
        src = pack.sources[sid]
        lines.append(f"  {sid}  {src.short} ({src.grade_label}). {src.citation}")
    return "\n".join(lines) + "\n"


def _all_sources(a: Assessment) -> list[str]:
    ids: list[str] = []
    statements = [*a.red_flags, *a.warnings, *a.differentials]
    statements += [s for n in a.nerves for s in n.next_steps]
    for group in [s.sources for s in statements] + [c.sources for c in a.criteria]:
        ids += [i for i in group if i not in ids]
    return ids


def describe_pack(pack: KnowledgePack) -> dict[str, Any]:
    """The pack in use, as JSON: thresholds, block definitions, criteria sets, sources."""

    def shown(value: object) -> object:
        if isinstance(value, tuple):
            return [plain(x) for x in value]
        return plain(value) if isinstance(value, int | float) else value

    return {
        "pack": pack.name,
        "version": pack.version,
        "origin": pack.origin,
        "thresholds": [
            {
                "id": key,
                "value": shown(getattr(pack.settings, key)),
                "label": note.label,
                "rationale": note.rationale,
                "sources": list(note.sources),
            }
            for key, note in pack.setting_notes.items()
        ],
        "block_definitions": [
            {
                "id": d.id,
                "label": d.label,
                "active": d.id == pack.settings.block_definition,
                "sources": list(d.sources),
            }
            for d in pack.block_definitions.values()
        ],
        "criteria_sets": [
            {
                "id": c.id,
                "nerve": c.nerve,
                "title": c.title,
                "items": [i.text for i in c.items],
                "sources": list(c.sources),
            }
            for c in pack.criteria
        ],
        "sources": [
            {"id": s.id, "short": s.short, "grade": s.grade_label, "citation": s.citation}
            for s in pack.sources.values()
        ],
    }
