"""The printable visit summary / referral letter.

pypdf is not installed, so the PDF is built uncompressed and its content streams are searched:
core-font text is written as ``(text) Tj`` with ``(``, ``)`` and ``\\`` escaped.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from importlib.metadata import version

import pytest

from cluneal.knowledge.loader import active_pack
from cluneal.web.accounts.models import Site
from cluneal.web.records.assessment import record_assessment
from cluneal.web.records.models import Block, Patient, Treatment, Visit
from cluneal.web.records.pdf import latin1, summary_pdf, used_sources
from cluneal.web.records.timeline import timeline

D = dt.date


def pdf_text(text: str) -> bytes:
    """``text`` as fpdf2 writes it in a content stream."""
    raw = latin1(text).encode("latin-1")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@pytest.fixture
def site() -> Site:
    return Site.objects.create(name="Test clinic")


@pytest.fixture
def patient(site: Site) -> Patient:
    p = Patient.objects.create(site=site, record_number="R-077", birth_year=1958, sex="female")
    Visit.objects.create(
        patient=p,
        date=D(2026, 9, 20),
        current_nrs=8,
        history={
            "duration_months": 14,
            "aggravated_by": ["lumbar_flexion", "walking"],
            "leg_numbness_or_tingling": True,
            "planned_procedures": ["si_joint_fusion"],
            "red_flags": [],
        },
        body_map={"back": {"left": ["low_back", "iliac_crest", "buttock"]}},
        exam={
            "left": {
                "scn": {
                    "tender": True,
                    "distance_mm": 70,
                    "reproduces_complaint": True,
                    "radiation_on_pressure": True,
                },
                "mcn": {"tender": False},
            },
            "right": {"scn": {"tender": False}},
        },
        questionnaires={"odi": [2, 1, 3, 2, 2, None, 1, 0, 2, 3], "rmdq": [True] * 10},
    )
    for day, before, after in ((1, 8, 2), (15, 7, 1)):
        Block.objects.create(
            patient=p,
            date=D(2026, 10, day),
            nerve="scn",
            side="left",
            nrs_before=before,
            nrs_after=after,
            minutes_after=30,
            relief_days=4,
        )
    Treatment.objects.create(
        patient=p,
        date=D(2026, 11, 20),
        kind="surgical_release",
        nerve="scn",
        side="left",
        outcome="improved",
    )
    Visit.objects.create(patient=p, date=D(2026, 12, 1), current_nrs=2)
    return p


def build(patient: Patient, visit: Visit | None = None, compress: bool = False):
    assessment, problems = record_assessment(patient, visit.date if visit else None)
    assert assessment is not None, problems
    pack = active_pack()
    data = summary_pdf(
        patient,
        assessment,
        pack,
        timeline(patient),
        author="dr.who",
        visit=visit,
        compress=compress,
    )
    return data, assessment, pack


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the PDF must not fetch anything")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_network")
def test_it_is_a_pdf_with_the_patient_and_the_findings(patient: Patient) -> None:
    data, _, _ = build(patient)
    assert data.startswith(b"%PDF")
    for text in (
        "Cluneal nerve assessment - visit summary",
        "Record number: R-077",
        "Year of birth: 1958    Sex: female",
        "Author: dr.who",
        f"Date: {dt.date.today().isoformat()}",
        "Findings at the visit of 2026-12-01",  # the latest visit
        "Pain sites: left: low back, iliac crest, buttock; right: none",
        "Left SCN: tender: yes; 70 mm from the midline; reproduces complaint: yes",
        "Right MCN: not examined",
        "- 2026-11-20 surgical release, SCN left, outcome: improved",
    ):
        assert pdf_text(text) in data, text
    assert b"Name:" not in data
    # The blocks table: date, nerve, side, NRS before and after, relief % and days.
    cells = re.findall(rb"\(([^()]*)\) Tj", data)
    start = cells.index(b"2026-10-01")
    assert cells[start : start + 7] == [b"2026-10-01", b"SCN", b"left", b"8", b"2", b"75", b"4"]
    start = cells.index(b"2026-10-15")
    assert cells[start : start + 7] == [b"2026-10-15", b"SCN", b"left", b"7", b"1", b"86", b"4"]


@pytest.mark.django_db
def test_the_name_is_printed_only_when_set(patient: Patient) -> None:
    patient.name = "Zoë Smith – Jones"
    patient.save()
    data, _, _ = build(patient)
    assert b"Name: Zo\xeb Smith - Jones" in data  # latin-1, the en dash as a hyphen


@pytest.mark.django_db
def test_the_assessment_with_stage_and_criteria_titles(patient: Patient) -> None:
    data, a, pack = build(patient)
    assert a.nerve("scn", "left").stage == "maintenance"
    assert a.nerve("mcn", "right").stage == "examine"
    assert pdf_text("Left SCN: Maintenance") in data
    assert pdf_text("Right MCN: Examine the tender points") in data
    for n in a.nerves:
        title = pack.pathway.stages[n.stage].title
        assert pdf_text(f"{n.side.capitalize()} {n.nerve.upper()}: {title}") in data
        assert pdf_text(f"Status: {n.status};") in data
    titles = {c.id: c.title for c in pack.criteria}
    for c in a.criteria:
        status = c.status.replace("_", " ").upper()
        assert pdf_text(f"{c.side.capitalize()}: {status} - {titles[c.id]}") in data
    assert pdf_text("Left: MET - Suspected SCN disorder (Kuniya, Aota et al. 2014) [S1]") in data
    assert a.warnings and pdf_text("Before surgery") in data
    assert pdf_text("Oswestry Disability Index (ODI v2.1a): 35.6% (9 of 10 sections)") in data


def shown_text(data: bytes) -> str:
    """The letter's words in order, lines joined, so that a wrapped sentence can be found."""
    cells = re.findall(rb"\((.*?)(?<!\\)\) Tj", data)
    joined = b" ".join(c.replace(b"\\(", b"(").replace(b"\\)", b")") for c in cells)
    return re.sub(r"\s+", " ", joined.decode("latin-1"))


