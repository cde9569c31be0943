"""The kinds of patient planted in a synthetic population, each with the truth it carries.

Cluneal-like kinds (``planted_share`` of the population) and as many near-miss negatives, each
built from a Synthea patient without back pain plus a handful of dated events. ``tier`` is the
tier the pack's screening rules give the kind (checked by the tests against
:func:`~cluneal.screening.synth.truth.expected_tier`); ``rule`` is what the kind exercises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import Chart
from cluneal.screening.synth.stories import near_misses, planted, red_flags


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    gender: str
    birth: dt.date

    def age_on(self, day: str) -> int:
        d = dt.date.fromisoformat(day[:10])
        return d.year - self.birth.year - ((d.month, d.day) < (self.birth.month, self.birth.day))


#: Builds a kind's events into the chart; returns the truth's description and whether the
#: record names the cluneal nerves only in a note.
Builder = Callable[[Chart, Person, KnowledgePack], tuple[str, bool]]


@dataclass(frozen=True)
class Kind:
    id: str
    group: str  # "planted" (cluneal-like) or "negative" (near miss)
    tier: str
    weight: int  # share within its group
    rule: str
    build: Builder


KINDS: tuple[Kind, ...] = (
    Kind(
        "iliac_crest_tenderness",
        "planted",
        "medium",
        3,
        "chronic back pain + buttock/iliac-crest pain (4 points); the note's tender point "
        "reproducing the pain is for the notes pipeline",
        planted.iliac_crest_tenderness,
    ),
    Kind(
        "si_fusion_planned",
        "planted",
        "high",
        2,
        "sacroiliac diagnosis + failed SI injection + pending SI-fusion order (6 points): the "
        "order-sign warning before sacroiliac fusion",
        planted.si_fusion_planned,
    ),
    Kind(
        "post_fusion_buttock",
        "planted",
        "high",
        2,
        "prior lumbar fusion (and half with an iliac crest bone graft) then new buttock pain "
        "(6-9 points)",
        planted.post_fusion_buttock,
    ),
    Kind(
        "sacroiliac_workup",
        "planted",
        "medium",
        1,
        "sacroiliac diagnosis + SI injection, no surgery planned (4 points)",
        planted.sacroiliac_workup,
    ),
    Kind(
        "known_block",
        "planted",
        "known",
        1,
        "a CPT 64450 procedure named superior cluneal nerve block: already evaluated",
        planted.known_block,
    ),
    Kind(
        "known_in_note",
        "planted",
        "known",
        1,
        "only a note says cluneal nerve entrapment (structured data alone would say medium)",
        planted.known_in_note,
    ),
    Kind(
        "red_flag_coded",
        "planted",
        "red_flag",
        1,
        "a would-be high patient (fusion, then buttock pain) with an active red flag coded "
        "this year (cauda equina syndrome, bone metastasis, discitis, cord compression, "
        "vertebral fracture): red flags first, whatever the score",
        red_flags.red_flag_coded,
    ),
    Kind(
        "red_flag_in_note",
        "planted",
        "red_flag",
        1,
        "a would-be medium patient whose recent note reports new urinary retention and saddle "
        "anaesthesia (only the note shows the red flag)",
        red_flags.red_flag_in_note,
    ),
    Kind(
        "red_flag_gone",
        "negative",
        "medium",
        2,
        "a medium patient with a red flag that no longer counts: a resolved discitis, a "
        "fracture coded over a year ago, or a note that denies red flags",
        red_flags.red_flag_gone,
    ),
    Kind(
        "short_back_pain",
        "negative",
        "low",
        3,
        "buttock pain with back pain that lasted under 3 months, recent or resolved (3 points: "
        "one short of medium, so a wrong chronicity test shows)",
        near_misses.short_back_pain,
    ),
    Kind(
        "radiculopathy",
        "negative",
        "low",
        3,
        "chronic back pain with a coded lumbar radiculopathy (M54.16) that also excludes the "
        "leg-symptom feature; no buttock or sacroiliac features",
        near_misses.radiculopathy,
    ),
    Kind(
        "back_pain_only",
        "negative",
        "low",
        2,
        "chronic back pain alone; the note denies buttock pain and iliac-crest tenderness "
        "(negation)",
        near_misses.back_pain_only,
    ),
    Kind(
        "back_pain_with_sciatica",
        "negative",
        "low",
        2,
        "chronic lumbago with sciatica (M54.4x), no radiculopathy: leg symptoms count 1 point",
        near_misses.back_pain_with_sciatica,
    ),
)
BACKGROUND = "background"
BY_ID = {k.id: k for k in KINDS}


def allocate(total: int, group: str) -> list[tuple[Kind, int]]:
    """Split ``total`` patients among the group's kinds by weight (largest remainder)."""
    kinds = [k for k in KINDS if k.group == group]
    weights = sum(k.weight for k in kinds)
    exact = [total * k.weight / weights for k in kinds]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(kinds)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return list(zip(kinds, counts, strict=True))
