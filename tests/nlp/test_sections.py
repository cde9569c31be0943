"""The pipeline's section of each finding is the one medspaCy's Sectionizer assigns."""

from __future__ import annotations

from pathlib import Path

import pytest
from medspacy.section_detection import Sectionizer

from cluneal.nlp.pipeline import GROUP, _prune, pipeline
from cluneal.nlp.sections import section_rules

PIPELINE = pipeline()


def _texts(shared: Path) -> list[str]:
    rdata = pytest.importorskip("rdata")
    frame = rdata.read_rda(str(shared / "external/mtsamples/mtsamples.rda"))["mtsamples"]
    return [t for t in frame["transcription"] if isinstance(t, str) and t]


def test_sections_are_medspacys_on_every_mtsamples_note(shared: Path) -> None:
    sectionizer = Sectionizer(PIPELINE.nlp, rules=None)
    sectionizer.add(section_rules(PIPELINE.lexicon))
    compared = 0
    scoped = 0
    for doc in PIPELINE.nlp.pipe(_texts(shared), batch_size=64):
        spans = _prune(doc.spans.get(GROUP, ()), PIPELINE.suppresses)
        if not spans:
            continue
        doc.spans[GROUP] = spans
        ours = PIPELINE.sections.of(doc, spans)
        sectionizer(doc)
        assert ours == [s._.section_category for s in spans], doc.text[:200]
        compared += len(spans)
        scoped += sum(c == "risks" for c in ours)
    assert compared > 1000 and scoped > 0  # findings in scoped sections were compared too


def test_a_scoped_section_ends_after_its_tokens_and_text_before_a_header_has_none() -> None:
    text = "Buttock pain. Potential complications include " + "x " * 60 + "buttock pain."
    doc = PIPELINE.nlp(text)
    spans = _prune(doc.spans.get(GROUP, ()), PIPELINE.suppresses)
    assert [s.text for s in spans] == ["Buttock pain", "buttock pain"]
    assert PIPELINE.sections.of(doc, spans) == [None, None]
    near = PIPELINE.nlp("Potential complications include buttock pain.")
    near_spans = _prune(near.spans.get(GROUP, ()), PIPELINE.suppresses)
    assert PIPELINE.sections.of(near, near_spans) == ["risks"]
