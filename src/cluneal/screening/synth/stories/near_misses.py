"""The near misses: back pain that is short, radicular, alone, or with sciatica."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import Chart, coding, concept
from cluneal.screening.synth.stories.pieces import Story, back_pain, buttock, note, visit

if TYPE_CHECKING:
    from cluneal.screening.synth.kinds import Person


def short_back_pain(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side = c.rng.choice(("left", "right"))
    if c.rng.random() < 0.5:
        onset = c.rng.randint(10, 70)
        e = c.encounter(onset, "Low back pain")
        e.condition(back_pain(c, pack, chronic=False))
        e.condition(buttock(side))
        e.pain(pack, c.rng.randint(4, 8))
        story = f"low back pain with {side} buttock pain for {onset} days"
        abated = None
    else:
        onset = c.rng.randint(200, 900)
        abated = onset - c.rng.randint(14, 60)
        e = c.encounter(onset, "Low back pain")
        e.condition(back_pain(c, pack, chronic=False), abated_days_before=abated)
        e.condition(buttock(side), abated_days_before=abated)
        e.pain(pack, c.rng.randint(4, 8))
        c.encounter(abated, "Follow-up").pain(pack, c.rng.randint(0, 1))
        story = (
            f"an episode of low back pain with {side} buttock pain {onset // 30} months ago "
            f"that resolved within {onset - abated} days"
        )
    note(
        e,
        p,
        "Low back pain",
        f"Low back pain after lifting, spreading to the {side} buttock.",
        "Lumbar paraspinal spasm. Neurological examination normal.",
        "Acute low back pain. Expect recovery within weeks.",
    )
    return story, False


def radiculopathy(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(150, 1000)
    visit(c, pack, p, onset)
    e = c.encounter(c.rng.randint(20, onset - 60), "Leg pain")
    e.condition(concept("Lumbar radiculopathy", coding(pack, "radiculopathy", "icd10cm", "M54.16")))
    if c.rng.random() < 0.5:
        code = "M54.42" if side == "left" else "M54.41"
        e.condition(
            concept(
                f"Lumbago with sciatica, {side} side", coding(pack, "back_pain", "icd10cm", code)
            )
        )
    e.pain(pack, c.rng.randint(6, 9))
    note(
        e,
        p,
        "Leg pain",
        f"Pain radiating down the {side} leg below the knee to the foot, with numbness of the "
        "top of the foot.",
        f"Straight leg raise positive on the {side} at 40 degrees. Weak great toe extension.",
        "L5 radiculopathy. MRI of the lumbar spine.",
    )
    return f"chronic low back pain with lumbar radiculopathy (M54.16), {side} leg", False


def back_pain_only(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    onset = c.rng.randint(150, 1500)
    visit(c, pack, p, onset)
    e = c.encounter(c.rng.randint(2, onset - 60), "Low back pain")
    e.pain(pack, c.rng.randint(3, 7))
    e.order(concept("Physical therapy for low back pain"), "active")
    note(
        e,
        p,
        "Low back pain",
        f"Low back pain for {onset // 30} months. Denies buttock pain and leg pain.",
        "No tenderness over the iliac crest or the sacroiliac joints.",
        "Chronic low back pain. Physical therapy.",
    )
    return f"chronic low back pain for {onset // 30} months, nothing else", False


def back_pain_with_sciatica(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(150, 1200)
    code = "M54.42" if side == "left" else "M54.41"
    e = c.encounter(onset, "Low back pain")
    lumbago = coding(pack, "back_pain_with_sciatica", "icd10cm", code)
    e.condition(concept(f"Lumbago with sciatica, {side} side", lumbago))
    e.pain(pack, c.rng.randint(4, 7))
    note(
        e,
        p,
        "Low back pain",
        f"Low back pain with pain in the back of the {side} thigh, not below the knee.",
        "Straight leg raise negative. Neurological examination normal.",
        "Lumbago with sciatica.",
    )
    return f"chronic lumbago with {side} sciatica ({code}), no radiculopathy", False
