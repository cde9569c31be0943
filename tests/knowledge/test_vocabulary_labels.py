"""Every value of the case vocabulary has one readable label, kept beside the vocabulary."""

from __future__ import annotations

from cluneal.knowledge import vocabulary as v


def test_every_value_the_forms_and_tables_show_has_a_label() -> None:
    shown = (
        *(v.PAIN_SITES, v.AGGRAVATING, v.PROCEDURES, v.CONDITIONS, v.RED_FLAGS),
        *(v.TREATMENT_KINDS, v.OUTCOMES, v.SEXES, v.NERVES, v.SIDES),
    )
    values = {value for group in shown for value in group}
    assert values - set(v.LABELS) == set()
    assert set(v.LABELS) - values == set()
    assert all(label and label[0].isupper() for label in v.LABELS.values())
