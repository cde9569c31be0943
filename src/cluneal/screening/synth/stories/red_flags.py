"""The stories with a red flag: coded, only in a note, or one that no longer counts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth.fhir import Chart, concept
from cluneal.screening.synth.stories.pieces import Story, note
from cluneal.screening.synth.stories.planted import iliac_crest_tenderness, post_fusion_buttock

if TYPE_CHECKING:
    from cluneal.screening.synth.kinds import Person


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
    note(
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
    note(
        e,
        p,
        "Low back pain",
        "Back pain unchanged. No saddle anaesthesia, no bladder or bowel dysfunction.",
        "Neurological examination normal.",
        "Continue the home exercise programme.",
    )
    return f"{story}; a note that denies red flags", False
