"""/learn/exam: the tender-point examination and the diagnostic nerve block, in plain words.

How much relief makes a block "positive" is disputed (clinical-evidence 1.1 D and 7.4): the page
lists every definition in the active pack, in words built from the pack's own numbers, and says
which one the calculator uses by default, so a site pack that changes them changes this page.
"""

from __future__ import annotations

from cluneal.knowledge.model import BlockDefinition, KnowledgePack
from cluneal.web.learn.content.text import Page, Para, Section, para

FIRST = Section(
    "First: ruling out something serious",
    paras=(
        para(
            "Your clinician will first ask about signs of a serious problem in the spine, such "
            "as loss of bladder control. These come before anything else.",
            "P1",
        ),
    ),
    links=(("/learn/#when-to-get-help-fast", "Signs that need help fast"),),
)

PRESSING = Section(
    "The pressing test",
    paras=(
        para(
            "The clinician presses along the top edge of the back of your hip bone (the iliac "
            "crest). The spot for the upper nerves is about 7 cm (under 3 inches) out from the "
            "middle of your back.",
            "S1",
            "E1",
        ),
        para(
            "They ask you: does pressing here bring on the pain you usually have? If it does, "
            "that is a sign of the upper nerve problem.",
            "S1",
        ),
        para(
            "For the middle nerves, they press just below the bony bump at the back of your "
            "pelvis, on the band of tissue beside the sacrum.",
            "S14",
            "S31",
        ),
        para(
            "One expert says the spot is within about 4 cm (under 2 inches) below the bump. "
            "This is his opinion.",
            "E2",
        ),
        para(
            "They may ask if pressing sends pain or tingling further down. Doctors call this a "
            "Tinel sign (say tin-EL).",
            "S2",
            "S14",
        ),
        para(
            "One expert says that pressing alone is not very reliable. This is why a nerve block "
            "is used as well. This is his opinion.",
            "E4",
        ),
    ),
    figure="pelvis",
)

BLOCK = Section(
    "The nerve block",
    paras=(
        para(
            "A nerve block is an injection of local anaesthetic (say an-es-THET-ik). This is a "
            "numbing medicine, such as lidocaine. It goes in at the sore spot.",
            "S1",
            "S11",
            "S16",
        ),
        para(
            "Some clinicians use an ultrasound scan or an X-ray to guide the needle. Others find "
            "the spot by touch. There is no one agreed way to do it, and no set dose.",
            "S10",
            "S11",
            "S1",
        ),
    ),
    bullets=(
        para(
            "Before the injection, you score your pain from 0 to 10. 0 means no pain. 10 means "
            "the worst pain you can imagine.",
            "S116",
            "S117",
        ),
        para(
            "After the injection, you score it again. Studies have checked after 15 minutes, "
            "after 1 hour and after 2 hours.",
            "S1",
            "S10",
            "S11",
        ),
        para(
            "If your pain goes down enough, the block is called positive. This supports the "
            "idea that these nerves cause your pain.",
            "S3",
            "S50",
        ),
        para(
            "Keep a pain diary for the next few days. One expert says that how long the relief "
            "lasts helps to plan treatment. This is his opinion.",
            "E6",
        ),
    ),
)

SAFETY = Section(
    "Is the injection safe?",
    paras=(
        para(
            "Any injection has some risk. The sources used for these pages do not list the "
            "risks of this block, or reasons not to have it. Please ask your clinician about "
            "them."
        ),
    ),
)


def _time(minutes: float) -> str:
    if minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes:g} minutes"


def relief_words(bd: BlockDefinition) -> str:
    """A block definition of the pack in plain words, from its numbers."""
    amount = f"{'At least' if bd.inclusive else 'More than'} {bd.min_relief_percent:g}% less pain"
    low, high = bd.min_minutes_after, bd.max_minutes_after
    if low is not None and high is not None:
        when = f"measured {_time(low)} to {_time(high)} after the injection"
    elif low is not None:
        when = f"measured {_time(low)} or more after the injection"
    elif high is not None:
        when = f"within {_time(high)} of the injection"
    else:
        when = "at any time after the injection"
    return f"{amount}, {when}."


def _doubtful(bd: BlockDefinition) -> bool:
    """The pack marks a definition whose reading of its study is uncertain in its label or note
    (Iwamoto's "more than 75% of patients", clinical-evidence 1.1 B1)."""
    words = f"{bd.label} {bd.note or ''}".lower()
    return "ambiguous" in words or "uncertain" in words


def thresholds(pack: KnowledgePack) -> Section:
    items = []
    for bd in pack.block_definitions.values():
        text = relief_words(bd)
        if _doubtful(bd):
            text += " The wording of this study is not clear, so this cut-off is uncertain."
        items.append(Para(text, bd.sources))
    default = pack.block_definition
    setting = pack.setting_notes.get("block_definition")
    return Section(
        "How much relief counts? Experts do not agree",
        paras=(
            para(
                "Studies use different cut-offs, and none is agreed. These are the ones in use:",
                *(setting.sources if setting else ()),
            ),
        ),
        bullets=tuple(items),
        after=(
            para(
                "An example: if your pain is 8 before and 4 after, you have 50% less pain. Half "
                "of it has gone."
            ),
            para(
                "Unless a clinic picks another, the calculator on this website uses this one: "
                + relief_words(default)[0].lower()
                + relief_words(default)[1:],
                *default.sources,
            ),
        ),
    )


def build(pack: KnowledgePack) -> Page:
    return Page(
        title="How a clinician checks for it",
        lede=para(
            "No scan or blood test shows cluneal nerve entrapment. A clinician finds it by "
            "examining you. If needed, they give you a numbing injection called a nerve block.",
            "S3",
            "S13",
        ),
        sections=(FIRST, PRESSING, BLOCK, thresholds(pack), SAFETY),
    )
