"""A pasted note in the record: findings marked, fields suggested, nothing stored until saved."""

from __future__ import annotations

import re

import pytest

from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.models import Visit

NOTE = (
    "Referral: 58-year-old with left buttock pain and low back pain for 8 months. "
    "Status post L4-5 fusion in 2019. No saddle anaesthesia. "
    "We will consider SI joint fusion. Possible sacroiliac joint dysfunction."
)


def url(cast):
    return f"/records/{cast.patient.pk}/notes/read"


@pytest.mark.django_db
def test_the_note_is_highlighted_and_its_fields_suggested(cast):
    visits = Visit.objects.count()
    response = cast.client("alice").post(url(cast), {"text": NOTE})
    assert response.status_code == 200
    html = response.content.decode()
    marked = re.findall(r'<mark title="([^"]+)" data-finding="\d+">([^<]+)<sup>', html)
    assert ("buttock_pain left", "buttock pain") in marked
    assert any(what.startswith("red_flag") and "negated" in what for what, _ in marked)
    boxes = dict(re.findall(r'name="fill" value="([^"]+)"( checked)?', html))
    assert boxes["bm_back_left=buttock"] == " checked"
    assert boxes["prior=lumbar_fusion"] == " checked"
    # Doubted and negated findings are offered, never ticked.
    assert boxes["conditions=sacroiliac_joint_pain"] == ""
    assert boxes["red_flags=saddle_anaesthesia"] == ""
    assert Visit.objects.count() == visits
    event = AuditEvent.objects.filter(patient_id=cast.patient.pk, action="view").last()
    assert event is not None and NOTE not in str(event.changes)


@pytest.mark.django_db
def test_confirmed_fields_open_the_visit_form_filled_and_saving_it_keeps_the_note(cast):
    client = cast.client("alice")
    fill = ["bm_back_left=buttock", "prior=lumbar_fusion", "not_a_field=x", "red_flags=bogus"]
    response = client.post(url(cast), {"text": NOTE, "step": "fill", "fill": fill})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="/records/{cast.patient.pk}/visits/new"' in html
    assert re.search(r'name="bm_back_left" value="buttock"[^>]*checked', html)
    assert re.search(r'name="prior" value="lumbar_fusion"[^>]*checked', html)
    assert "not_a_field" not in html and "bogus" not in html
    assert NOTE in html
    saved = client.post(
        f"/records/{cast.patient.pk}/visits/new",
        {"date": "2026-11-20", "bm_back_left": "buttock", "prior": "lumbar_fusion", "notes": NOTE},
    )
    assert saved.status_code == 302
    visit = Visit.objects.get(patient=cast.patient, date="2026-11-20")
    assert visit.history["prior_procedures"] == ["lumbar_fusion"]
    assert visit.body_map == {"back": {"left": ["buttock"]}}
    assert visit.notes == NOTE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Paste the text of a note."),
        ("x" * 20_001, "a visit holds at most 20,000"),
        ("binary \x01\x02 data", "binary data"),
        # A NUL character is refused before any view reads the form (core.middleware).
        ("binary \x00\x01 data", "contains a NUL character (U+0000)"),
    ],
)
def test_an_empty_huge_or_binary_note_is_a_400(cast, text, message):
    response = cast.client("alice").post(url(cast), {"text": text})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("bob", 404), ("rita", 403), (None, 302)])
def test_only_the_patients_own_clinicians_may_read_a_note_into_the_record(cast, who, status):
    response = cast.client(who).post(url(cast), {"text": NOTE})
    assert response.status_code == status
