"""/learn/: what cluneal nerve entrapment is, in plain words.

Figures follow docs/clinical-evidence.md: how common it is rests on a few studies that disagree
(1.6% to 14%, section 3.1), so "about one in eight" is given with its sources and the range;
statements from the seed interview (E#) are said to be one expert's opinion, and facts the
evidence marks UNCONFIRMED (age and spine changes as causes, groin pain as a hip mimic) are said
to be unconfirmed.
"""

from __future__ import annotations

from cluneal.core.selfcheck import flag_question
from cluneal.knowledge.model import KnowledgePack
from cluneal.web.learn.content.text import Page, Section, para

WHAT = Section(
    "What are the cluneal nerves?",
    paras=(
        para(
            "Cluneal (say KLOO-nee-ul) nerves are thin nerves that run just under the skin. "
            "They carry feeling from the skin of your low back and buttocks.",
            "S6",
            "S22",
        ),
        para(
            "There are three groups: upper, middle and lower. Doctors call them superior, "
            "middle and inferior. This page is about the upper and middle ones.",
            "S3",
            "S33",
        ),
        para(
            "Entrapment means that a nerve is squeezed or pinched where it goes through a tight "
            "spot. The nerve then sends pain.",
            "S3",
            "S15",
        ),
    ),
)

UPPER = Section(
    "The upper (superior) cluneal nerves",
    paras=(
        para(
            "The upper nerves come from nerves in your low back.",
            "S6",
            "S20",
        ),
        para(
            "They cross the top edge of the back of your hip bone. Doctors call this edge the "
            "iliac crest (say ILL-ee-ak). The nerves cross it about 7 cm (under 3 inches) out "
            "from the middle of your back.",
            "S1",
            "S9",
            "S24",
            "S26",
        ),
        para(
            "Here some of them go through a narrow tunnel of bone and tough tissue. They can be "
            "squeezed in this tunnel.",
            "S24",
            "S29",
        ),
    ),
    figure="pelvis",
)

MIDDLE = Section(
    "The middle cluneal nerves",
    paras=(
        para(
            "The middle nerves come from nerves in the sacrum (say SAY-krum). The sacrum is the "
            "flat bone at the base of your spine.",
            "S14",
            "S25",
        ),
        para(
            "You may feel a bony bump on each side of your low back, just above the buttock. "
            "Just below this bump, the middle nerves pass under a strong band of tissue. Doctors "
            "call this band the long posterior sacroiliac ligament (say SAY-kro-ILL-ee-ak "
            "LIG-a-ment). The nerves can be trapped under it.",
            "S15",
            "S31",
        ),
    ),
)

SYMPTOMS = Section(
    "What does it feel like?",
    bullets=(
        para(
            "Pain in the low back that reaches the top of the hip bone or the buttock.",
            "S3",
            "S4",
        ),
        para(
            "Pain that gets worse when you move your back, for example when you bend, twist, "
            "stand or walk.",
            "S3",
            "S13",
            "S18",
        ),
        para(
            "For some people, the pain comes on when they stand or walk, and goes away when they "
            "rest.",
            "S5",
        ),
        para(
            "About half of people also have pain, numbness or tingling in the leg. This can feel "
            "like sciatica, the leg pain from a pinched nerve in the spine.",
            "S1",
            "S3",
            "S17",
        ),
        para(
            "Pressing one spot on the back of the hip bone may bring on the usual pain. Doctors "
            "look for this spot.",
            "S1",
            "S3",
        ),
        para(
            "Now and then, pain in the groin that can feel like hip pain. This is one expert's "
            "opinion. Studies have not confirmed it.",
            "E8",
        ),
    ),
)

HOW_COMMON = Section(
    "How common is it?",
    paras=(
        para("Nobody knows for sure. The studies do not agree."),
        para(
            "In one study, 200 people had low back pain that had lasted more than 3 months. It "
            "was found in 24 of them. That is about one in eight.",
            "S10",
        ),
        para(
            "In another study of 834 people with low back or leg pain, 113 had the signs of the "
            "upper nerve problem. That is about one in seven.",
            "S1",
        ),
        para(
            "For the middle nerves, one hospital found it in 50 of 383 people with low back pain. "
            "Most of them also had another back problem.",
            "S17",
        ),
        para(
            "But other studies found far fewer, as few as 2 in 100 people with low back pain.",
            "S3",
            "S35",
        ),
        para(
            'So "about one in eight people with long-lasting low back pain" is a guess from some '
            "studies. It is not a settled fact.",
            "S10",
            "S1",
            "S3",
        ),
    ),
)

WHO = Section(
    "Who gets it?",
    paras=(
        para(
            "Men and women both get it. In the studies, most people were older adults, with an "
            "average age of about 65.",
            "S6",
            "S17",
            "S37",
        ),
        para(
            "Surgery near these nerves can hurt them. Taking bone from the back of the hip bone "
            "for a bone graft is a known cause. It can also follow surgery on the spine.",
            "S60",
            "S61",
            "S62",
            "S2",
        ),
        para(
            "One expert thinks that age and some changes in the spine, such as a bent back after "
            "a broken bone, may play a part. This is his opinion. Studies have not confirmed it.",
            "E9",
        ),
    ),
)

MISSED = Section(
    "Why it is often missed",
    paras=(
        para(
            "Its pain can look like other problems. These include sciatica, a narrow spinal "
            "canal (spinal stenosis) and pain from the sacroiliac joint, where the spine meets "
            "the pelvis.",
            "S3",
            "S6",
            "S17",
            "S22",
        ),
        para("Scans such as MRI and CT do not show it.", "S13"),
        para(
            "When it is missed, some people have back surgery that does not take their pain away.",
            "S3",
        ),
        para(
            "One expert says that many people with the middle nerve problem were treated for a "
            "sacroiliac joint problem instead. This is his opinion.",
            "E10",
        ),
        para(
            "In a paper, he warns against spine surgery or sacroiliac joint surgery that is not "
            "needed.",
            "S15",
        ),
    ),
)

NEXT = Section(
    "What you can do",
    paras=(
        para(
            "Talk to your clinician. You can show them this page. It lists its sources at the "
            "bottom."
        ),
    ),
    links=(
        ("/learn/exam", "How a clinician checks for it"),
        ("/learn/treatment", "How it is treated"),
        ("/learn/self-check", "Take the self-check"),
        ("/directory/", "Find a clinician who knows this condition"),
    ),
)


def urgent(pack: KnowledgePack) -> Section:
    """The red flags of the pack, in the self-check's words."""
    flags = [flag_question(f) for f in pack.red_flags.values()]
    sources = tuple(dict.fromkeys(s for f in pack.red_flags.values() for s in f.sources))
    return Section(
        "When to get help fast",
        paras=(
            para(
                "Back pain with any of these signs needs a doctor quickly. Do not wait to look "
                "into cluneal nerves. Get help if you have:",
                *sources,
            ),
        ),
        bullets=tuple(para(f.short[0].upper() + f.short[1:] + ".") for f in flags),
    )


def build(pack: KnowledgePack) -> Page:
    return Page(
        title="Cluneal nerve entrapment",
        lede=para(
            "This page is about a cause of low back pain that is often missed. It cannot tell "
            "you what is wrong with you. It can help you talk with your clinician."
        ),
        sections=(WHAT, UPPER, MIDDLE, SYMPTOMS, HOW_COMMON, WHO, MISSED, urgent(pack), NEXT),
    )