@pytest.mark.django_db
@pytest.mark.parametrize(("answered", "cautioned"), [(7, True), (8, False)])
def test_an_odi_with_few_sections_is_printed_with_a_caution(
    patient: Patient, answered: int, cautioned: bool
) -> None:
    # Fairbank [S103]: a caution, not a verdict; a minimum is UNCONFIRMED (evidence 7.2).
    visit = patient.visits.order_by("date").first()
    visit.questionnaires = {"odi": [2] * answered + [None] * (10 - answered)}
    visit.save()
    text = shown_text(build(patient)[0])
    assert f"40% ({answered} of 10 sections)" in text
    caution = f"Only {answered} of 10 sections answered (fewer than 8): interpret with caution."
    assert (caution in text) is cautioned
    assert ("[S103]" in text.split("(ODI v2.1a)")[1].split("Sources")[0]) is cautioned


@pytest.mark.django_db
def test_every_cited_source_is_listed_at_the_end_in_order(patient: Patient) -> None:
    data, a, pack = build(patient)
    ids = used_sources(a, pack)
    cited = {i for n in a.nerves for s in n.next_steps for i in s.sources}
    cited |= {i for c in a.criteria for i in c.sources} | set(pack.instruments["odi"].sources)
    assert cited <= set(ids)
    listing = data.index(pdf_text("Sources"))
    positions = []
    for sid in ids:
        src = pack.sources[sid]
        line = pdf_text(f"[{sid}] {src.short} - {src.grade_label}")
        assert line in data[listing:], sid
        positions.append(data.index(line, listing))
    assert positions == sorted(positions)
    assert pdf_text("[S1] Kuniya 2014 - primary source, quoted") in data
    # natural order: S3 before S10
    numbers = [int(i[1:]) for i in ids if i.startswith("S")]
    assert numbers == sorted(numbers)


@pytest.mark.django_db
def test_a_footer_on_every_page(patient: Patient) -> None:
    data, _, pack = build(patient)
    pages = len(re.findall(rb"/Type /Page\n", data))
    assert pages >= 2
    footer = pdf_text(
        f"Decision support for a clinician, not a diagnosis. Cluneal {version('cluneal')}, "
        f"knowledge pack {pack.name} {pack.version}."
    )
    assert data.count(footer) == pages
    for page in range(1, pages + 1):
        # fpdf2 writes the page total (the {nb} alias) as its own text run
        assert re.search(rb"Page %d/(\) Tj \()?%d\)" % (page, pages), data), page


@pytest.mark.django_db
def test_the_chart_has_its_dates_and_event_marks(patient: Patient) -> None:
    data, _, _ = build(patient)
    assert pdf_text("Pain and disability over time") in data
    for title in ("Pain (NRS 0-10)", "Roland-Morris (RMDQ 0-24)", "Oswestry (ODI 0-100 %)"):
        assert pdf_text(title) in data
    assert b"(20 Sep 2026) Tj" in data  # first tick: the first date of the record
    assert data.count(b"(B) Tj") == 2 and data.count(b"(S) Tj") == 1
    assert b"(RF) Tj" not in data


@pytest.mark.django_db
def test_a_given_visit_limits_the_findings_to_its_date(patient: Patient) -> None:
    first = patient.visits.get(date=D(2026, 9, 20))
    data, _, _ = build(patient, visit=first)
    assert pdf_text("Findings at the visit of 2026-09-20") in data
    assert pdf_text("Pain (NRS): 8/10") in data
    assert b"(2026-10-01) Tj" not in data  # blocks after the visit are not in its table
    assert pdf_text("- None recorded.") in data


@pytest.mark.django_db
def test_an_empty_record(site: Site) -> None:
    empty = Patient.objects.create(site=site, record_number="R-000")
    data, _, _ = build(empty)
    assert data.startswith(b"%PDF")
    for text in ("No visit recorded.", "No scores recorded yet.", "Year of birth: not recorded"):
        assert pdf_text(text) in data, text


@pytest.mark.django_db
def test_it_is_compressed_by_default(patient: Patient) -> None:
    data, _, _ = build(patient, compress=True)
    assert data.startswith(b"%PDF") and b"/FlateDecode" in data
    assert b"R-077" not in data


def test_latin1_replaces_typographic_signs() -> None:
    text = "a – b — c ≥ 3 ≤ 4 ± 1 × 2 ‘q’ “d” 5 µm … → ✓ 漢"
    assert latin1(text) == "a - b - c >= 3 <= 4 +/- 1 x 2 'q' \"d\" 5 um ... -> yes ?"
    assert latin1("Zoë") == "Zoë"  # latin-1 letters stay
