"""/learn/treatment: the treatment ladder in plain words, each step with its grade of evidence.

The ladder is the one in the knowledge pack's pathway (repeat blocks, surgical release,
radiofrequency, maintenance); the numbers are those of clinical-evidence sections 3.4, 3.5 and
4. The seed interview's advice (E5-E7, E10) is said to be one expert's opinion, and the
"more than 3 days of relief" predictor, UNCONFIRMED in any paper (section 8, item 4), is said to
be unconfirmed.
"""

from __future__ import annotations

from cluneal.knowledge.model import KnowledgePack
from cluneal.web.learn.content.text import Page, Section, para

SERIOUS = Section(
    "Step 0: serious problems first",
    paras=(
        para(
            "Signs of a serious problem in the spine are checked and dealt with first. Treatment "
            "of the cluneal nerves waits until then.",
            "P1",
        ),
    ),
    grades=True,
)

BLOCKS = Section(
    "Step 1: more nerve blocks",
    paras=(
        para(
            "If a nerve block helps, it can be given again when the pain comes back. In one "
            "study, it was given once a week, up to three times.",
            "S1",
        ),
        para(
            "In that study, 113 people had the injections. After three, 96 of them (85%) had "
            "less pain, by more than 20 points on a scale of 0 to 100. And 77 of them (68%) "
            "had less than half the pain they started with.",
            "S1",
        ),
        para(
            "For the middle nerves, one hospital found that 22 of 50 people needed no more "
            "treatment after 2 to 5 blocks.",
            "S17",
        ),
        para(
            "One expert says that repeated blocks work well for most people. This is his opinion.",
            "E5",
        ),
    ),
    grades=True,
)

ACTIVE = Section(
    "Staying active",
    paras=(
        para(
            "Once the pain has gone, one expert advises exercise such as yoga or stretching. He "
            "thinks this keeps the nerve from getting stuck again. When the pain is bad, "
            "exercise may make it worse. This is his opinion.",
            "E5",
        ),
        para("No exercise plan for this problem has been tested in a study yet."),
    ),
    grades=True,
)

SURGERY = Section(
    "Step 2: surgery to free the nerve",
    paras=(
        para(
            "If blocks help only for a short time, or the pain keeps coming back, an operation "
            "may be offered.",
            "S2",
            "S5",
        ),
        para(
            "The surgeon frees the nerve where it is squeezed. This is called a release. It is "
            "often done with a local anaesthetic, so you stay awake.",
            "S37",
            "S18",
            "S2",
        ),
        para(
            "In one group of 34 people, all got better. There were no problems during the "
            "operations.",
            "S37",
        ),
        para("In an older study, 13 of 19 people had an excellent result.", "S8"),
        para(
            "For the middle nerves, one study followed people for more than 3 years on average. "
            "The pain came back on 6 of 32 sides that were freed, about 1 in 5. A second operation "
            "helped them.",
            "S39",
        ),
        para(
            "Sometimes the surgeon cuts the nerve instead of freeing it.",
            "S39",
            "S40",
        ),
        para(
            "One expert chooses surgery when blocks do not work well. He says that people with "
            "new pain do better, and so do people whose relief after a block lasts longer, such "
            "as more than 3 days. This is his opinion. No published study has confirmed it.",
            "E6",
        ),
    ),
    grades=True,
)

HEAT = Section(
    "Step 3: heat treatment (radiofrequency)",
    paras=(
        para(
            "A needle with a heated tip is placed next to the nerve, to stop it sending pain. "
            "Doctors call this radiofrequency treatment.",
            "S51",
            "S52",
        ),
        para(
            "One expert uses it if pain stays or comes back after surgery. This is his opinion.",
            "E7",
        ),
        para(
            "One proposed plan puts heat treatment before surgery instead. There is no agreed "
            "order.",
            "S55",
        ),
        para(
            "Small studies report relief. In one, 78 in 100 people still had relief about 3 "
            "months later. In another, all 11 people had less pain, but some needed more "
            "treatment later. It is not confirmed who wrote these studies or where they were "
            "published.",
            "S51",
            "S52",
        ),
    ),
    grades=True,
)

OTHER = Section(
    "Other treatments being studied",
    paras=(
        para(
            "Fluid can be injected around the nerve to free it. In one study, this helped 28 of "
            "36 people at first. The pain came back in 7 of them.",
            "S47",
        ),
        para(
            "A trial that compares heat treatment with physiotherapy has finished. Its results "
            "are not yet known to us.",
            "S43",
        ),
    ),
    grades=True,
)

BEFORE_SURGERY = Section(
    "Before surgery on your spine or pelvis",
    paras=(
        para(
            "If you are offered fusion surgery on your spine or on your sacroiliac joint for "
            "this kind of pain, ask if your cluneal nerves have been checked.",
            "S3",
            "S15",
        ),
        para(
            "If the problem is missed before spine surgery, the pain can stay after it.",
            "S3",
        ),
        para(
            "One expert warns spine surgeons to avoid spine or sacroiliac surgery that is not "
            "needed. This is his opinion.",
            "E10",
        ),
    ),
    links=(("/directory/", "Find a clinician who knows this condition"),),
    grades=True,
)


def build(pack: KnowledgePack) -> Page:
    return Page(
        title="How it is treated",
        lede=para(
            "Treatment goes step by step. Under each step you can see how strong the evidence "
            "is. Most studies are small. Your clinician will help you choose."
        ),
        sections=(SERIOUS, BLOCKS, ACTIVE, SURGERY, HEAT, OTHER, BEFORE_SURGERY),
    )
