"""Every page of Cluneal passes axe-core's WCAG 2.1 A and AA rules, as its users see it: each
role's pages, empty forms and forms sent back with their errors, results, confirmations, the
patient's link pages on a phone, and the error pages.

SHOWN says how to reach each page of the URL map and what to do there; a test holds it to the
map, so a new page without an accessibility check fails. Routes that answer no page (JSON, CSV,
PDF, a form's POST target) are in NOT_PAGES with what they answer instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

# The demo clinic, with what its pages need to show their every part: a researcher and a
# reviewer (superuser), a listing waiting for review, a finished and a failed screening run.
SETUP = """
import csv, secrets
from django.contrib.auth import get_user_model
from django.utils import timezone
from cluneal.screening.output import COLUMNS
from cluneal.web.accounts.models import Membership, Role
from cluneal.web.directory.demo import seed_demo_listings
from cluneal.web.directory.models import Listing, LocatedFrom, Status
from cluneal.web.records.demo import ADMIN, CLINICIAN, seed_demo
from cluneal.web.records.models import Patient
from cluneal.web.screening.models import ScreeningRun, Status as RunStatus
from cluneal.web.screening.storage import result_path

seed_demo()
seed_demo_listings()
users = get_user_model().objects
clinician = users.get(username=CLINICIAN)
site = clinician.memberships.get().site
password = secrets.token_urlsafe(16)
researcher = users.create_user("demo-researcher", password=password)
Membership.objects.create(user=researcher, site=site, role=Role.RESEARCHER)
users.create_superuser("reviewer", password=password)
listing = Listing.objects.create(
    site=site, display_name="Harbour Nerve Practice (fictional)", specialty="Physiotherapy",
    services=["scn_block"], languages=["English"], city="Ramsgate", country="GB",
    latitude=51.335, longitude=1.416, located_from=LocatedFrom.ENTERED,
    contact_url="https://example.org/harbour", status=Status.PENDING, created_by=clinician,
)
admin = users.get(username=ADMIN)
done = ScreeningRun.objects.create(
    site=site, created_by=admin, export_dir="/nowhere", status=RunStatus.DONE,
    finished_at=timezone.now(),
    summary={"patients": 10, "listed": 2, "tiers": {"high": 1, "low": 1}, "skipped": 0,
             "notes": "synthetic", "as_of": "2026-01-31"},
)
with result_path(done).open("w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow({"patient_id": "p1", "score": 7, "tier": "high",
                     "reasons": "back pain coded for at least 3 months [S1]",
                     "evidence": "Condition/c1"})
    writer.writerow({"patient_id": "p2", "score": 3, "tier": "low",
                     "reasons": "buttock pain [S2]", "evidence": "Condition/c2"})
