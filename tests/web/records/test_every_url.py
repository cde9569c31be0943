"""Every URL pattern of the project, taken from Django's resolver (so a new page is covered the
day it is added):

- malformed addresses and form values get 4xx, never a server error, and change nothing. Each
  part of a path is replaced in turn by each malformed value while the others stay valid, and
  the valid path is sent malformed query and form values (the names of the fields its page has,
  and more); each request goes as GET and as POST, by a site administrator (who is also a
  clinician of the records), a researcher, a superuser and an anonymous visitor;
- every response a signed-in user gets, and every patient-link page, says ``no-store``;
- every request to a patient-scoped address leaves exactly one audit entry naming the patient,
  and another site's clinician probing it gets the 404 of an id that does not exist, audited as
  a denied read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cluneal.web.accounts.models import Membership
from cluneal.web.directory.models import Listing
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Treatment,
    Visit,
)
from cluneal.web.screening.models import ScreeningRun

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(?:\w+:)?(\w+)\}")
#: Values no part of a path may take (each is URL-quoted into the path).
MALFORMED = [
    "x",
    "foo",
    "visits",
    "not-a-uuid",
    "0",
    "-1",
    "99999999999999999999",
    "1.5",
    "..",
    "\x00",
    "a" * 300,
    "é",
    "\u202e",
    " ",
    "{}",
    "<script>",
    "00000000-0000-4000-8000-000000000000",
    "00000000000040008000000000000000",
    "zzzzzzzz-0000-4000-8000-000000000000",
]
FEW = ["x", "\x00", "a" * 300, "00000000-0000-4000-8000-000000000000"]
#: Values of query parameters and form fields.
BAD_VALUES = ["x", "", "-1", "99999999999999999999", "\x00", "é\u202e", "a" * 3000]
#: Field names sent besides those of the page's own forms.
FIELDS = {
    "q",
    "page",
    "visit",
    "tier",
    "site",
    "membership",
    "action",
    "kind",
    "block",
    "date",
    "nrs",
    "format",
    "text",
    "step",
    "fill",
    "record",
    "actor",
    "since",
    "until",
    "block_definition",
}
WHO = ("carol", "rita", "root", None)
#: Views whose POST changes data whatever the form says: sent malformed paths only.
ACTS_ON_POST = re.compile(r"(-delete|-revoke|^logout)$")


def routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name or str(p.pattern)


ROUTES = list(routes())


def valid_values(cast: Any) -> dict[str, Any]:
    run = ScreeningRun.objects.create(site=cast.site_a, export_dir="/nonexistent", status="failed")
    listing = Listing.objects.create(
        site=cast.site_a,
        display_name="Dr A",
        specialty="Pain medicine",
        city="Lyon",
        country="FR",
        latitude=45.75,
        longitude=4.85,
        located_from="entered",
        contact_url="https://example.org",
    )
    return {
        "patient_id": cast.patient.pk,
        "visit_id": cast.visit.pk,
        "kind": "blocks",
        "object_id": cast.block.pk,
        "link_id": cast.link.pk,
        "token": cast.token,
        "service_id": "cluneal-patient-view",
        "run_id": run.pk,
        "listing_id": listing.pk,
        "name": "flow",
        "fmt": "svg",
    }


def fill(route: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return quote(str(values[match.group(1) or match.group(2)]), safe="")

    return "/" + PARAM.sub(value, route)


@dataclass
class Visitor:
    who: str | None
    user: Any
    client: Client = field(default_factory=lambda: Client(raise_request_exception=False))
    errors: list[tuple[Any, ...]] = field(default_factory=list)

    def send(self, method: str, path: str, data: dict[str, str]) -> HttpResponse:
        if self.user is not None:
            self.client.force_login(self.user)  # a POST to /accounts/logout signs out
        response = getattr(self.client, method)(path, data)
        if response.status_code >= 500:
            self.errors.append((self.who, method.upper(), path[:120], sorted(data.items())[:3]))
        return response


def state() -> tuple[Any, ...]:
    return (
        sorted(Patient.objects.values_list("pk", "record_number", "birth_year", "name")),
        sorted(Visit.objects.values_list("pk", "date", "notes", "current_nrs")),
        sorted(Block.objects.values_list("pk", "nrs_before", "nrs_after", "relief_days")),
        sorted(Treatment.objects.values_list("pk", "outcome")),
        sorted(PatientLink.objects.values_list("pk", "expires_at", "completed_at")),
        DiaryEntry.objects.count(),
        QuestionnaireAnswer.objects.count(),
        sorted(Membership.objects.values_list("pk", "active", "role")),
        sorted(get_user_model().objects.values_list("username", "is_active")),
        sorted(Listing.objects.values_list("pk", "status", "display_name")),
        ScreeningRun.objects.count(),
    )


@pytest.mark.django_db
def test_every_path_parameter_has_a_valid_value_here(cast):
    names = {m[0] or m[1] for route, _ in ROUTES for m in PARAM.findall(route)}
    assert names <= set(valid_values(cast)), names - set(valid_values(cast))


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_no_malformed_request_gets_a_server_error(cast, root, route, name, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    values = valid_values(cast)
    params = [m[0] or m[1] for m in PARAM.findall(route)]
    own_ids = {str(v) for v in values.values()}
    before = state()
    errors: list[tuple[Any, ...]] = []
    for who in WHO:
        visitor = Visitor(who, root if who == "root" else getattr(cast, who) if who else None)
        # The administrator of the patient's site reaches every view: every malformed value,
        # and the ids of the record's other objects in each place. The others are turned
        # away earlier (login, 403), which a few values show.
        for param in params:
            others = [v for v in own_ids if v != str(values[param])]
            for bad in [*MALFORMED, *others] if who == "carol" else FEW:
                path = fill(route, {**values, param: bad})
                visitor.send("get", path, {})
                visitor.send("post", path, {})
        path = fill(route, values)
        page = visitor.send("get", path, {})
        if page.status_code != 200:
            continue  # a page this visitor cannot open: its form values are never read
        html = page.content.decode(errors="replace")
        fields = (FIELDS | set(re.findall(r'name="([^"]+)"', html))) - {"csrfmiddlewaretoken"}
        for bad in BAD_VALUES:
            data = dict.fromkeys(sorted(fields), bad)
            visitor.send("get", path, data)
            if not ACTS_ON_POST.search(name):
                visitor.send("post", path, data)
        errors += visitor.errors
    assert not errors, errors
    assert state() == before


#: Routes that read their bodies themselves, with their own limits and answers (CDS Hooks: a
#: JSON 413 naming CLUNEAL_CDS_MAX_BYTES; the API: tests/web/test_api.py).
OWN_BODIES = re.compile(r"^(cds-|api-|/?api/)")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_a_body_django_refuses_to_read_is_named_and_changes_nothing(
    cast, route, name, settings, time_machine
):
    """Every form a page can post: a body over CLUNEAL_MAX_REQUEST_BYTES gets 413, one with
    too many fields 400, each saying so in words (not Django's bare "Bad Request (400)"),
    whatever the view; nothing is saved."""
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    path = fill(route, valid_values(cast))
    before = state()
    client = Client(raise_request_exception=False)
    client.force_login(cast.carol)
    large = client.post(path, {"notes": "x" * 20_000, "record_number": "A-1"})
    many = client.post(path, {f"field{i}": "1" for i in range(60)})
    assert state() == before
    if OWN_BODIES.search(name) or route.startswith("api/"):
        assert large.status_code < 500 and many.status_code < 500
        return
    for response in (large, many):
        if response.status_code in (404, 405):
            return  # a view with no form: nothing is read
    assert large.status_code == 413, (name, large.status_code)
    assert "over this site's limit of 10,000 bytes (CLUNEAL_MAX_REQUEST_BYTES)" in (
        large.content.decode()
    )
    assert many.status_code == 400, (name, many.status_code)
    assert "more than 50 fields; nothing was saved" in many.content.decode()


NUL = (
    "Bad request: the address or a form value contains a NUL character (U+0000), "
    "which no field accepts."
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "template", "data", "status", "body"),
    [
        ("get", "/records/{p}/foo/new", {}, 404, "Not Found"),
        ("post", "/records/{p}/foo/new", {}, 404, "Not Found"),
        ("get", "/records/{p}/visits/{v}/delete", {}, 404, "Not Found"),
        ("post", "/records/{p}/visits/{v}/delete", {}, 404, "Not Found"),
        ("get", "/records/{p}/Blocks/{b}/edit", {}, 404, "Not Found"),
        ("post", "/records/{p}/links/{b}/revoke", {}, 404, "Not Found"),
        ("get", "/api/v1/patients/not-a-uuid/assessment", {}, 404, '{"detail": "not found"}'),
        ("get", "/api/v1/patients/{v}/assessment", {}, 404, '{"detail": "not found"}'),
        ("get", "/api/v1/no-such-thing", {}, 404, '{"detail": "not found"}'),
        ("get", "/p/..%2F..%2Fetc%2Fpasswd", {}, 404, "Not Found"),
        ("get", "/records/", {"q": "A-\x00"}, 400, NUL),
        ("get", "/site/audit", {"actor": "\x00"}, 400, NUL),
        ("post", "/records/new", {"record_number": "A\x00"}, 400, NUL),
        ("post", "/site/accounts", {"action": "deactivate", "membership": "1\x00"}, 400, NUL),
        ("post", "/accounts/login", {"username": "alice\x00", "password": "x"}, 400, NUL),
        ("get", "/api/v1/assess", {"block_definition": "\x00"}, 400, '{"detail": "Bad request'),
    ],
)
def test_the_reported_malformed_requests_get_their_exact_answer(
    cast, method, template, data, status, body
):
    path = template.format(p=cast.patient.pk, v=cast.visit.pk, b=cast.block.pk)
    before = state()
    response = getattr(cast.client("carol"), method)(path, data)
    assert response.status_code == status
    assert body in response.content.decode()
    assert state() == before


# -- no-store ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_a_signed_in_user_opens_says_no_store(cast, root, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    values = valid_values(cast)
    opened = []
    for who in ("alice", "carol", "rita", "root"):
        client = Client()
        client.force_login(root if who == "root" else getattr(cast, who))
        for route, name in ROUTES:
            if name == "logout":
                continue
            response = client.get(fill(route, values))
            if response.status_code == 200:
                opened.append(name)
                assert "no-store" in response.get("Cache-Control", ""), (who, name)
    patient_data = {n for (n,) in [(r[1],) for r in ROUTES] if n.startswith(("patient", "visit"))}
    assert patient_data <= set(opened)
    assert {"patient_assessment", "fhir-everything", "event-edit", "site-audit"} <= set(opened)


@pytest.mark.django_db
def test_a_patient_link_page_says_no_store_and_public_pages_stay_cacheable(cast, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    link = Client().get(f"/p/{cast.token}")
    assert link.status_code == 200
    assert "no-store" in link["Cache-Control"]
    for path in ("/", "/evidence", "/learn/", "/directory/", "/api/v1/knowledge"):
        response = Client().get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), path


# -- reads audited ----------------------------------------------------------------------------

PATIENT_ROUTES = [(r, n) for r, n in ROUTES if "patient_id" in r]


def entries_since(last_id):
    from cluneal.web.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(id__gt=last_id).order_by("id"))


def last_entry_id():
    from cluneal.web.audit.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), PATIENT_ROUTES, ids=[n for _, n in PATIENT_ROUTES])
def test_each_request_for_a_patient_leaves_one_entry_naming_them(cast, route, name, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    path = fill(route, valid_values(cast))
    alice = cast.client("alice")
    for method in ("get", "post"):
        if method == "post" and ACTS_ON_POST.search(name):
            continue
        since = last_entry_id()
        # A POST of nothing is a form refused (400) or a page read again: a read either way.
        response = getattr(alice, method)(path, {"step": "read"} if method == "post" else {})
        made = entries_since(since)
        if response.status_code == 405:
            assert made == [], (method, name)
            continue
        assert [(e.actor, e.patient_id) for e in made] == [("alice", cast.patient.pk)], (
            method,
            name,
            response.status_code,
            [(e.action, e.changes) for e in made],
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), PATIENT_ROUTES, ids=[n for _, n in PATIENT_ROUTES])
def test_a_probe_of_another_sites_patient_is_a_404_like_no_patient_and_is_audited(
    cast, route, name
):
    values = valid_values(cast)
    probe = fill(route, values)
    nobody = fill(route, {**values, "patient_id": "00000000-0000-4000-8000-000000000000"})
    bob = cast.client("bob")
    before = state()
    for method in ("get", "post"):
        since = last_entry_id()
        answer = getattr(bob, method)(probe)
        made = entries_since(since)
        unknown = getattr(bob, method)(nobody)
        assert entries_since(made[-1].id if made else since) == []
        assert (answer.status_code, answer.content, answer["Content-Type"]) == (
            unknown.status_code,
            unknown.content,
            unknown["Content-Type"],
        )
        if answer.status_code == 405:
            continue
        assert answer.status_code == 404
        assert [(e.actor, e.action, e.patient_id, e.site_id) for e in made] == [
            ("bob", "view", cast.patient.pk, cast.site_a.pk)
        ], (method, name)
        assert made[0].changes["denied"] == "not at the user's sites"
    assert state() == before
