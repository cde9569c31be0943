"""The self-check page through Django's test client: the three results, and bad input named."""

from __future__ import annotations

import re

import pytest
from django.test import Client

FLAGS_NO = {
    "flag_saddle_anaesthesia": "no",
    "flag_bladder_or_bowel_dysfunction": "no",
    "flag_progressive_neurological_deficit": "no",
    "flag_suspected_infection": "no",
    "flag_suspected_malignancy": "no",
    "flag_suspected_fracture": "no",
}
TYPICAL = {
    "where": ["low_back", "buttock"],
    "press_crest": "yes",
    "press_sacrum": "no",
    "worse_with": ["bending", "walking"],
    "duration": "long",
    **FLAGS_NO,
}
ATYPICAL = {**TYPICAL, "where": ["leg"], "press_crest": "no", "worse_with": ["none"]}


@pytest.fixture
def client() -> Client:
    return Client()


def outcome(html: str) -> str | None:
    found = re.search(r'data-outcome="(\w+)"', html)
    return found.group(1) if found else None


def problems(html: str) -> set[str]:
    return set(re.findall(r'<li data-field="(\w+)">', html))


def test_the_form_needs_no_login_and_asks_every_question(client):
    response = client.get("/learn/self-check")
    assert response.status_code == 200
    html = response.content.decode()
    assert outcome(html) is None
    for name in ["where", "press_crest", "press_sacrum", "worse_with", "duration", *FLAGS_NO]:
        assert f'name="{name}"' in html
    assert "Have you ever had cancer?" in html


def test_every_choice_has_a_label(client):
    html = client.get("/learn/self-check").content.decode()
    ids = re.findall(
        r'<input type="(?:radio|checkbox)" name="\w+" value="\w+"[^>]* id="(\w+)"', html
    )
    assert len(ids) == 6 + 3 + 3 + 6 + 2 + 2 * len(FLAGS_NO)
    labelled = set(re.findall(r'<label for="(\w+)">', html))
    assert set(ids) <= labelled


def test_a_typical_pattern_says_ask_your_clinician_and_links_the_directory(client):
    response = client.post("/learn/self-check", TYPICAL)
    assert response.status_code == 200
    html = response.content.decode()
    assert outcome(html) == "ask"
    result = html[html.index('id="result"') : html.index("</section>", html.index('id="result"'))]
    assert "This is worth asking your clinician about" in result
    assert 'href="/directory/"' in result
    assert "not a diagnosis" in result


def test_the_clinicians_section_shows_the_packs_criteria_against_the_answers(client):
    html = client.post("/learn/self-check", TYPICAL).content.decode()
    assert 'data-criteria="kuniya2014_scn" data-fits="yes"' in html
    # Maigne's items (one side only, the trigger point, a block) are all the clinician's.
    assert 'data-criteria="maigne1997_scn" data-fits="no"' in html
    kuniya = html.split('data-criteria="kuniya2014_scn"')[1].split("</ul>")[0]
    # "Pressing brings on my usual pain" is the reproduction item only, not the tender point.
    assert re.search(r'data-check="tender_point"><strong>Left to the clinician', kuniya)
    assert re.search(r'data-check="reproduces_complaint"><strong>Fits the answers', kuniya)
    assert "Palpation of the tender point reproduces the chief complaint" in html


def test_an_atypical_pattern_says_so_without_ruling_it_out(client):
    html = client.post("/learn/self-check", ATYPICAL).content.decode()
    assert outcome(html) == "atypical"
    assert "does not sound like the typical pattern, but" in html
    assert "cannot rule it out" in html
    assert "worth asking your clinician about" not in html


def test_a_red_flag_overrides_a_typical_pattern_with_urgent_advice(client):
    html = client.post(
        "/learn/self-check", {**TYPICAL, "flag_bladder_or_bowel_dysfunction": "yes"}
    ).content.decode()
    assert outcome(html) == "urgent"
    assert "Please get medical help urgently" in html
    assert "Go to an emergency department now" in html
    assert "loss of bladder or bowel control" in html
    assert "worth asking your clinician about" not in html
    assert "for-clinician" not in html


def test_a_cancer_history_asks_for_a_doctor_today(client):
    html = client.post(
        "/learn/self-check", {**ATYPICAL, "flag_suspected_malignancy": "yes"}
    ).content.decode()
    assert outcome(html) == "urgent"
    assert "Contact a doctor today" in html and "emergency department now" not in html


def test_an_empty_form_is_a_400_naming_every_question(client):
    response = client.post("/learn/self-check", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert problems(html) == {
        "where",
        "press_crest",
        "press_sacrum",
        "worse_with",
        "duration",
    } | set(FLAGS_NO)
    assert "Please tick at least one place." in html
    assert outcome(html) is None


def test_one_unanswered_red_flag_is_named(client):
    data = {k: v for k, v in TYPICAL.items() if k != "flag_suspected_infection"}
    response = client.post("/learn/self-check", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert problems(html) == {"flag_suspected_infection"}
    assert "Do you have a fever" in html.split('<li data-field="flag_suspected_infection">')[1]


@pytest.mark.parametrize(
    ("field", "value"),
    [("where", "spleen"), ("press_crest", "maybe"), ("duration", "forever"), ("worse_with", "")],
)
def test_a_value_not_offered_is_a_400_naming_the_field(client, field, value):
    response = client.post("/learn/self-check", {**TYPICAL, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert problems(html) == {field}


def test_none_of_these_with_a_movement_is_refused(client):
    response = client.post("/learn/self-check", {**TYPICAL, "worse_with": ["none", "walking"]})
    assert response.status_code == 400
    assert problems(response.content.decode()) == {"worse_with"}
    assert b"Please tick one or the other." in response.content


def test_the_answers_are_kept_on_the_page_after_an_error(client):
    response = client.post("/learn/self-check", {**TYPICAL, "duration": ""})
    html = response.content.decode()
    assert re.search(r'name="press_crest" value="yes"[^>]*checked', html)


def test_answers_in_the_address_are_not_evaluated(client):
    query = "&".join(f"{k}={v}" for k, v in FLAGS_NO.items())
    html = client.get(f"/learn/self-check?where=low_back&press_crest=yes&{query}").content.decode()
    assert outcome(html) is None


def test_other_methods_are_refused(client):
    assert client.put("/learn/self-check").status_code == 405
    assert client.post("/learn/").status_code == 405
