"""The screening reads plain-text notes with the notes pipeline, by the pack's note rules."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from cluneal.knowledge.loader import PackError, default_pack, load_pack
from cluneal.knowledge.model import NoteRule
from cluneal.nlp.finding import Finding, NoteError
from cluneal.screening.notes import counts, counts_as, decode, read_all, read_batch
from cluneal.screening.pipeline import screen

PACK = default_pack()


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode("ascii")


def finding(concept: str = "lumbar_fusion", **flags: bool) -> Finding:
    attributes = dict.fromkeys(
        ("negated", "historical", "hypothetical", "uncertain", "family"), False
    )
    return Finding(concept, "fusion", 0, 6, None, section=None, **(attributes | flags))


@pytest.mark.parametrize(
    ("content_type", "data", "why"),
    [
        ("application/pdf", b64("x"), "not plain text (application/pdf)"),
        (None, b64("x"), "not plain text (no content type)"),
        ("text/plain", None, "no inline data"),
        ("text/plain", "not base64!", "not valid base64"),
        ("text/plain", base64.b64encode(b"caf\xe9").decode(), "not UTF-8"),
        ("text/plain", b64("a\x00b"), "binary data"),
    ],
)
def test_a_note_that_cannot_be_read_says_why(content_type, data, why):
    with pytest.raises(NoteError, match=re.escape(why)):
        decode(content_type, data)


def test_a_declared_charset_is_honoured():
    assert decode("text/plain; charset=ISO-8859-1", b64("café", "latin-1")) == "café"
    assert decode("text/plain;charset=utf-8", b64("café")) == "café"


@pytest.mark.parametrize(
    ("flags", "when", "counts_"),
    [
        ({}, "current", True),
        ({"historical": True}, "current", False),
        ({"historical": True}, "past_or_current", True),
        ({"negated": True}, "past_or_current", False),
        ({"family": True}, "current", False),
        ({"uncertain": True}, "current", False),
        ({"hypothetical": True}, "current", False),
        ({"hypothetical": True}, "planned", True),
        ({}, "planned", False),
        ({"hypothetical": True, "uncertain": True}, "planned", False),
    ],
)
def test_which_findings_count_for_a_rule(flags, when, counts_):
    assert counts_as(finding(**flags), NoteRule("lumbar_fusion", "f", when)) is counts_
    assert not counts_as(finding("radiculopathy", **flags), NoteRule("lumbar_fusion", "f", when))


def test_a_batch_maps_findings_to_features_and_quotes_them():
    rows = [
        ("n1", "p1", "text/plain", b64("Tender over the left posterior iliac crest."), None),
        ("n2", "p2", "text/plain", b64("We will consider an L4-5 fusion if this fails."), None),
        ("n3", "p3", "text/plain", b64("No buttock pain. Mother had sciatica."), None),
        ("n4", "p4", "application/pdf", b64("%PDF"), None),
    ]
    hits = list(read_batch(rows, PACK))
    assert ("p1", "buttock_or_iliac_crest_pain", "DocumentReference/n1") in {h[:3] for h in hits}
    quote = next(h[3] for h in hits if h[0] == "p1")
    assert "iliac crest" in quote.lower()
    assert {h[1] for h in hits if h[0] == "p2"} == {"planned_fusion"}
    assert not [h for h in hits if h[0] == "p3"]
    assert counts(hits, notes=4).read == 3
    assert counts(hits, notes=4).examples == (
        "DocumentReference/n4: not plain text (application/pdf)",
    )


AS_OF = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "written", "feature"),
    [
        (
            "New urinary retention since Monday.",
            "2026-11-20",
            "red_flag_note:bladder_or_bowel_dysfunction",
        ),
        ("She has saddle anaesthesia.", "2026-11-20T09:00:00Z", "red_flag_note:saddle_anaesthesia"),
        (
            "Metastatic breast cancer, on chemotherapy.",
            "2022-06-01",
            "red_flag_note:suspected_malignancy",
        ),
        ("Fever and back pain for three days.", "2026-10-01", "red_flag_note:suspected_infection"),
        (
            "Progressive weakness of both legs.",
            None,
            "red_flag_note:progressive_neurological_deficit",
        ),
        # older than the red flag's window: saddle anaesthesia counts 1 year, malignancy 5
        ("She has saddle anaesthesia.", "2025-11-01", None),
        ("Metastatic breast cancer, on chemotherapy.", "2021-11-01", None),
        # not current: negated, a relative's, uncertain, hypothetical
        ("No saddle anaesthesia, no bladder or bowel dysfunction.", "2026-11-20", None),
        ("Her mother had breast cancer.", "2026-11-20", None),
        ("Possible cauda equina syndrome.", "2026-11-20", None),
        ("Return if you develop urinary retention.", "2026-11-20", None),
    ],
)
def test_a_red_flag_in_a_note_counts_when_current_and_recent(text, written, feature):
    hits = list(read_batch([("n1", "p1", "text/plain", b64(text), written)], PACK, AS_OF))
    flags = {h[1] for h in hits if h[1] and h[1].startswith("red_flag")}
    assert flags == ({feature} if feature else set())


def test_a_site_pack_may_not_map_an_unknown_concept_or_feature(tmp_path: Path):
    notes = [{"concept": "sore_feet", "feature": "nothing", "when": "sometimes"}]
    screening = json.loads(
        resources.files("cluneal.knowledge").joinpath("data", "screening.json").read_text()
    )["screening"]
    site = tmp_path / "site.json"
    site.write_text(
        json.dumps(
            {
                "extends": "cluneal-default",
                "name": "s",
                "version": "1",
                "screening": {**screening, "notes": notes},
            }
        )
    )
    with pytest.raises(PackError) as exc:
        load_pack(site)
    paths = {p.path for p in exc.value.problems}
    assert paths == {
        "screening.notes[0].concept",
        "screening.notes[0].feature",
        "screening.notes[0].when",
    }


def export_with_note(root: Path, text: str) -> Path:
    """A one-patient export: chronic low back pain coded, and one note."""
    root.mkdir()
    patient = {"resourceType": "Patient", "id": "p1"}
    coding = {"system": "http://snomed.info/sct", "code": "278860009"}
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [coding]},
        "onsetDateTime": "2020-01-01",
        "recordedDate": "2020-01-01",
    }
    note = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "subject": {"reference": "Patient/p1"},
        "date": "2023-01-01T00:00:00Z",
        "content": [{"attachment": {"contentType": "text/plain", "data": b64(text)}}],
    }
    for kind, resource in (
        ("Patient", patient),
        ("Condition", condition),
        ("DocumentReference", note),
    ):
        (root / f"{kind}.000.ndjson").write_text(json.dumps(resource) + "\n")
    return root


def test_a_note_adds_a_feature_and_its_reason_quotes_the_note(tmp_path: Path):
    export = export_with_note(
        tmp_path / "export", "Exquisite tenderness over the right iliac crest."
    )
    out = tmp_path / "out.csv"

    screen(export, out, PACK, as_of=dt.date(2023, 6, 1))
    [row] = list(csv.DictReader(out.open()))
    assert (
        "Buttock or iliac-crest pain (\u201ctenderness over the right iliac crest\u201d) +3"
        in row["reasons"]
    )
    assert "DocumentReference/d1" in row["evidence"].split(" ")


def test_a_note_is_skipped_once_whatever_its_attachments():
    rows = [
        ("p1", None, "DocumentReference/n1", "not plain text (application/pdf)"),
        ("p1", None, "DocumentReference/n1", "not plain text (image/png)"),
        ("p2", "sacroiliac", "DocumentReference/n2", "SIJ pain"),
    ]
    got = counts(rows, notes=2)
    assert (got.read, got.skipped) == (1, 1)
    assert got.examples == ("DocumentReference/n1: not plain text (application/pdf)",)


def mixed_rows(n: int) -> list[tuple[str, str, str, str, str | None]]:
    """``n`` note rows that cycle through findings, red flags, nothing and unreadable notes."""
    texts = [
        ("text/plain", b64("Tender over the left posterior iliac crest; pain into the buttock.")),
        ("text/plain", b64("We will consider an L4-5 fusion if this fails.")),
        ("text/plain", b64("New urinary retention since Monday.")),
        ("text/plain", b64("Follow-up for hypertension. No complaints.")),
        ("application/pdf", b64("%PDF")),
    ]
    return [(f"n{i}", f"p{i % 97}", *texts[i % len(texts)], "2026-11-20") for i in range(n)]


@pytest.mark.parametrize("parallel_from", [1, 10_000])
def test_notes_read_in_worker_processes_give_the_same_hits_in_the_same_order(parallel_from):
    rows = mixed_rows(700)  # three batches: in flight across two workers, out of step
    alone = list(read_all(rows, PACK, AS_OF))
    assert len({h[1] for h in alone}) >= 4  # features, red flags and skipped notes
    shared = list(read_all(iter(rows), PACK, AS_OF, workers=2, parallel_from=parallel_from))
    assert shared == alone
