"""The patient pages: they render without login, cite sources that exist in the pack, list those
sources, present the seed interview as one expert's opinion and unconfirmed facts as
unconfirmed, and follow the pack where it holds the numbers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cluneal.knowledge.loader import active_pack, with_settings
from cluneal.web.learn.content import PAGES, results
from cluneal.web.learn.content.text import Para

BUILT = [p for p in PAGES if p.build is not None]


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def pack():
    return active_pack()


def all_paras(pack) -> list[Para]:
    """Every paragraph of every page and of the self-check's texts."""
    paras: list[Para] = []
    for spec in BUILT:
        page = spec.build(pack)
        paras.append(page.lede)
        paras += [p for s in page.sections for p in s.all_paras]
    paras += [*results.INTRO, *results.HINTS.values(), results.FLAGS_INTRO, results.NOT_RELIABLE]
    return paras


def article(html: str) -> str:
    return html[html.index('<article id="learn-text"') : html.index("</article>")]


def cited(html: str) -> set[str]:
    return set(re.findall(r'<a class="cite" href="/evidence#(\w+)"', html))


def listed(html: str) -> set[str]:
    return set(re.findall(r'<li id="ref-(\w+)">', html))


@pytest.mark.parametrize("path", [p.url for p in PAGES])
def test_each_page_is_public_accessible_html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    assert re.search(rf'<a href="{re.escape(path)}" aria-current="page">', html)
    assert '<a href="/directory/">' in html


def test_every_source_id_in_the_texts_exists_in_the_pack(pack):
    ids = {s for p in all_paras(pack) for s in p.sources}
    assert ids  # the texts do cite
    assert ids - set(pack.sources) == set()


@pytest.mark.parametrize("path", [p.url for p in PAGES])
def test_each_citation_links_to_a_listed_source_with_its_title(client, pack, path):
    html = client.get(path).content.decode()
    ids = cited(article(html))
    assert ids and ids <= set(pack.sources)
    assert listed(html) == ids
    for sid in ids:
        entry = re.search(rf'<li id="ref-{sid}">(.*?)</li>', html, re.S).group(1)
        assert pack.sources[sid].short in entry.replace("&amp;", "&")


def test_statements_resting_only_on_the_interview_say_they_are_opinion(pack):
    expert = {sid for sid, s in pack.sources.items() if s.grade == "expert_opinion"}
    only_expert = [p for p in all_paras(pack) if p.sources and set(p.sources) <= expert]
    assert len(only_expert) >= 8
    for p in only_expert:
        assert "opinion" in p.text, p.text


def test_the_three_day_predictor_is_said_to_be_unconfirmed(client):
    html = client.get("/learn/treatment").content.decode()
    paragraph = next(p for p in re.findall(r"<p>(.*?)</p>", html, re.S) if "3 days" in p)
    assert "his opinion" in paragraph and "No published study has confirmed it" in paragraph
    assert "/evidence#E6" in paragraph


def test_one_in_eight_comes_with_its_sources_and_the_uncertainty(client):
    html = client.get("/learn/").content.decode()
    section = html[html.index('id="how-common-is-it"') :].split("</section>")[0]
    assert "Nobody knows for sure" in section
    assert "about one in eight" in section and "/evidence#S10" in section
    assert "as few as 2 in 100" in section and "/evidence#S3" in section
    assert "It is not a settled fact." in section


def test_medical_words_are_explained_where_first_used(client):
    pages = {p: client.get(p).content.decode() for p in ("/learn/", "/learn/exam")}
    words = {
        "/learn/": ["Cluneal", "iliac", "sacrum", "sacroiliac"],
        "/learn/exam": ["anaesthetic", "Tinel"],
    }
    for path, terms in words.items():
        text = re.sub(r'<span class="cites">.*?</span>', "", article(pages[path]), flags=re.S)
        paragraphs = re.findall(r"<p>(.*?)</p>", text, re.S)
        for term in terms:
            first = next(p for p in paragraphs if re.search(rf"\b{term}\b", p))
            assert "(say " in first.split(term, 1)[1][:40], (term, first)


def test_the_red_flags_on_the_first_page_follow_the_pack(client, pack):
    html = client.get("/learn/").content.decode()
    section = html[html.index('id="when-to-get-help-fast"') :].split("</section>")[0]
    assert section.count("<li>") == len(pack.red_flags) == 6
    assert "Having had cancer." in section


def test_the_exam_page_lists_every_block_definition_in_plain_words(client, pack):
    html = client.get("/learn/exam").content.decode()
    # Worked out by hand from blocks.json.
    assert "At least 50% less pain, at any time after the injection." in html
    assert "At least 50% less pain, measured 2 hours or more after the injection." in html
    assert "At least 70% less pain, measured 1 hour or more after the injection." in html
    assert (
        "More than 75% less pain, within 2 hours of the injection. The wording of this study "
        "is not clear, so this cut-off is uncertain." in html
    )
    assert "Experts do not agree" in html
    assert "uses this one: at least 50% less pain, at any time after the injection." in html


def test_the_exam_page_follows_the_sites_default_block_definition(client, pack, monkeypatch):
    site = with_settings(pack, {"block_definition": "kiral2024"})
    monkeypatch.setattr("cluneal.web.learn.views.active_pack", lambda: site)
    html = client.get("/learn/exam").content.decode()
    assert "uses this one: at least 70% less pain, measured 1 hour or more after" in html


def test_each_treatment_step_shows_how_strong_its_evidence_is(client):
    html = client.get("/learn/treatment").content.decode()
    step = html[html.index('id="step-1-more-nerve-blocks"') :].split("</section>")[0]
    grades = re.search(r'<p class="evidence">How strong is the evidence\? (.*?)\.</p>', step)
    # Step 1 cites Kuniya 2014 and Fujihara 2021 (primary, quoted) and the interview (E5).
    assert grades.group(1) == "primary source, quoted; expert opinion"


def test_the_pelvis_diagram_is_described_for_screen_readers(client):
    html = client.get("/learn/exam").content.decode()
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="pelvis-title"', html)
    assert '<title id="pelvis-title">' in html
