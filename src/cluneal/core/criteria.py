"""The published criteria sets, evaluated per side (case-format "Criteria sets")."""

from __future__ import annotations

from collections.abc import Callable

from cluneal.core.assessment import CriteriaResult, ItemResult
from cluneal.core.case import Case
from cluneal.core.pathway import block_positive, in_window, window_for
from cluneal.knowledge.model import CriteriaSet, KnowledgePack

AXIAL_SITES = ("low_back", "iliac_crest", "buttock")

#: The pain sites (case format) that satisfy each pain check; the patients' self-check reads the
#: same table, so that its answers and the engine can never disagree on where the pain must be.
PAIN_CHECK_SITES: dict[str, tuple[str, ...]] = {
    "pain_iliac_crest_or_buttock": ("iliac_crest", "buttock"),
    "pain_buttock": ("buttock",),
}

Check = Callable[[Case, str, str, KnowledgePack], str]


def _tri(value: bool | None) -> str:
    return "unknown" if value is None else ("satisfied" if value else "unsatisfied")


def tender_point(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
    finding = case.finding(nerve, side)
    if finding is None:
        return "unknown"
    window = window_for(nerve, pack.settings)
    if finding.tender is False:
        return "unsatisfied"
    if finding.distance_mm is not None and not in_window(finding.distance_mm, window):
        return "unsatisfied"
    if finding.tender and finding.distance_mm is not None:
        return "satisfied"
    return "unknown"


def reproduces_complaint(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
    finding = case.finding(nerve, side)
    return _tri(None if finding is None else finding.reproduces_complaint)


def radiation_on_pressure(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
    finding = case.finding(nerve, side)
    return _tri(None if finding is None else finding.radiation_on_pressure)


def relief_with_block(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
    blocks = case.blocks_on(nerve, side)
    if not blocks:
        return "unknown"
    return _tri(any(block_positive(b, pack.block_definition) for b in blocks))


def _pain_at(sites: tuple[str, ...]) -> Check:
    def check(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
        pain = case.pain_on(side)
        return _tri(None if pain is None else any(s in pain for s in sites))

    return check


def aggravated_by_movement_or_posture(
    case: Case, nerve: str, side: str, pack: KnowledgePack
) -> str:
    aggravated = case.history.aggravated_by
    return _tri(None if aggravated is None else bool(aggravated))


def unilateral_pain(case: Case, nerve: str, side: str, pack: KnowledgePack) -> str:
    here, there = case.pain_on(side), case.pain_on("right" if side == "left" else "left")
    if here is None or there is None:
        return "unknown"
    axial = set(AXIAL_SITES)
    return _tri(bool(axial & set(here)) and not axial & set(there))


CHECKS: dict[str, Check] = {
    "tender_point": tender_point,
    "reproduces_complaint": reproduces_complaint,
    "radiation_on_pressure": radiation_on_pressure,
    "relief_with_block": relief_with_block,
    **{check: _pain_at(sites) for check, sites in PAIN_CHECK_SITES.items()},
    "aggravated_by_movement_or_posture": aggravated_by_movement_or_posture,
    "unilateral_pain": unilateral_pain,
}


def evaluate(criteria: CriteriaSet, case: Case, side: str, pack: KnowledgePack) -> CriteriaResult:
    items = tuple(
        ItemResult(item.id, CHECKS[item.check](case, criteria.nerve, side, pack), item.text)
        for item in criteria.items
    )
    statuses = {i.status for i in items}
    if statuses == {"satisfied"}:
        status = "met"
    elif "unsatisfied" in statuses:
        status = "not_met"
    else:
        status = "incomplete"
    return CriteriaResult(criteria.id, criteria.nerve, side, status, items, criteria.sources)