failed = ScreeningRun.objects.create(
    site=site, created_by=admin, export_dir="/nowhere", status=RunStatus.FAILED,
    finished_at=timezone.now(), error="Patient.000.ndjson line 3: not JSON",
)
patient = Patient.objects.get(record_number="DEMO-012")
treated = Patient.objects.get(record_number="DEMO-008")
print(f"researcher=demo-researcher\\nreviewer=reviewer\\nother_password={password}")
print(f"patient={patient.pk}\\nvisit={patient.visits.first().pk}\\nblock={patient.blocks.first().pk}")
print(f"treated={treated.pk}\\ntreatment={treated.treatments.first().pk}")
print(f"listing={listing.pk}\\nrun_done={done.pk}\\nrun_failed={failed.pk}")
"""

Action = Callable[[Page], None]

CALCULATOR_FILLED = (
    "/?left_scn_tender=yes&left_scn_distance=70&left_scn_reproduces=yes"
    "&b0_date=2026-01-02&b0_nerve=scn&b0_side=left&b0_before=8&b0_after=2&planned=si_joint_fusion"
)
DOCS = "/api/v1/docs"
ELSEWHERE = "https://elsewhere.example/"
SELF_CHECK = "/learn/self-check"
PATIENT = "/records/{patient}"
TREATED = "/records/{treated}"


@dataclass(frozen=True)
class Shown:
    """A page in one state: who opens which address, does what, and sees what (a selector)."""

    route: str
    state: str
    role: str | None  # None: the public; "patient": on a phone, from a link
    path: str  # formatted with SETUP's ids; {diary}, {rmdq}...: a link the test issues
    sees: str = "h1"
    then: Action | None = None

    def __str__(self) -> str:
        return f"{self.route}: {self.state} ({self.role or 'public'})"


def send(form: str = "main form") -> Action:
    """Submit a form as it is, without the browser's own checks, to see the server's errors."""

    def act(page: Page) -> None:
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        page.locator(form).locator("button[type=submit]").first.click()

    return act


def fill_then_send(values: dict[str, str], form: str = "main form") -> Action:
    def act(page: Page) -> None:
        for selector, value in values.items():
            page.fill(selector, value)
        send(form)(page)

    return act


wrong_password = fill_then_send({"#id_username": "nobody", "#id_password": "not-the-password"})
visit_without_date = fill_then_send({"#date": ""}, "#visit-form")


def read_note(page: Page) -> None:
    page.fill("#text", "Right buttock pain for a year. Status post L5-S1 fusion in 2018.")
    page.click("button:has-text('Find the findings')")


def read_note_then_fill(page: Page) -> None:
    read_note(page)
    page.click("button:has-text('Open the visit form with these')")


def bad_bundle(page: Page) -> None:
    page.set_input_files(
        "main input[type=file]",
        {"name": "bundle.json", "mimeType": "application/json", "buffer": b'{"resourceType": 1}'},
    )
    send()(page)


def bad_format(page: Page) -> None:
    page.evaluate("document.querySelector('#format').options[0].value = 'zip-of-nothing'")
    page.select_option("#format", index=0)
    send()(page)


def issue(kind: str, block: bool = False) -> Action:
    def act(page: Page) -> None:
        page.select_option("#id_kind", kind)
        if block:
            page.select_option("#id_block", index=1)
        page.click("button:has-text('Create link')")

    return act


def self_check(complete: bool = True, urgent: bool = False) -> Action:
    def act(page: Page) -> None:
        page.get_by_label("Buttock", exact=True).check()
        page.check('input[name="press_crest"][value="yes"]')
        page.check('input[name="press_sacrum"][value="unsure"]')
        page.get_by_label("Walking").check()
        if complete:
            page.get_by_label("3 months or more").check()
        for flag in page.locator('input[name^="flag_"][value="no"]').all():
            flag.check()
        if urgent:
            page.check('input[name="flag_saddle_anaesthesia"][value="yes"]')
        send("form.self-check")(page)

    return act


def sent_from_elsewhere(page: Page) -> None:
    """The self-check's form, copied onto another site and sent from there."""
    target = page.url
    form = f'<form method="post" action="{target}"><button>Send</button></form>'
    page.route(ELSEWHERE, lambda route: route.fulfill(content_type="text/html", body=form))
    page.goto(ELSEWHERE)
    page.click("button")


def diary_score(page: Page) -> None:
    page.check('input[name="nrs"][value="3"]')
    page.click("button:has-text('Save')")


def answer_odi(page: Page) -> None:
    for select in page.locator("select[name^=odi]").all():
        select.select_option("1")
    page.click("button:has-text('Send')")


def answer_twice(page: Page) -> None:
    answer_odi(page)
    expect(page.locator("h1")).to_have_text("Thank you")
    page.goto(page.url)


def bad_coordinates(page: Page) -> None:
    page.click("summary:has-text('Search by coordinates instead')")
    page.fill("#lat", "123")
    page.fill("#lon", "1.39")
    page.click("form.directory-search button[type=submit]")


