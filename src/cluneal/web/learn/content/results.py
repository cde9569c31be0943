"""The self-check's words: its introduction, the hints under the questions, and the results.

The results are never diagnostic: "worth asking your clinician about" or "not the typical
pattern, but ...", or, for a red flag, urgent care first (Cluneal safety policy, P1).
"""

from __future__ import annotations

from cluneal.core.selfcheck import Outcome
from cluneal.knowledge.model import KnowledgePack
from cluneal.web.learn.content.text import Para, Section, para, unique

INTRO = (
    para(
        "This check takes about two minutes. It cannot tell you if you have cluneal nerve "
        "entrapment. It tells you if it may be worth asking your clinician about it."
    ),
    para(
        "Your answers are not saved, and they are not put in a cookie. They are used once to "
        "work out your result, and then they are gone."
    ),
)

HINTS: dict[str, Para] = {
    "press_crest": para(
        "Feel for the top edge of the back of your hip bone. Press along it, about 7 cm (under "
        "3 inches) out from the middle of your back. Someone may need to help you.",
        "S1",
        "E1",
    ),
    "press_sacrum": para(
        "You may feel a bony bump on each side of your low back, just above the buttock. Press "
        "just below it, beside the flat bone at the base of your spine (the sacrum).",
        "S14",
        "S31",
        "E2",
    ),
}

FLAGS_INTRO = para(
    "These questions check for signs of a serious problem. Please answer each one.",
    "P1",
)

NEXT_LINKS = (
    ("/directory/", "Find a clinician who knows this condition"),
    ("/learn/exam", "What the examination and nerve block involve"),
    ("/learn/", "Read about cluneal nerve entrapment"),
)

NOT_RELIABLE = para(
    "One expert says that even for clinicians, pressing alone is not very reliable. This is his "
    "opinion.",
    "E4",
)


def _urgent(outcome: Outcome) -> Section:
    said = "; ".join(q.short for _, q in outcome.red_flags)
    sources = unique(s for flag, _ in outcome.red_flags for s in flag.sources)
    if outcome.emergency:
        advice = para(
            "Go to an emergency department now, or call your local emergency number.", *sources
        )
    else:
        advice = para(
            "Contact a doctor today. If you cannot, go to an urgent care service. Tell them what "
            "you told us here.",
            *sources,
        )
    return Section(
        "Please get medical help urgently",
        paras=(
            para(f"You said yes to: {said}."),
            para(
                "This can be a sign of a serious problem. It needs a doctor before anything "
                "else, and before anyone looks at your cluneal nerves.",
                *sources,
            ),
            advice,
        ),
    )


def _fitting_sources(outcome: Outcome) -> tuple[str, ...]:
    return unique(s for m in outcome.sets if m.fits for s in m.criteria.sources)


def _ask(outcome: Outcome) -> Section:
    paras = [
        para(
            "Your answers fit the pattern that doctors look for in cluneal nerve entrapment.",
            *_fitting_sources(outcome),
        ),
        para("This is not a diagnosis. Other problems can cause the same pain.", "S3", "S22"),
        para(
            "A clinician can do the pressing test and, if needed, a nerve block to find out.",
            "S1",
            "S3",
        ),
    ]
    if outcome.unsure_pressing:
        paras.append(para("You were not sure what pressing does. That is common."))
        paras.append(NOT_RELIABLE)
    if not outcome.long_lasting:
        paras.append(
            para(
                "Your pain is fairly new. The studies looked at people whose pain had lasted "
                "for months.",
                "S10",
                "S11",
            )
        )
    return Section(
        "This is worth asking your clinician about", paras=tuple(paras), links=NEXT_LINKS
    )


def _atypical(pack: KnowledgePack) -> Section:
    sources = unique(s for c in pack.criteria for s in c.sources)
    return Section(
        "This does not sound like the typical pattern, but ...",
        paras=(
            para(
                "Your answers do not match the usual pattern of cluneal nerve entrapment.",
                *sources,
            ),
            para("But a self-check cannot rule it out. Pressing your own back is hard to do."),
            NOT_RELIABLE,
            para("If your pain goes on, ask your clinician about it. You can show them this page."),
        ),
        links=NEXT_LINKS,
    )


def result(outcome: Outcome, pack: KnowledgePack) -> Section:
    if outcome.kind == "urgent":
        return _urgent(outcome)
    if outcome.kind == "ask":
        return _ask(outcome)
    return _atypical(pack)
