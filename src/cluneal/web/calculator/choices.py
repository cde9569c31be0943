"""The case vocabulary as the form's choices: (value, label) in the order the form shows them."""

from __future__ import annotations

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.vocabulary import LABELS


def labelled(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, LABELS[value]) for value in values]


CHOICES = {
    "pain_sites": labelled(v.PAIN_SITES),
    "aggravating": labelled(v.AGGRAVATING),
    "procedures": labelled(v.PROCEDURES),
    "conditions": labelled(v.CONDITIONS),
    "red_flags": labelled(v.RED_FLAGS),
    "treatment_kinds": labelled(v.TREATMENT_KINDS),
    "outcomes": labelled(v.OUTCOMES),
    "sexes": labelled(v.SEXES),
    "nerves": labelled(v.NERVES),
    "sides": labelled(v.SIDES),
}