def open_api_docs(page: Page) -> None:
    """Every operation opened, its schemas shown instead of its examples, and each schema open."""
    for operation in page.locator(".opblock-summary-control").all():
        operation.click()
    for tab in page.locator('button.tablinks[data-name="model"]').all():
        tab.click()
    for schema in page.locator('button.model-box-control[aria-expanded="false"]').all():
        schema.click()


def try_api(page: Page) -> None:
    operation = page.locator('.opblock:has([data-path="/api/v1/knowledge"])')
    operation.locator(".opblock-summary-control").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()


def seen_by(role: str | None, *pages: tuple[Any, ...]) -> list[Shown]:
    """(route, state, path[, what the page then shows[, what the user does first]]), per role."""
    return [Shown(route, state, role, path, *rest) for route, state, path, *rest in pages]


SHOWN = [
    *seen_by(
        None,  # the public
        ("calculator", "empty", "/", "#result"),
        ("calculator", "filled in, with a block and a warning", CALCULATOR_FILLED),
        ("calculator", "with an invalid entry", "/?current_nrs=14", "#result .problems"),
        ("evidence", "shown", "/evidence"),
        ("integrators", "shown", "/integrators"),
        ("api-v1:openapi-view", "shown", DOCS, "#swagger-ui .info"),
        ("api-v1:openapi-view", "every part opened", DOCS, ".model-box", open_api_docs),
        ("api-v1:openapi-view", "a request tried", DOCS, ".live-responses-table", try_api),
        ("learn", "shown", "/learn/"),
        ("learn-exam", "shown", "/learn/exam"),
        ("learn-treatment", "shown", "/learn/treatment"),
        ("learn-self-check", "empty", SELF_CHECK, "form.self-check"),
        ("learn-self-check", "answered", SELF_CHECK, "#result", self_check()),
        ("learn-self-check", "a red flag", SELF_CHECK, "#result", self_check(urgent=True)),
        ("learn-self-check", "unanswered", SELF_CHECK, "[role=alert]", self_check(False)),
        ("learn-self-check", "refused", SELF_CHECK, "text=could not be sent", sent_from_elsewhere),
        ("directory", "empty", "/directory/", "#q"),
        ("directory", "with results", "/directory/?q=Margate%2C+UK", "ol.listings"),
        ("directory", "with an unknown place", "/directory/?q=Margat%2C+UK", "#q-error"),
        ("directory", "with bad coordinates", "/directory/", "#lat-error", bad_coordinates),
        ("login", "empty", "/accounts/login", "#id_username"),
        ("login", "with a wrong password", "/accounts/login", ".problems", wrong_password),
        ("handler404", "an address that names nothing", "/no-such-page"),
    ),
    *seen_by(
        "clinician",
        ("patients", "listed", "/records/", "table"),
        ("patients", "searched", "/records/?q=DEMO-01", "table"),
        ("patient-new", "empty", "/records/new", "form"),
        ("patient-new", "with errors", "/records/new", ".errorlist", send()),
        ("records-import", "empty", "/records/import", "form"),
        ("records-import", "with a bad bundle", "/records/import", ".problems", bad_bundle),
        ("patient", "with questionnaires", PATIENT + "/", "svg.timeline-chart"),
        ("patient", "with treatments", TREATED + "/", "#result"),
        ("patient", "of no patient (404)", "/records/00000000-0000-4000-8000-000000000000/"),
        ("patient-edit", "shown", PATIENT + "/edit", "form"),
        ("patient-delete", "asking to confirm", PATIENT + "/delete", "form"),
        ("visit-new", "empty", PATIENT + "/visits/new", "#visit-form"),
        ("visit-new", "with errors", PATIENT + "/visits/new", ".problems", visit_without_date),
        ("note-read", "empty", PATIENT + "/notes/read", "#text"),
        ("note-read", "with its findings", PATIENT + "/notes/read", ".note-text mark", read_note),
        ("note-read", "the visit it fills", PATIENT + "/notes/read", ".hint", read_note_then_fill),
        ("visit", "shown", PATIENT + "/visits/{visit}/"),
        ("visit-edit", "shown", PATIENT + "/visits/{visit}/edit", "#visit-form"),
        ("event-new", "a block, empty", PATIENT + "/blocks/new", "form"),
        ("event-new", "a block, with errors", PATIENT + "/blocks/new", ".errorlist", send()),
        ("event-new", "a treatment, empty", PATIENT + "/treatments/new", "form"),
        (
            "event-new",
            "a treatment, with errors",
            PATIENT + "/treatments/new",
            ".errorlist",
            send(),
        ),
        ("event-edit", "a block", PATIENT + "/blocks/{block}/edit", "form"),
        ("event-edit", "a treatment", TREATED + "/treatments/{treatment}/edit", "form"),
        ("event-delete", "asking to confirm", PATIENT + "/blocks/{block}/delete", "form"),
        ("link-new", "empty", PATIENT + "/links/new", "#id_kind"),
        ("link-new", "with errors", PATIENT + "/links/new", ".errorlist", issue("diary")),
        ("link-new", "issued", PATIENT + "/links/new", "#patient-url", issue("rmdq")),
        ("directory-mine", "listed", "/directory/mine", "table"),
        ("directory-new", "empty", "/directory/new", "form"),
        ("directory-new", "with errors", "/directory/new", ".errorlist", send()),
        ("directory-edit", "shown", "/directory/{listing}/edit", "form"),
        ("directory-delete", "asking to confirm", "/directory/{listing}/delete", "form"),
        ("site-accounts", "refused to a clinician (403)", "/site/accounts"),
    ),
    *seen_by(
        "patient",  # on a phone, from a link the test issues
        ("patient-link", "a diary", "/p/{diary}", "fieldset.scale"),
        ("patient-link", "a diary, saved", "/p/{diary}", ".saved", diary_score),
        ("patient-link", "a diary without a score", "/p/{diary}", ".problems", send()),
        ("patient-link", "the Roland-Morris", "/p/{rmdq}", "fieldset.checks"),
        ("patient-link", "the STarT Back", "/p/{startback}", "select"),
        ("patient-link", "the STarT Back unanswered", "/p/{startback}", ".problems", send()),
        ("patient-link", "the Oswestry", "/p/{odi}", "select"),
        ("patient-link", "the Oswestry, sent", "/p/{odi}", "text=Thank you", answer_odi),
        ("patient-link", "the Oswestry again", "/p/{odi}", "text=Already answered", answer_twice),
    ),
    *seen_by(
        "admin",
        ("calculator", "with every menu", "/", "form.signout"),
        ("patients", "listed", "/records/", "table"),
        ("site-accounts", "shown", "/site/accounts", "table"),
        ("site-accounts", "with errors", "/site/accounts", ".errorlist", send("main form.narrow")),
        ("site-audit", "shown", "/site/audit", "table.audit"),
        ("site-audit", "searched", "/site/audit?action=view&record=DEMO-012", "table.audit"),
        ("screening", "shown", "/site/screening", "form"),
        ("screening", "with errors", "/site/screening", ".errorlist", send()),
        ("screening-run", "done", "/site/screening/{run_done}", "table.candidates"),
        ("screening-run", "failed", "/site/screening/{run_failed}", ".problems"),
        ("cds-acceptance", "shown", "/site/cds", "table"),
        ("registry", "shown", "/registry/", "#figure-km_block svg"),
    ),
    *seen_by(
        "researcher",
        ("registry", "shown", "/registry/", "#figure-km_block svg"),
        ("registry", "with a bad filter", "/registry/?from=2025-02-30", "#error-from"),
        ("registry-network", "with no share", "/registry/network", "#no-shares"),
        ("research", "shown", "/research/", "form"),
        ("research", "with errors", "/research/", ".problems", bad_format),
    ),
    *seen_by(
        "reviewer",  # a superuser
        ("directory-review", "a listing waiting", "/directory/review", "section.review-item"),
    ),
]

