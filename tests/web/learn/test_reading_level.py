"""The patient pages stay readable: Flesch-Kincaid grade of each page's main text, measured by
textstat, at or below MAX_GRADE. The citations, the reference list, the menu, the diagram and
the section written for the clinician are left out: they are not the text a patient reads.

textstat 0.7.13 counts syllables with NLTK's CMU dictionary, which it downloads on first use;
the tests run offline, so syllables come from textstat's own fallback, the Pyphen en_US
hyphenation dictionary (the method textstat used before it adopted the CMU dictionary).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import textstat
from django.test import Client
from textstat.backend.counts import _count_syllables

#: The US school grade a patient page may reach (grade 8: age 13 to 14).
MAX_GRADE = 8.0

SKIP_CLASSES = {"cites", "for-clinician", "references", "learn-nav"}
SKIP_TAGS = {"svg", "nav", "script", "style", "head"}
BLOCKS = {"p", "li", "h1", "h2", "h3", "legend", "label", "figcaption", "button", "dt", "dd"}
VOID = {"input", "br", "img", "meta", "link", "hr", "circle", "path", "rect", "line"}


class _MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = 0  # depth within <article id="learn-text">
        self.skipping = 0  # depth within a skipped element
        self.blocks: list[list[str]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        if self.inside == 0:
            self.inside = 1 if a.get("id") == "learn-text" else 0
            return
        self.inside += 1
        classes = set((a.get("class") or "").split())
        if self.skipping or tag in SKIP_TAGS or classes & SKIP_CLASSES:
            self.skipping += 1
        if tag in BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or self.inside == 0:
            return
        self.inside -= 1
        if self.skipping:
            self.skipping -= 1
        if tag in BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if self.inside and not self.skipping:
            self.blocks[-1].append(data)


def main_text(html: str) -> str:
    """The text a patient reads, one block a line, each ending as a sentence."""
    parser = _MainText()
    parser.feed(html)
    lines = []
    for block in parser.blocks:
        text = re.sub(r"\s+", " ", "".join(block)).strip()
        if text:
            lines.append(text if text[-1] in ".?!:" else text + ".")
    return "\n".join(lines)


def grade(text: str) -> float:
    original = _count_syllables.get_cmudict
    _count_syllables.get_cmudict = lambda lang: None  # Pyphen only: no download attempted
    try:
        return float(textstat.flesch_kincaid_grade(text))
    finally:
        _count_syllables.get_cmudict = original


FLAGS_NO = {
    "flag_saddle_anaesthesia": "no",
    "flag_bladder_or_bowel_dysfunction": "no",
    "flag_progressive_neurological_deficit": "no",
    "flag_suspected_infection": "no",
    "flag_suspected_malignancy": "no",
    "flag_suspected_fracture": "no",
}
ANSWERS = {
    "where": ["low_back", "buttock"],
    "press_crest": "unsure",
    "press_sacrum": "yes",
    "worse_with": ["walking"],
    "duration": "short",
    **FLAGS_NO,
}


@pytest.fixture
def client() -> Client:
    return Client()


def test_the_measure_tells_plain_words_from_jargon():
    plain = "Pressing a spot on your back can bring on the pain. Tell your doctor."
    jargon = (
        "Entrapment neuropathy of the superior cluneal nerves at the osteofibrous tunnel "
        "necessitates ultrasonographically guided infiltration of local anaesthetic."
    )
    assert grade(plain) <= MAX_GRADE < grade(jargon)


def test_the_main_text_leaves_out_citations_menu_and_references():
    html = (
        '<nav class="learn-nav">Menu words</nav><article id="learn-text"><h1>Title</h1>'
        '<p>Short words here <span class="cites">[<a>S1</a>]</span></p>'
        '<section class="for-clinician"><p>Palpation of the tender point</p></section>'
        '<svg><text>label</text></svg></article><section class="references">Kuniya</section>'
    )
    assert main_text(html) == "Title.\nShort words here."


PAGES = ["/learn/", "/learn/exam", "/learn/treatment", "/learn/self-check"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_reads_at_grade_8_or_below(client, path):
    text = main_text(client.get(path).content.decode())
    assert len(text.split()) > 100, text
    assert grade(text) <= MAX_GRADE, text


@pytest.mark.parametrize(
    "change",
    [
        {},  # worth asking
        {"where": ["leg"], "press_crest": "no", "press_sacrum": "no"},  # not typical
        {"flag_saddle_anaesthesia": "yes", "flag_suspected_malignancy": "yes"},  # urgent
    ],
)
def test_each_self_check_result_reads_at_grade_8_or_below(client, change):
    response = client.post("/learn/self-check", {**ANSWERS, **change})
    assert response.status_code == 200
    assert grade(main_text(response.content.decode())) <= MAX_GRADE
