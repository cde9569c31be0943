"""The pieces the stories are built of: a visit's note, the back-pain and buttock-pain
conditions, a coded procedure and a visit for low back pain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import Chart, Encounter, coding, concept

if TYPE_CHECKING:
    from cluneal.screening.synth.kinds import Person

#: The truth's one-line description, and whether the record names the cluneal nerves only in
#: a note.
Story = tuple[str, bool]


def note(e: Encounter, p: Person, complaint: str, history: str, exam: str, plan: str) -> None:
    gender = "woman" if p.gender == "female" else "man"
    e.note(
        f"\n{e.start[:10]}\n\n# Chief Complaint\n- {complaint}\n\n"
        f"# History of Present Illness\n{p.given} {p.family}\n is a {p.age_on(e.start)} "
        f"year-old {gender}. {history}\n\n# Physical Examination\n{exam}\n\n"
        f"# Assessment and Plan\n{plan}\n"
    )


def her(p: Person) -> str:
    return "her" if p.gender == "female" else "his"


def back_pain(c: Chart, pack: KnowledgePack, chronic: bool = True) -> dict[str, Any]:
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


def buttock(side: str) -> dict[str, Any]:
    return concept(f"{side.capitalize()} buttock pain")


def cpt(pack: KnowledgePack, list_id: str, code: str, text: str) -> dict[str, Any]:
    return concept(text, coding(pack, list_id, "cpt", code))


def visit(c: Chart, pack: KnowledgePack, p: Person, days: int, chronic: bool = True) -> Encounter:
    e = c.encounter(days, "Low back pain")
    e.condition(back_pain(c, pack, chronic))
    e.pain(pack, c.rng.randint(5, 8))
    note(
        e,
        p,
        "Low back pain",
        f"Low back pain for {c.rng.randint(2, 6)} weeks, no injury.",
        "Lumbar paraspinal tenderness. Neurological examination normal.",
        "Low back pain. Analgesia and a home exercise programme.",
    )
    return e