NOT_PAGES = {
    "calculator-result": "the calculator's result, fetched into the calculator page",
    "api-v1:openapi-json": "JSON",
    "api-v1:assess_case": "JSON",
    "api-v1:knowledge": "JSON",
    "api-v1:patient_assessment": "JSON",
    "api-v1:notes": "JSON",
    "api-v1:api-root": "JSON (404)",
    "logout": "POST only, then a redirect",
    "fhir-everything": "a FHIR Bundle (JSON)",
    "patient-pdf": "PDF",
    "link-revoke": "POST only, then a redirect",
    "cds-discovery": "JSON",
    "cds-service": "JSON",
    "cds-feedback": "JSON",
    "registry-table": "CSV",
    "registry-figure": "SVG, PNG or PDF",
    "registry-share": "JSON",
    "registry-network-upload": "POST only, then a redirect",
    "registry-network-remove": "POST only, then a redirect",
    "registry-network-table": "CSV",
    "registry-network-figure": "SVG, PNG or PDF",
    "research-export": "a zip file (its errors are the research page's)",
    "research-dictionary": "CSV",
    "directory-json": "JSON",
    "directory-decide": "POST only, then a redirect",
}


def _route_names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    from django.urls import URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _route_names(
                p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else "")
            )
        else:
            yield namespace + (p.name or str(p.pattern))


