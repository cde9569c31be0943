"""Case in, assessment out: the one engine behind the calculator, record, CDS service and CLI."""

from __future__ import annotations

from typing import Any

from cluneal.core import criteria as criteria_sets
from cluneal.core import pathway, scores
from cluneal.core.assessment import Assessment, Cited, KnowledgeUsed, NerveAssessment
from cluneal.core.case import Case, parse_case
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack, Trigger


def assess(case: Case, pack: KnowledgePack) -> Assessment:
    settings, definition = pack.settings, pack.block_definition
    nerves: list[NerveAssessment] = []
    for nerve in v.NERVES:
        for side in v.SIDES:
            blocks = case.blocks_on(nerve, side)
            window = pathway.window_for(nerve, settings)
            status = pathway.status_of(case.finding(nerve, side), blocks, window, definition)
            stage = pathway.stage_of(case, nerve, side, status, settings)
            favourable = (
                pathway.favourable_for_release(blocks, definition, settings)
                if stage == "surgical_release"
                else None
            )
            nerves.append(
                NerveAssessment(
                    nerve=nerve,
                    side=side,
                    status=status,
                    stage=stage,
                    favourable_for_release=favourable,
                    blocks=pathway.summarise_blocks(blocks, definition),
                    next_steps=pathway.next_steps(pack, nerve, stage, favourable),
                )
            )
    return Assessment(
        case_id=case.id,
        knowledge=KnowledgeUsed(
            pack=pack.name,
            version=pack.version,
            block_definition=definition.id,
            block_positive=definition.label,
            scn_window_mm=settings.scn_window_mm,
            mcn_window_mm=settings.mcn_window_mm,
        ),
        red_flags=_red_flags(case, pack),
        nerves=tuple(nerves),
        criteria=tuple(
            criteria_sets.evaluate(c, case, side, pack) for side in v.SIDES for c in pack.criteria
        ),
        warnings=_warnings(case, pack, nerves),
        differentials=tuple(
            Cited(d.text, d.sources, d.id) for d in pack.differentials if _applies(d.when, case)
        ),
        scores=scores.score_all(case.questionnaires, pack),
    )


def assess_json(data: Any, pack: KnowledgePack) -> dict[str, Any]:
    """Parse a ``cluneal-case/1`` document and return its assessment as JSON.

    Raises :class:`cluneal.validation.Invalid` with every problem of an invalid case.
    """
    return assess(parse_case(data), pack).to_json()


def _red_flags(case: Case, pack: KnowledgePack) -> tuple[Cited, ...]:
    present = dict.fromkeys(case.history.red_flags or ())
    return tuple(Cited(pack.red_flags[f].text, pack.red_flags[f].sources, f) for f in present)


def _warnings(case: Case, pack: KnowledgePack, nerves: list[NerveAssessment]) -> tuple[Cited, ...]:
    planned = set(case.history.planned_procedures or ())
    open_question = any(n.status != "unlikely" for n in nerves)
    return tuple(
        Cited(w.text, w.sources, w.id)
        for w in pack.pathway.warnings
        if open_question and planned & set(w.planned_procedures)
    )


def _applies(t: Trigger, case: Case) -> bool:
    h = case.history
    pain = set((h.pain_sites or {}).get("left", ())) | set((h.pain_sites or {}).get("right", ()))
    age = case.patient.age
    return (
        t.always
        or bool(set(t.conditions) & set(h.conditions or ()))
        or bool(set(t.prior_procedures) & set(h.prior_procedures or ()))
        or bool(set(t.planned_procedures) & set(h.planned_procedures or ()))
        or bool(set(t.pain_sites) & pain)
        or bool(set(t.aggravated_by) & set(h.aggravated_by or ()))
        or (t.leg_numbness_or_tingling and h.leg_numbness_or_tingling is True)
        or (t.min_age is not None and age is not None and age >= t.min_age)
    )
