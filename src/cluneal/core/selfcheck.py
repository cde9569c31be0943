"""The patients' self-check: plain questions, and what the answers point to.

The result is never a diagnosis. It says one of three things: get urgent care (a red flag was
answered yes; red flags override everything, as in the engine), "worth asking your clinician
about" (the answers fit the part of a published criteria set that a patient can answer), or
"not the typical pattern, but ...". The criteria are read from the knowledge pack, not copied:
:data:`ANSWERED` says, for every criterion *check* of the engine (``cluneal.core.criteria``),
what the answers tell about it, and a check the questions cannot answer is left to the
clinician's examination. A site pack with other criteria sets or red flags therefore changes the
self-check without code changes.

The mapping is honest by construction: each question answers one kind of check, in the engine's
own terms. The places map to the case format's pain sites and the pain checks use the engine's
sites (:data:`~cluneal.core.criteria.PAIN_CHECK_SITES`), so "low back" alone is not pain at the
iliac crest or buttock. A pressing question asks whether pressing brings on the usual pain, which
is ``reproduces_complaint`` and nothing else: where the maximal tender point lies (in mm) and
numbness or spreading pain on pressure need an examination.

Nothing here imports Django: the form parses the request into :class:`Answers`, and this module
decides. Nothing is stored anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cluneal.core.criteria import PAIN_CHECK_SITES
from cluneal.knowledge.model import CriteriaSet, CriterionItem, KnowledgePack, RedFlag

PLACES: tuple[tuple[str, str], ...] = (
    ("low_back", "Low back"),
    ("iliac_crest", "The top edge of the back of your hip bone"),
    ("buttock", "Buttock"),
    ("leg", "Leg (thigh, calf or foot)"),
    ("groin", "Groin (the crease where your leg meets your body)"),
    ("elsewhere", "Somewhere else"),
)
#: What each place means in the case format's pain sites (``history.pain_sites``).
PLACE_SITES: dict[str, tuple[str, ...]] = {
    "low_back": ("low_back",),
    "iliac_crest": ("iliac_crest",),
    "buttock": ("buttock",),
    "leg": ("lateral_thigh", "posterior_thigh", "calf", "foot"),
    "groin": ("groin",),
    "elsewhere": (),
}
MOVEMENTS: tuple[tuple[str, str], ...] = (
    ("bending", "Bending forward"),
    ("twisting", "Twisting or turning"),
    ("standing", "Standing"),
    ("walking", "Walking"),
    ("sitting", "Sitting for a long time"),
    ("none", "None of these"),
)
#: What each movement means in the case format's ``history.aggravated_by``.
MOVEMENT_FACTORS: dict[str, tuple[str, ...]] = {
    "bending": ("lumbar_flexion",),
    "twisting": ("lumbar_rotation",),
    "standing": ("standing",),
    "walking": ("walking",),
    "sitting": ("sitting",),
    "none": (),
}
PRESS: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"),
    ("no", "No"),
    ("unsure", "I am not sure, or I cannot check"),
)
YES_NO: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))

# Which pressing question says whether pressing a nerve's spot brings on the usual pain.
PRESS_FIELD = {"scn": "press_crest", "mcn": "press_sacrum"}

Urgency = Literal["emergency", "today"]


@dataclass(frozen=True)
class FlagQuestion:
    """A red flag of the pack, asked in a patient's words."""

    question: str
    short: str  # what the person said yes to, for the result
    urgency: Urgency


# Patient wording for the default pack's red flags (Cluneal safety policy, P1). Cauda equina
# symptoms and a worsening deficit send the person to emergency care now; the others to a
# doctor the same day.
FLAG_QUESTIONS: dict[str, FlagQuestion] = {
    "bladder_or_bowel_dysfunction": FlagQuestion(
        "Have you lately lost control of your bladder or bowels, or had new trouble passing urine?",
        "loss of bladder or bowel control, or new trouble passing urine",
        "emergency",
    ),
    "saddle_anaesthesia": FlagQuestion(
        "Is there numbness around your bottom, genitals or inner thighs (where you sit on a "
        "saddle)?",
        "numbness around your bottom, genitals or inner thighs",
        "emergency",
    ),
    "progressive_neurological_deficit": FlagQuestion(
        "Is there weakness in your legs or feet that is getting worse?",
        "weakness in your legs or feet that is getting worse",
        "emergency",
    ),
    "suspected_infection": FlagQuestion(
        "Do you have a fever, or feel hot and shivery, as well as the back pain?",
        "a fever with the back pain",
        "today",
    ),
    "suspected_malignancy": FlagQuestion(
        "Have you ever had cancer?",
        "having had cancer",
        "today",
    ),
    "suspected_fracture": FlagQuestion(
        "Did the pain start after a fall, an accident or another injury?",
        "pain that started after a fall or injury",
        "today",
    ),
}