def test_every_page_of_the_url_map_is_checked():
    from django.urls import get_resolver

    routes = set(_route_names(get_resolver().url_patterns))
    checked = {s.route for s in SHOWN} - {"handler404"}  # the page of an address none matches
    assert not routes - checked - NOT_PAGES.keys(), "pages without an accessibility check"
    assert not (checked | NOT_PAGES.keys()) - routes, "no longer in the URL map"
    assert not checked & NOT_PAGES.keys()


class Visitors:
    """A browser context per role, signed in once; the patient's is a phone."""

    def __init__(self, browser: Browser, url: str, creds: dict[str, str]) -> None:
        self.browser, self.url, self.creds = browser, url, creds
        self.contexts: dict[str | None, BrowserContext] = {}

    def page(self, role: str | None) -> Page:
        if role not in self.contexts:
            if role == "patient":
                context = self.browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True
                )
            else:
                context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            self.contexts[role] = context
            if role not in (None, "patient"):
                self._sign_in(context.new_page(), role)
        return self.contexts[role].new_page()

    def _sign_in(self, page: Page, role: str) -> None:
        username = self.creds[role]
        password = self.creds["password" if role in ("clinician", "admin") else "other_password"]
        page.goto(self.url + "/accounts/login?next=/evidence")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        expect(page).to_have_url(re.compile(r"/evidence$"))
        page.close()

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def visitors(browser, server_with_setup) -> Iterator[Visitors]:
    url, creds = server_with_setup
    v = Visitors(browser, url, creds)
    yield v
    v.close()


class Ids(dict[str, str]):
    """SETUP's ids; a missing one names a kind of patient link, issued then as a clinician does,
    so that each test has a link of its own."""

    def __init__(self, visitors: Visitors) -> None:
        super().__init__(visitors.creds)
        self.visitors = visitors

    def __missing__(self, kind: str) -> str:
        page = self.visitors.page("clinician")
        page.goto(self.visitors.url + PATIENT.format_map(self) + "/links/new")
        issue(kind, block=kind == "diary")(page)
        href = page.locator("#patient-url").get_attribute("href") or ""
        page.close()
        self[kind] = href.rsplit("/p/", 1)[1]
        return self[kind]


@pytest.mark.parametrize("shown", SHOWN, ids=str)
def test_the_page_passes_axe(shown: Shown, visitors: Visitors, axe):
    path = shown.path.format_map(Ids(visitors))
    page = visitors.page(shown.role)
    try:
        page.goto(visitors.url + path)
        if shown.then is not None:
            shown.then(page)
        expect(page.locator(shown.sees).first).to_be_visible()
        # What a closed disclosure holds is checked too: the user opens it.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert not (found := axe(page)), str(found)
    finally:
        page.close()
