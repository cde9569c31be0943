"""The services read the patient's recent notes: a finding counts as the chart feature it shows
and is quoted with the note's date, a red flag in a note stops every card, a cluneal block in a
note counts as an evaluation, and what is not read (not plain text, by URL only, over the byte
budget) is named in the response; the next page of a notes search is followed within limits."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client

from cluneal.web.cds import notes as notes_module

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"
TODAY = dt.date.today()
EXTENSION = "org.cluneal.notes"
BUTTOCK_NOTE = "Exam: point tenderness over the left iliac crest reproducing her pain."
QUIET_NOTE = "Follow-up for hypertension. Blood pressure well controlled."


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def note(rid: str, text: str | None, *, days: int = 10, **attachment: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"contentType": "text/plain; charset=utf-8"}
    if text is not None:
        found["data"] = base64.b64encode(text.encode()).decode()
    found.update(attachment)
    return {
        "resourceType": "DocumentReference",
        "id": rid,
        "status": "current",
        "date": days_ago(days) + "T10:00:00Z",
        "subject": {"reference": "Patient/p1"},
        "content": [{"attachment": found}],
    }


def with_notes(body: dict[str, Any], *documents: dict[str, Any], **bundle: Any) -> dict[str, Any]:
    body["prefetch"]["notes"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": d} for d in documents],
        **bundle,
    }
    return body


def answer(response) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.mark.django_db
def test_a_finding_in_a_note_raises_the_card_quoting_the_note_with_its_date(client, ehr, fhir):
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP]),
        note("n1", QUIET_NOTE, days=3),
        note("n2", BUTTOCK_NOTE, days=12),
    )
    found = answer(ehr.post(client, PV, body))
    [card] = found["cards"]
    assert "buttock or iliac-crest pain" in card["summary"]
    assert (
        "buttock or iliac-crest pain: “tenderness over the left iliac crest” "
        f"(note of {days_ago(12)}, DocumentReference/n2)"
    ) in card["detail"]
    assert found["extension"][EXTENSION] == {
        "read": 2,
        "readBytes": len(QUIET_NOTE) + len(BUTTOCK_NOTE),
        "budgetBytes": 500_000,
        "skipped": [],
    }


@pytest.mark.django_db
def test_back_pain_and_a_feature_from_notes_alone_raise_the_card(client, ehr, fhir):
    text = "Chronic low back pain for two years. She has pain in the left buttock."
    body = with_notes(fhir.request("patient-view"), note("n1", text))
    [card] = answer(ehr.post(client, PV, body))["cards"]
    assert f"back pain: “low back pain” (note of {days_ago(10)}" in card["detail"]


@pytest.mark.django_db
def test_a_note_feature_raises_the_order_sign_warning(client, ehr, fhir):
    drafts = [fhir.order("d1", fhir.CPT, "27279", "Sacroiliac joint fusion")]
    body = with_notes(
        fhir.request("order-sign", conditions=[fhir.LBP], drafts=drafts),
        note("n1", BUTTOCK_NOTE),
    )
    [card] = answer(ehr.post(client, OS, body))["cards"]
    assert card["indicator"] == "warning"
    assert "DocumentReference/n1" in card["detail"]


@pytest.mark.parametrize(
    ("text", "days", "why"),
    [
        ("She reports new urinary incontinence since yesterday.", 20, "cauda equina symptoms"),
        ("Known metastatic breast cancer to the spine.", 3 * 365, "malignancy, 5-year window"),
    ],
)
@pytest.mark.django_db
def test_a_red_flag_in_a_recent_note_stops_every_card(client, ehr, fhir, text, days, why):
    drafts = [fhir.order("d1", fhir.CPT, "27279", "Sacroiliac joint fusion")]
    for path, hook in ((PV, "patient-view"), (OS, "order-sign")):
        body = fhir.request(hook, conditions=[fhir.LBP, fhir.BUTTOCK], drafts=drafts)
        body = with_notes(body, note("n1", text, days=days))
        assert answer(ehr.post(client, path, body))["cards"] == [], why


@pytest.mark.django_db
def test_a_red_flag_in_a_note_older_than_its_window_does_not_stop_the_card(client, ehr, fhir):
    text = "She reports new urinary incontinence since yesterday."
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK]),
        note("n1", text, days=2 * 365),
    )
    assert len(answer(ehr.post(client, PV, body))["cards"]) == 1


@pytest.mark.django_db
def test_a_denied_red_flag_in_a_note_does_not_stop_the_card(client, ehr, fhir):
    text = "No bowel or bladder incontinence. No saddle anesthesia."
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK]), note("n1", text)
    )
    assert len(answer(ehr.post(client, PV, body))["cards"]) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Superior cluneal nerve block performed on the left with 80% relief.",
        "Patient has a history of cluneal nerve entrapment.",
    ],
)
@pytest.mark.django_db
def test_a_cluneal_block_or_entrapment_in_a_note_counts_as_evaluated(client, ehr, fhir, text):
    drafts = [fhir.order("d1", fhir.CPT, "27279", "Sacroiliac joint fusion")]
    for path, hook in ((PV, "patient-view"), (OS, "order-sign")):
        body = fhir.request(hook, conditions=[fhir.LBP, fhir.BUTTOCK], drafts=drafts)
        body = with_notes(body, note("n1", text))
        assert answer(ehr.post(client, path, body))["cards"] == []


@pytest.mark.django_db
def test_a_planned_block_in_a_note_is_no_evaluation(client, ehr, fhir):
    text = "Plan: we will consider a cluneal nerve block."
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK]), note("n1", text)
    )
    assert len(answer(ehr.post(client, PV, body))["cards"]) == 1


@pytest.mark.django_db
def test_notes_not_read_are_named_with_the_reason_and_the_rest_still_counts(
    client, ehr, fhir, settings, caplog
):
    settings.CLUNEAL_CDS_NOTES_MAX_BYTES = 1_000
    big = "Follow-up visit. " * 100  # 1,700 bytes
    pdf = note("pdf", None, days=1, contentType="application/pdf", data="JVBERi0xLjQK")
    by_url = note("url", None, days=2, url="https://ehr.example.org/Binary/9")
    error = {**note("err", BUTTOCK_NOTE, days=3), "status": "entered-in-error"}
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP]),
        note("big", big, days=4),
        pdf,
        by_url,
        error,
        note("n1", BUTTOCK_NOTE, days=20),
    )
    found = answer(ehr.post(client, PV, body))
    assert len(found["cards"]) == 1, "the note within the budget is read"
    log = found["extension"][EXTENSION]
    assert (log["read"], log["readBytes"], log["budgetBytes"]) == (1, len(BUTTOCK_NOTE), 1_000)
    assert log["skipped"] == [
        {"reference": "DocumentReference/pdf", "reason": "not plain text (application/pdf)"},
        {"reference": "DocumentReference/url", "reason": "attachment by URL only (not fetched)"},
        {"reference": "DocumentReference/err", "reason": "entered in error"},
        {
            "reference": "DocumentReference/big",
            "reason": "1,700 bytes, over what is left of the budget (1,000 of 1,000 bytes, "
            "CLUNEAL_CDS_NOTES_MAX_BYTES)",
        },
    ]
    assert "DocumentReference/big" in caplog.text


@pytest.mark.parametrize(
    ("attachment", "reason"),
    [
        ({"data": "not base64!"}, "the data is not valid base64"),
        ({"data": base64.b64encode(b"\xff\xfe bad").decode()}, "not UTF-8"),
        ({"data": base64.b64encode(b"a\x00b").decode()}, "binary data"),
    ],
)
@pytest.mark.django_db
def test_an_attachment_that_is_no_text_is_skipped_never_an_error(
    client, ehr, fhir, attachment, reason
):
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK]),
        note("bad", None, **attachment),
    )
    found = answer(ehr.post(client, PV, body))
    assert len(found["cards"]) == 1
    [skipped] = found["extension"][EXTENSION]["skipped"]
    assert skipped["reference"] == "DocumentReference/bad"
    assert reason in skipped["reason"]


@pytest.mark.django_db
def test_without_notes_the_answer_is_as_before(client, ehr, fhir):
    body = fhir.request("patient-view", conditions=[fhir.LBP, fhir.BUTTOCK])
    found = answer(ehr.post(client, PV, body))
    assert set(found) == {"cards"} and len(found["cards"]) == 1


@pytest.mark.django_db
def test_a_budget_of_zero_reads_no_notes(client, ehr, fhir, settings):
    settings.CLUNEAL_CDS_NOTES_MAX_BYTES = 0
    body = with_notes(fhir.request("patient-view", conditions=[fhir.LBP]), note("n1", BUTTOCK_NOTE))
    assert answer(ehr.post(client, PV, body)) == {"cards": []}


def search_page(fhir, *documents: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    page = fhir.bundle(*documents)
    if next_url:
        page["link"] = [{"relation": "next", "url": next_url}]
    return page


def chart_routes(fhir) -> dict[str, Any]:
    return {
        "/fhir/Patient/p1": fhir.PATIENT,
        "/fhir/Condition?patient=p1": fhir.bundle(fhir.LBP),
        "/fhir/Procedure?patient=p1": fhir.bundle(),
        "/fhir/ServiceRequest?patient=p1": fhir.bundle(),
    }


NOTES_QUERY = "/fhir/DocumentReference?patient=p1&_sort=-date&_count=20"


def fetching(fhir, server_url: str) -> dict[str, Any]:
    body = fhir.request("patient-view", prefetch=False)
    body["fhirServer"] = server_url
    body["fhirAuthorization"] = {"access_token": "opaque-token", "token_type": "Bearer"}
    return body


@pytest.mark.django_db
def test_notes_are_fetched_and_the_next_page_followed(client, ehr, fhir, fhir_server):
    routes = chart_routes(fhir)
    server = fhir_server(routes)
    routes[NOTES_QUERY] = search_page(
        fhir, note("n1", QUIET_NOTE), next_url=f"{server.url}/DocumentReference?page=2"
    )
    routes["/fhir/DocumentReference?page=2"] = search_page(fhir, note("n2", BUTTOCK_NOTE))
    found = answer(ehr.post(client, PV, fetching(fhir, server.url)))
    assert len(found["cards"]) == 1
    assert "DocumentReference/n2" in found["cards"][0]["detail"]
    assert found["extension"][EXTENSION]["pages"] == 2
    assert [path for path, _ in server.seen if "DocumentReference" in path] == [
        NOTES_QUERY,
        "/fhir/DocumentReference?page=2",
    ]


@pytest.mark.django_db
def test_the_next_page_of_prefetched_notes_is_fetched(client, ehr, fhir, fhir_server):
    server = fhir_server(
        {"/fhir/DocumentReference?page=2": search_page(fhir, note("n2", BUTTOCK_NOTE))}
    )
    body = with_notes(
        fhir.request("patient-view", conditions=[fhir.LBP]),
        note("n1", QUIET_NOTE),
        link=[{"relation": "next", "url": f"{server.url}/DocumentReference?page=2"}],
    )
    body["fhirServer"] = server.url
    body["fhirAuthorization"] = {"access_token": "opaque-token", "token_type": "Bearer"}
    assert len(answer(ehr.post(client, PV, body))["cards"]) == 1


@pytest.mark.django_db
def test_paging_stops_at_the_page_limit_and_says_so(client, ehr, fhir, fhir_server):
    routes = chart_routes(fhir)
    server = fhir_server(routes)
    routes[NOTES_QUERY] = search_page(fhir, note("n0", QUIET_NOTE), next_url=f"{server.url}/p/1")
    for k in range(1, 10):
        routes[f"/fhir/p/{k}"] = search_page(
            fhir, note(f"n{k}", QUIET_NOTE), next_url=f"{server.url}/p/{k + 1}"
        )
    log = answer(ehr.post(client, PV, fetching(fhir, server.url)))["extension"][EXTENSION]
    assert log["pages"] == notes_module.MAX_PAGES and log["read"] == notes_module.MAX_PAGES
    assert log["problems"] == [f"more pages than {notes_module.MAX_PAGES}; the rest not fetched"]


@pytest.mark.django_db
def test_paging_stops_when_the_notes_fill_the_budget(client, ehr, fhir, fhir_server, settings):
    settings.CLUNEAL_CDS_NOTES_MAX_BYTES = 100
    routes = chart_routes(fhir)
    server = fhir_server(routes)
    routes[NOTES_QUERY] = search_page(
        fhir, note("n0", QUIET_NOTE * 3), next_url=f"{server.url}/p/1"
    )
    log = answer(ehr.post(client, PV, fetching(fhir, server.url)))["extension"][EXTENSION]
    assert log["problems"] == ["the budget is used; further pages not fetched"]
    assert not [path for path, _ in server.seen if path == "/fhir/p/1"]


@pytest.mark.django_db
def test_a_next_page_off_the_fhir_server_is_not_fetched(client, ehr, fhir, fhir_server):
    routes = chart_routes(fhir)
    server = fhir_server(routes)
    routes[NOTES_QUERY] = search_page(
        fhir, note("n0", QUIET_NOTE), next_url="http://169.254.169.254/latest/meta-data"
    )
    found = answer(ehr.post(client, PV, fetching(fhir, server.url)))
    [problem] = found["extension"][EXTENSION]["problems"]
    assert problem.startswith("the next page could not be had:")
    assert "is not under the FHIR server" in problem


@pytest.mark.django_db
def test_notes_the_fhir_server_cannot_give_leave_the_answer_to_the_chart(
    client, ehr, fhir, fhir_server
):
    routes = chart_routes(fhir)
    routes["/fhir/Condition?patient=p1"] = fhir.bundle(fhir.LBP, fhir.BUTTOCK)
    server = fhir_server(routes)  # no notes route: 404
    found = answer(ehr.post(client, PV, fetching(fhir, server.url)))
    assert len(found["cards"]) == 1
    [problem] = found["extension"][EXTENSION]["problems"]
    assert "could not be fetched" in problem and "404" in problem


@pytest.mark.django_db
def test_a_malformed_note_is_a_400_naming_its_field(client, ehr, fhir):
    document = note("n1", BUTTOCK_NOTE)
    document["content"][0]["attachment"]["data"] = 7
    body = with_notes(fhir.request("patient-view", conditions=[fhir.LBP]), document)
    response = ehr.post(client, PV, body)
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "path": "prefetch.notes.entry[0].resource.content[0].attachment.data",
            "message": "must be a string, not a number",
        }
    ]


def test_a_notes_findings_are_kept_per_text_and_found_again_the_same(settings):
    from cluneal.knowledge.loader import active_pack

    pack = active_pack()
    first = notes_module.findings_of([BUTTOCK_NOTE, QUIET_NOTE], pack)
    again = notes_module.findings_of([QUIET_NOTE, BUTTOCK_NOTE], pack)
    assert first == again[::-1] and first[0] and not first[1]
