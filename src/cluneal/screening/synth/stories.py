"""The event histories planted for each kind of patient (see :mod:`.kinds`).

Days count back from the screening date; every history ends at least two days before it. Each
function returns the truth's one-line description and whether the record names the cluneal
nerves only in a note.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import CPT_SI_INJECTION, Chart, Encounter, coding, concept

if TYPE_CHECKING:
    from cluneal.screening.synth.kinds import Person

Story = tuple[str, bool]


def _note(e: Encounter, p: Person, complaint: str, history: str, exam: str, plan: str) -> None:
    gender = "woman" if p.gender == "female" else "man"
    e.note(
        f"\n{e.start[:10]}\n\n# Chief Complaint\n- {complaint}\n\n"
        f"# History of Present Illness\n{p.given} {p.family}\n is a {p.age_on(e.start)} "
        f"year-old {gender}. {history}\n\n# Physical Examination\n{exam}\n\n"
        f"# Assessment and Plan\n{plan}\n"
    )


def _her(p: Person) -> str:
    return "her" if p.gender == "female" else "his"


def _back_pain(c: Chart, pack: KnowledgePack, chronic: bool = True) -> dict[str, Any]:
    icd = coding(pack, "back_pain", "icd10cm", "M54.50")
    if not chronic:
        return concept("Low back pain", icd, coding(pack, "back_pain", "snomedct", "279039007"))
    snomed = coding(pack, "back_pain", "snomedct", "278860009")
    return c.rng.choice(
        (
            concept("Chronic low back pain", icd, snomed),
            concept("Low back pain", icd),
            concept("Chronic low back pain (finding)", snomed),
        )
    )


def _buttock(side: str) -> dict[str, Any]:
    return concept(f"{side.capitalize()} buttock pain")


def _cpt(pack: KnowledgePack, list_id: str, code: str, text: str) -> dict[str, Any]:
    return concept(text, coding(pack, list_id, "cpt", code))


def _visit(c: Chart, pack: KnowledgePack, p: Person, days: int, chronic: bool = True) -> Encounter:
    e = c.encounter(days, "Low back pain")
    e.condition(_back_pain(c, pack, chronic))
    e.pain(pack, c.rng.randint(5, 8))
    _note(
        e,
        p,
        "Low back pain",
        f"Low back pain for {c.rng.randint(2, 6)} weeks, no injury.",
        "Lumbar paraspinal tenderness. Neurological examination normal.",
        "Low back pain. Analgesia and a home exercise programme.",
    )
    return e


def iliac_crest_tenderness(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, onset = c.rng.choice(("left", "right")), c.rng.randint(150, 900)
    _visit(c, pack, p, onset)
    e = c.encounter(c.rng.randint(7, onset - 60), f"{side.capitalize()} buttock pain")
    e.condition(_buttock(side))
    e.pain(pack, c.rng.randint(5, 9))
    _note(
        e,
        p,
        "Low back and buttock pain",
        f"Low back pain for {onset // 30} months, now worse on the {side}, spreading to the "
        f"{side} buttock. Worse on walking and on rising from a chair.",
        f"Tender over the {side} posterior iliac crest, reproduces {_her(p)} pain. Straight leg "
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
    _note(
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
    _note(
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
    _visit(c, pack, p, onset)
    si_day = c.rng.randint(150, onset - 60)
    si = _sacroiliitis(c, pack, p, si_day, side)
    inj_day = c.rng.randint(40, si_day - 30)
    before = _injection(c, pack, p, inj_day, side, si)
    e = c.encounter(c.rng.randint(2, inj_day - 15), "Sacroiliac joint pain")
    e.pain(pack, before)
    status = c.rng.choice(("active", "draft"))
    fusion = _cpt(
        pack, "si_joint_fusion", "27279", f"Sacroiliac joint fusion, {side}, minimally invasive"
    )
    e.order(fusion, status, reason=si)
    _note(
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
    _visit(c, pack, p, onset)
    si_day = c.rng.randint(60, onset - 60)
    si = _sacroiliitis(c, pack, p, si_day, side)
    _injection(c, pack, p, c.rng.randint(2, si_day - 14), side, si)
    return f"chronic low back pain, {side} sacroiliitis (M46.1) and an SI joint injection", False


def post_fusion_buttock(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side, fused = c.rng.choice(("left", "right")), c.rng.randint(550, 2200)
    graft = c.rng.random() < 0.5
    e = c.encounter(fused, "Degenerative spondylolisthesis L4-L5")
    e.procedure(_cpt(pack, "lumbar_fusion", "22612", "Posterolateral lumbar fusion, L4-L5"))
    graft_text = ""
    if graft:
        e.procedure(
            _cpt(
                pack,
                "iliac_crest_bone_graft",
                "20937",
                f"Autograft harvest from the {side} posterior iliac crest for spinal fusion",
            )
        )
        graft_text = f" with autograft from the {side} posterior iliac crest"
    onset = c.rng.randint(120, min(700, fused - 180))
    e = c.encounter(onset, f"{side.capitalize()} buttock pain")
    e.condition(_back_pain(c, pack))
    e.condition(_buttock(side))
    e.pain(pack, c.rng.randint(5, 8))
    years = (fused - onset) // 365
    _note(
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
    e = _visit(c, pack, p, onset)
    e.condition(_buttock(side))
    return onset


def known_block(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side = c.rng.choice(("left", "right"))
    onset = _known_start(c, p, pack, side)
    e = c.encounter(c.rng.randint(2, onset - 60), "Buttock pain")
    e.procedure(_cpt(pack, "cluneal_block", "64450", f"Superior cluneal nerve block, {side}"))
    before, after = c.rng.randint(6, 8), c.rng.randint(0, 2)
    e.pain(pack, before)
    e.pain(pack, after, minutes_after=20)
    _note(
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
    _note(
        e,
        p,
        "Buttock pain",
        f"Known {side} superior cluneal nerve entrapment, diagnosed at another clinic after a "
        "diagnostic block.",
        f"Tender point {side} iliac crest.",
        "Cluneal nerve entrapment. Continue the home exercise programme.",
    )
    return "already diagnosed, but only a note says cluneal nerve entrapment", True


def short_back_pain(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    side = c.rng.choice(("left", "right"))
    if c.rng.random() < 0.5:
        onset = c.rng.randint(10, 70)
        e = c.encounter(onset, "Low back pain")
        e.condition(_back_pain(c, pack, chronic=False))
        e.condition(_buttock(side))
        e.pain(pack, c.rng.randint(4, 8))
        story = f"low back pain with {side} buttock pain for {onset} days"
        abated = None
    else:
        onset = c.rng.randint(200, 900)
        abated = onset - c.rng.randint(14, 60)
        e = c.encounter(onset, "Low back pain")
        e.condition(_back_pain(c, pack, chronic=False), abated_days_before=abated)
        e.condition(_buttock(side), abated_days_before=abated)
        e.pain(pack, c.rng.randint(4, 8))
        c.encounter(abated, "Follow-up").pain(pack, c.rng.randint(0, 1))
        story = (
            f"an episode of low back pain with {side} buttock pain {onset // 30} months ago "
            f"that resolved within {onset - abated} days"
        )
    _note(
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
    _visit(c, pack, p, onset)
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
    _note(
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
    _visit(c, pack, p, onset)
    e = c.encounter(c.rng.randint(2, onset - 60), "Low back pain")
    e.pain(pack, c.rng.randint(3, 7))
    e.order(concept("Physical therapy for low back pain"), "active")
    _note(
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
    _note(
        e,
        p,
        "Low back pain",
        f"Low back pain with pain in the back of the {side} thigh, not below the knee.",
        "Straight leg raise negative. Neurological examination normal.",
        "Lumbago with sciatica.",
    )
    return f"chronic lumbago with {side} sciatica ({code}), no radiculopathy", False


#: Red flags a planted record may carry (ICD-10-CM, each in one of the pack's red-flag code
#: lists, some below a category marked ``descendants``), with their tabular titles.
RED_FLAG_CONDITIONS = (
    ("G83.4", "Cauda equina syndrome"),
    ("C79.51", "Secondary malignant neoplasm of bone"),
    ("M46.46", "Discitis, unspecified, lumbar region"),
    ("G95.20", "Unspecified cord compression"),
    (
        "S32.010A",
        "Wedge compression fracture of first lumbar vertebra, initial encounter for closed "
        "fracture",
    ),
)


def _red_flag_condition(c: Chart, codes: tuple[str, ...] = ()) -> dict[str, Any]:
    """One of the red-flag Conditions (of ``codes`` when given), as a FHIR CodeableConcept."""
    code, title = c.rng.choice([x for x in RED_FLAG_CONDITIONS if not codes or x[0] in codes])
    return concept(title, {"system": v.CODE_SYSTEMS["icd10cm"], "code": code, "display": title})


def red_flag_coded(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    story, _ = post_fusion_buttock(c, p, pack)
    e = c.encounter(c.rng.randint(2, 150), "Back pain")
    code = _red_flag_condition(c)
    e.condition(code)
    return f"{story}; then {code['text']} coded {e.start[:10]}, still active", False


def red_flag_in_note(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    story, _ = iliac_crest_tenderness(c, p, pack)
    e = c.encounter(c.rng.randint(2, 150), "Back pain")
    pronoun = "She" if p.gender == "female" else "He"
    _note(
        e,
        p,
        "Low back pain, worse",
        f"Back pain worse this week. {pronoun} reports new urinary retention and saddle "
        "anaesthesia since Tuesday.",
        "Reduced perianal sensation.",
        "Suspected cauda equina syndrome: sent to the emergency department for an MRI today.",
    )
    day = dt.date.fromisoformat(e.start[:10]).toordinal()
    c.note_red_flags.append(("saddle_anaesthesia", day))
    return f"{story}; then a note of new urinary retention and saddle anaesthesia", False


def red_flag_gone(c: Chart, p: Person, pack: KnowledgePack) -> Story:
    """A red flag that no longer counts: resolved, recorded before its window, or negated."""
    story, _ = iliac_crest_tenderness(c, p, pack)
    way = c.rng.randrange(3)
    if way == 0:
        e = c.encounter(c.rng.randint(700, 1500), "Back pain")
        e.condition(_red_flag_condition(c, ("M46.46",)), abated_days_before=c.rng.randint(400, 650))
        return f"{story}; a lumbar discitis years ago, resolved", False
    if way == 1:
        e = c.encounter(c.rng.randint(800, 1400), "Back pain")
        e.condition(_red_flag_condition(c, ("S32.010A",)))
        return f"{story}; a lumbar fracture coded {e.start[:10]}, over a year ago", False
    e = c.encounter(c.rng.randint(2, 60), "Back pain")
    _note(
        e,
        p,
        "Low back pain",
        "Back pain unchanged. No saddle anaesthesia, no bladder or bowel dysfunction.",
        "Neurological examination normal.",
        "Continue the home exercise programme.",
    )
    return f"{story}; a note that denies red flags", False
