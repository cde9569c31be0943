"""Review-of-systems and red-flag checklists: a value speaks for its own item, and only for it.

The family: items (red-flag phrasings and other concepts) x negative values x separators x
layouts. In every layout but "alone", the negated item sits between two neighbours answered
"yes", "positive", "present" or "+", which must stay asserted: a forward "no" must not reach the
next item, and a backward "- no" must not reach the one before.
"""

from __future__ import annotations

import itertools
from functools import cache

import pytest

from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find

ITEMS = (
    ("Saddle anaesthesia", "red_flag"),
    ("Saddle numbness", "red_flag"),
    ("Urinary retention", "red_flag"),
    ("Bladder or bowel dysfunction", "red_flag"),
    ("Bowel/bladder incontinence", "red_flag"),
    ("Faecal incontinence", "red_flag"),
    ("Cauda equina symptoms", "red_flag"),
    ("Progressive weakness", "red_flag"),
    ("Bladder/bowel", "red_flag"),
    ("Buttock pain", "buttock_pain"),
    ("Leg pain", "leg_symptoms"),
    ("Low back pain", "low_back_pain"),
    ("Sciatica", "radiculopathy"),
    ("Groin pain", "groin_pain"),
)
NEGATIVE = ("no", "none", "nil", "negative", "neg", "denies", "denied", "absent", "normal")
NEGATIVE += ("not present",)
POSITIVE = ("yes", "positive", "present", "+")
SEPARATORS = (": ", " - ", " – ", " — ", "\t", " : ")
LAYOUTS = ("alone", "alone, capitalised", "commas", "semicolons", "tabs", "under a header")


def note(layout: str, entries: list[str]) -> str:
    if layout == "commas":
        return ", ".join(entries)
    if layout == "semicolons":
        return "; ".join(entries)
    if layout == "tabs":
        return "\t".join(entries)
    return "RED FLAGS:\n" + "\n".join(entries)


def case(item: int, value: str, separator: str, layout: str) -> tuple[str, list[tuple[int, int]]]:
    """The note, and the character range of each entry's item (the negated one first)."""
    text = ITEMS[item][0]
    if layout.startswith("alone"):
        if layout.endswith("capitalised"):
            value = value.capitalize() + "."
        return text + separator + value, [(0, len(text))]
    before, after = ITEMS[(item + 1) % len(ITEMS)][0], ITEMS[(item + 2) % len(ITEMS)][0]
    yes = POSITIVE[(item + len(value)) % len(POSITIVE)]
    also = POSITIVE[(item + len(separator)) % len(POSITIVE)]
    entries = [before + separator + yes, text + separator + value, after + separator + also]
    full = note(layout, entries)
    ranges = []
    for entry, name in zip(entries, (before, text, after), strict=True):
        start = full.index(entry)
        ranges.append((start, start + len(name)))
    return full, [ranges[1], ranges[0], ranges[2]]


CASES = list(itertools.product(range(len(ITEMS)), NEGATIVE, SEPARATORS, LAYOUTS))


@cache
def findings() -> dict[str, list[Finding]]:
    texts = sorted({case(*c)[0] for c in CASES})
    return dict(zip(texts, find(texts), strict=True))


def at(found: list[Finding], span: tuple[int, int]) -> list[Finding]:
    return [f for f in found if span[0] <= f.start < span[1]]


def test_the_family_is_large() -> None:
    assert len(CASES) == 14 * 10 * 6 * 6 == 5040


def wrong(item: int, value: str, separator: str, layout: str) -> str | None:
    """What the pipeline got wrong in one note of the family, or None."""
    text, ranges = case(item, value, separator, layout)
    found = findings()[text]
    want = [(ITEMS[(item + k) % len(ITEMS)][1], k == 0) for k in range(len(ranges))]
    got = [[(f.concept, f.negated) for f in at(found, span)] for span in ranges]
    return None if got == [[w] for w in want] else f"{text!r}: {got} not {want}"


@pytest.mark.parametrize(
    ("value", "separator", "layout"), itertools.product(NEGATIVE, SEPARATORS, LAYOUTS)
)
def test_a_negative_value_negates_its_own_item_only(
    value: str, separator: str, layout: str
) -> None:
    """Each item in turn, negated, with (but for "alone") asserted neighbours either side."""
    assert [w for i in range(len(ITEMS)) if (w := wrong(i, value, separator, layout))] == []


def flags(text: str) -> list[tuple[str, str, bool]]:
    return [(f.concept, f.text, f.negated) for f in find([text])[0]]


def test_it_reads_a_tab_separated_row() -> None:
    assert flags("Fever\tno\tUrinary retention\tyes\tSaddle anaesthesia\tnil") == [
        ("red_flag", "Urinary retention", False),
        ("red_flag", "Saddle anaesthesia", True),
    ]


def test_a_forward_no_stops_at_the_next_entry() -> None:
    assert flags("No saddle anaesthesia, urinary retention: yes") == [
        ("red_flag", "saddle anaesthesia", True),
        ("red_flag", "urinary retention", False),
    ]


def test_a_backward_no_reaches_its_own_item_only() -> None:
    assert flags("Urinary retention, saddle anaesthesia - no") == [
        ("red_flag", "Urinary retention", False),
        ("red_flag", "saddle anaesthesia", True),
    ]


def test_no_with_a_full_stop_is_a_value() -> None:
    assert flags("Sciatica: No. Buttock pain: yes.") == [
        ("radiculopathy", "Sciatica", True),
        ("buttock_pain", "Buttock pain", False),
    ]


def test_prose_with_a_dash_is_no_checklist() -> None:
    assert flags("He has low back pain - no radiation to the legs.") == [
        ("low_back_pain", "low back pain", False),
        ("leg_symptoms", "radiation to the legs", True),
    ]


def test_a_phrase_does_not_run_from_one_entry_into_the_next() -> None:
    assert flags("Leg pain - yes, Buttock pain - no") == [
        ("leg_symptoms", "Leg pain", False),
        ("buttock_pain", "Buttock pain", True),
    ]


def test_a_checklist_only_item_is_no_finding_in_prose() -> None:
    assert flags("The bowel and bladder were retracted; the cauda equina was decompressed.") == []
    assert flags("Bladder/bowel: normal. Cauda equina: positive") == [
        ("red_flag", "Bladder/bowel", True),
        ("red_flag", "Cauda equina", False),
    ]
