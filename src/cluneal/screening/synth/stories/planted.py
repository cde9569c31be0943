"""The cluneal-like stories: buttock pain over the iliac crest, a sacroiliac work-up (with a
fusion planned or not), buttock pain after a lumbar fusion, and patients already evaluated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import CPT_SI_INJECTION, Chart, coding, concept
from cluneal.screening.synth.stories.pieces import Story, back_pain, buttock, cpt, her, note, visit

if TYPE_CHECKING:
    from cluneal.screening.synth.kinds import Person


def iliac_crest_tenderness(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(150, 900)
    visit(c, pack, p, onset)
    e = c.encounter(c.rng.randint(7, onset - 60), f"{side.capitalize()} buttock pain")
    e.condition(buttock(side))
    e.pain(pack, c.rng.randint(5, 9))
    note(
        e,
        p,
        "Low back and buttock pain",
        f"Low back pain for {onset // 30} months, now worse on the {side}, spreading to the "
        f"{side} buttock. Worse on walking and on rising from a chair.",
        f"Tender over the {side} posterior iliac crest, reproduces {her(p)} pain. Straight leg "
        "raise negative. No neurological deficit.",
        f"Chronic low back pain with {side} buttock pain.",
    )
    return (
        f"chronic low back pain for {onset // 30} months with {side} buttock pain; a note finds "
        f"tenderness over the {side} posterior iliac crest reproducing the pain",
        False,
    )


def _injection(c: Chart, pack: KnowledgePack, p: Person, days: int, side: str, si: Any) -> int:
    e = c.encounter(days, "Sacroiliac joint pain")
    e.procedure(
        concept(
            f"Sacroiliac joint injection, {side}",
            {"system": v.CODE_SYSTEMS["cpt"], "code": CPT_SI_INJECTION},
        ),
        reason=si,
    )
    before, after = c.rng.randint(6, 8), c.rng.randint(1, 3)
    e.pain(pack, before)
    e.pain(pack, after, minutes_after=30)
    note(
        e,
        p,
        "Sacroiliac joint pain",
        f"Referred for a {side} sacroiliac joint injection.",
        f"Fluoroscopy-guided {side} sacroiliac joint injection with local anaesthetic and "
        f"steroid. Pain {before}/10 before and {after}/10 thirty minutes after.",
        "Review in two weeks.",
    )
    return before


def _sacroiliitis(c: Chart, pack: KnowledgePack, p: Person, days: int, side: str) -> Any:
    e = c.encounter(days, "Sacroiliac joint pain")
    si = e.condition(concept("Sacroiliitis", coding(pack, "sacroiliac", "icd10cm", "M46.1")))
    note(
        e,
        p,
        "Low back pain",
        f"Low back pain, worse on the {side} and on standing on the {side} leg.",
        f"Positive thigh thrust and FABER tests on the {side}.",
        f"{side.capitalize()} sacroiliitis. Sacroiliac joint injection.",
    )
    return si


def si_fusion_planned(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(300, 1200)
    visit(c, pack, p, onset)
    si_day = c.rng.randint(150, onset - 60)
    si = _sacroiliitis(c, pack, p, si_day, side)
    inj_day = c.rng.randint(40, si_day - 30)
    before = _injection(c, pack, p, inj_day, side, si)
    e = c.encounter(c.rng.randint(2, inj_day - 15), "Sacroiliac joint pain")
    e.pain(pack, before)
    status = c.rng.choice(("active", "draft"))
    fusion = cpt(
        pack, "si_joint_fusion", "27279", f"Sacroiliac joint fusion, {side}, minimally invasive"
    )
    e.order(fusion, status, reason=si)
    note(
        e,
        p,
        "Sacroiliac joint pain",
        f"The pain returned to {before}/10 within days of the sacroiliac joint injection: no "
        "lasting relief.",
        f"Tender over the {side} sacroiliac joint.",
        f"Plan: minimally invasive {side} sacroiliac joint fusion.",
    )
    return (
        f"chronic low back pain, {side} sacroiliitis (M46.1), an SI joint injection without "
        f"lasting relief and an SI fusion order (CPT 27279, {status})",
        False,
    )


def sacroiliac_workup(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(200, 1000)
    visit(c, pack, p, onset)
    si_day = c.rng.randint(60, onset - 60)
    si = _sacroiliitis(c, pack, p, si_day, side)
    _injection(c, pack, p, c.rng.randint(2, si_day - 14), side, si)
    return f"chronic low back pain, {side} sacroiliitis (M46.1) and an SI joint injection", False


def post_fusion_buttock(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, fused = c.rng.choice(("left", "right")), c.rng.randint(550, 2200)
    graft = c.rng.random() < 0.5
    e = c.encounter(fused, "Degenerative spondylolisthesis L4-L5")
    e.procedure(cpt(pack, "lumbar_fusion", "22612", "Posterolateral lumbar fusion, L4-L5"))
    graft_text = ""
    if graft:
        e.procedure(
            cpt(
                pack,
                "iliac_crest_bone_graft",
                "20937",
                f"Autograft harvest from the {side} posterior iliac crest for spinal fusion",
            )
        )
        graft_text = f" with autograft from the {side} posterior iliac crest"
    onset = c.rng.randint(120, min(700, fused - 180))
    e = c.encounter(onset, f"{side.capitalize()} buttock pain")
    e.condition(back_pain(c, pack))
    e.condition(buttock(side))
    e.pain(pack, c.rng.randint(5, 8))
    years = (fused - onset) // 365
    note(
        e,
        p,
        "Buttock pain",
        f"New {side} buttock and low back pain {years} years after an L4-L5 fusion{graft_text}. "
        "Worse on sitting and walking.",
        "Wound healed. Lumbar movement reduced. No neurological deficit.",
        f"Low back pain with {side} buttock pain after lumbar fusion.",
    )
    c.encounter(c.rng.randint(2, onset - 60), "Buttock pain").pain(pack, c.rng.randint(5, 8))
    with_graft = " and an iliac crest bone graft (CPT 20937)" if graft else ""
    return (
        f"lumbar fusion (CPT 22612){with_graft} {fused // 365} years ago, then new {side} "
        f"buttock pain and low back pain for {onset // 30} months",
        False,
    )


def _known_start(c: Chart, p: Person, pack: KnowledgePack, side: str) -> int:
    onset = c.rng.randint(200, 1200)
    e = visit(c, pack, p, onset)
    e.condition(buttock(side))
    return onset


def known_block(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side = c.rng.choice(("left", "right"))
    onset = _known_start(c, p, pack, side)
    e = c.encounter(c.rng.randint(2, onset - 60), "Buttock pain")
    e.procedure(cpt(pack, "cluneal_block", "64450", f"Superior cluneal nerve block, {side}"))
    before, after = c.rng.randint(6, 8), c.rng.randint(0, 2)
    e.pain(pack, before)
    e.pain(pack, after, minutes_after=20)
    note(
        e,
        p,
        "Buttock pain",
        f"Low back and {side} buttock pain for {onset // 30} months.",
        f"Diagnostic {side} superior cluneal nerve block at the iliac crest: pain {before}/10 "
        f"before, {after}/10 after.",
        "Superior cluneal nerve entrapment likely. Review with a pain diary.",
    )
    return f"already evaluated: {side} superior cluneal nerve block (CPT 64450)", False


def known_in_note(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side = c.rng.choice(("left", "right"))
    onset = _known_start(c, p, pack, side)
    e = c.encounter(c.rng.randint(2, onset - 60), "Buttock pain")
    e.pain(pack, c.rng.randint(3, 6))
    note(
        e,
        p,
        "Buttock pain",
        f"Known {side} superior cluneal nerve entrapment, diagnosed at another clinic after a "
        "diagnostic block.",
        f"Tender point {side} iliac crest.",
        "Cluneal nerve entrapment. Continue the home exercise programme.",
    )
    return "already diagnosed, but only a note says cluneal nerve entrapment", True