def flag_question(flag: RedFlag) -> FlagQuestion:
    """The question for a red flag. A site pack may add red flags this module has no wording
    for; they are still asked (in the pack's own words) rather than silently left out."""
    known = FLAG_QUESTIONS.get(flag.id)
    if known is not None:
        return known
    title = flag.title[0].lower() + flag.title[1:]
    return FlagQuestion(f"Has a doctor said you may have this: {title}?", title, "today")


@dataclass(frozen=True)
class Answers:
    where: frozenset[str]
    press_crest: str
    press_sacrum: str
    worse_with: frozenset[str]
    long_lasting: bool
    red_flags: frozenset[str]  # ids of the red flags answered "yes"

    @property
    def pain_sites(self) -> frozenset[str]:
        return frozenset(s for place in self.where for s in PLACE_SITES[place])

    @property
    def aggravated_by(self) -> frozenset[str]:
        return frozenset(f for m in self.worse_with for f in MOVEMENT_FACTORS[m])


Status = bool | None  # True: the answer fits; False: it does not; None: a clinician checks it
Rule = Callable[[Answers, str], Status]  # (answers, nerve) -> status of one check


def _pain_at(sites: tuple[str, ...]) -> Rule:
    return lambda answers, nerve: bool(answers.pain_sites & set(sites))


def _aggravated(answers: Answers, nerve: str) -> Status:
    return bool(answers.aggravated_by)


def _pressing_brings_on_the_pain(answers: Answers, nerve: str) -> Status:
    field = PRESS_FIELD.get(nerve)
    return None if field is None else {"yes": True, "no": False}.get(getattr(answers, field))


def _clinician(answers: Answers, nerve: str) -> Status:
    return None


#: What the answers say about each criterion check of the engine (``cluneal.core.criteria``).
ANSWERED: dict[str, Rule] = {
    **{check: _pain_at(sites) for check, sites in PAIN_CHECK_SITES.items()},
    "aggravated_by_movement_or_posture": _aggravated,
    "reproduces_complaint": _pressing_brings_on_the_pain,
    # The maximal tender point and its distance in mm from the midline or the PSIS: an
    # examination. Pressing one's own back answers reproduction only (and even a clinician's
    # palpation is "not very reliable", E4).
    "tender_point": _clinician,
    # Numbness or pain spreading when the point is pressed (Tinel-like): not asked, the pressing
    # questions ask about the usual pain.
    "radiation_on_pressure": _clinician,
    "relief_with_block": _clinician,
    "unilateral_pain": _clinician,  # the side of the pain is not asked
}


@dataclass(frozen=True)
class SetMatch:
    """One criteria set of the pack, item by item, against the answers."""

    criteria: CriteriaSet
    items: tuple[tuple[CriterionItem, Status], ...]

    @property
    def fits(self) -> bool:
        """Every item the person could answer fits, and at least one was answered."""
        states = [s for _, s in self.items]
        return True in states and False not in states


@dataclass(frozen=True)
class Outcome:
    kind: Literal["urgent", "ask", "atypical"]
    red_flags: tuple[tuple[RedFlag, FlagQuestion], ...]
    sets: tuple[SetMatch, ...]
    unsure_pressing: bool
    long_lasting: bool

    @property
    def emergency(self) -> bool:
        return any(q.urgency == "emergency" for _, q in self.red_flags)


def check_status(check: str, nerve: str, answers: Answers) -> Status:
    """What the answers say about one criterion check; ``None`` when only an examination (or
    a nerve block) can tell."""
    return ANSWERED[check](answers, nerve)


def match(criteria: CriteriaSet, answers: Answers) -> SetMatch:
    items = tuple((i, check_status(i.check, criteria.nerve, answers)) for i in criteria.items)
    return SetMatch(criteria, items)


def evaluate(answers: Answers, pack: KnowledgePack) -> Outcome:
    """The result of the self-check. Red flags come first and override the rest."""
    flags = tuple(
        (flag, flag_question(flag))
        for flag_id, flag in pack.red_flags.items()
        if flag_id in answers.red_flags
    )
    sets = tuple(match(c, answers) for c in pack.criteria)
    if flags:
        kind: Literal["urgent", "ask", "atypical"] = "urgent"
    elif any(s.fits for s in sets):
        kind = "ask"
    else:
        kind = "atypical"
    unsure = "unsure" in (answers.press_crest, answers.press_sacrum)
    return Outcome(kind, flags, sets, unsure, answers.long_lasting)
