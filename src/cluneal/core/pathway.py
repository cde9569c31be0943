"""Status and treatment-ladder stage of each nerve and side (case-format "Rules")."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from cluneal.core.assessment import BlockSummary, Cited
from cluneal.core.case import Block, Case, Finding
from cluneal.core.numbers import one_decimal, plain, relief_fraction
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import BlockDefinition, KnowledgePack, Settings


def block_positive(block: Block, definition: BlockDefinition) -> bool:
    """Whether a block meets the active definition (relief from NRS before > 0; timing if known)."""
    relief = relief_fraction(block.nrs_before, block.nrs_after)
    if relief is None:
        return False
    threshold = Fraction(str(definition.min_relief_percent))
    if not (relief >= threshold if definition.inclusive else relief > threshold):
        return False
    minutes = block.minutes_after
    if minutes is not None:
        if definition.min_minutes_after is not None and minutes < definition.min_minutes_after:
            return False
        if definition.max_minutes_after is not None and minutes > definition.max_minutes_after:
            return False
    return True


def in_window(distance: float, window: tuple[float, float]) -> bool:
    return window[0] <= distance <= window[1]


def window_for(nerve: str, settings: Settings) -> tuple[float, float]:
    return settings.scn_window_mm if nerve == "scn" else settings.mcn_window_mm


def status_of(
    finding: Finding | None,
    blocks: Sequence[Block],
    window: tuple[float, float],
    definition: BlockDefinition,
) -> str:
    """The first matching rule of case-format.md, in its order."""
    if any(block_positive(b, definition) for b in blocks):
        return "confirmed"
    if blocks:
        return "unlikely"
    if finding is None or finding.tender is None:
        return "unknown"
    outside = finding.distance_mm is not None and not in_window(finding.distance_mm, window)
    if finding.tender is False or outside or finding.reproduces_complaint is False:
        return "unlikely"
    if finding.distance_mm is None or finding.reproduces_complaint is None:
        return "unknown"
    return "suspected"


def stage_of(case: Case, nerve: str, side: str, status: str, settings: Settings) -> str:
    if case.history.red_flags:
        return "red_flag_referral"
    if status == "unknown":
        return "examine"
    if status == "unlikely":
        return "other_causes"
    if status == "suspected":
        return "diagnostic_block"
    nrs = case.current_nrs
    escalate = nrs is not None and nrs >= settings.escalate_min_nrs
    surgeries = [
        (i, t)
        for i, t in enumerate(case.treatments)
        if t.nerve == nerve and t.side == side and t.kind in v.SURGICAL_KINDS
    ]
    if surgeries:
        # The latest surgery by date; of two on one day, the one listed last.
        _, latest = max(surgeries, key=lambda it: (it[1].date, it[0]))
        if latest.outcome in v.POOR_OUTCOMES or escalate:
            return "radiofrequency"
        return "maintenance"
    if nrs is not None and nrs <= settings.maintenance_max_nrs:
        return "maintenance"
    if len(case.blocks_on(nerve, side)) >= settings.blocks_before_surgery and escalate:
        return "surgical_release"
    return "repeat_blocks"


def favourable_for_release(
    blocks: Sequence[Block], definition: BlockDefinition, settings: Settings
) -> bool | None:
    """Longest relief of the positive blocks > the threshold (seed E6, expert opinion)."""
    known = [
        b.relief_days for b in blocks if b.relief_days is not None and block_positive(b, definition)
    ]
    if not known:
        return None
    return max(known) > settings.favourable_relief_days


def summarise_blocks(blocks: Sequence[Block], definition: BlockDefinition) -> BlockSummary:
    reliefs = [r for b in blocks if (r := relief_fraction(b.nrs_before, b.nrs_after)) is not None]
    days = [b.relief_days for b in blocks if b.relief_days is not None]
    return BlockSummary(
        count=len(blocks),
        positive=sum(block_positive(b, definition) for b in blocks),
        best_relief_percent=one_decimal(max(reliefs)) if reliefs else None,
        longest_relief_days=max(days) if days else None,
    )


def fill(text: str, pack: KnowledgePack) -> str:
    """Put the active thresholds into a statement, so that the default used is named."""
    s = pack.settings
    scn, mcn = s.scn_window_mm, s.mcn_window_mm
    return text.format(
        scn_window=f"{plain(scn[0])}-{plain(scn[1])} mm from the midline",
        mcn_window=f"{plain(mcn[0])}-{plain(mcn[1])} mm caudal to the PSIS",
        block_definition=pack.block_definition.label,
        favourable_relief_days=plain(s.favourable_relief_days),
    )


def next_steps(
    pack: KnowledgePack, nerve: str, stage: str, favourable: bool | None
) -> tuple[Cited, ...]:
    steps = [
        Cited(fill(step.text, pack), step.sources)
        for step in pack.pathway.stages[stage].steps
        if step.nerve in (None, nerve)
    ]
    if stage == "surgical_release":
        statement = pack.pathway.favourable[
            str(favourable).lower() if favourable is not None else "null"
        ]
        steps.append(Cited(fill(statement.text, pack), statement.sources))
    return tuple(steps)
