"""Every page and API endpoint of the record, for every member of the cast.

Rows are endpoints, columns are who asks; each cell is the exact status. A clinician of another
site gets 404, exactly like an identifier that does not exist; a researcher gets 403.
"""

from __future__ import annotations

import pytest

WHO = ("anonymous", "alice", "bob", "carol", "rita", "patient_token")
LOGIN = 302  # to the login page

# fmt: off
#  endpoint template                                   anon   alice bob  carol rita  token
MATRIX = [
    ("/records/",                                      LOGIN, 200, 200, 200, 403, LOGIN),
    ("/records/new",                                   LOGIN, 200, 200, 200, 403, LOGIN),
    ("/records/{p}/",                                  LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/edit",                              LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/delete",                            LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/summary.pdf",                       LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/visits/new",                        LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/visits/{v}/",                       LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/visits/{v}/edit",                   LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/blocks/new",                        LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/blocks/{b}/edit",                   LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/blocks/{b}/delete",                 LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/treatments/new",                    LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/treatments/{t}/edit",               LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/treatments/{t}/delete",             LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/{p}/links/new",                         LOGIN, 200, 404, 200, 403, LOGIN),
    ("/records/00000000-0000-4000-8000-000000000000/", LOGIN, 404, 404, 404, 403, LOGIN),
    ("/records/{p}/visits/{b}/",                       LOGIN, 404, 404, 404, 403, LOGIN),
    ("/site/accounts",                                 LOGIN, 403, 403, 200, 403, LOGIN),
    ("/site/audit",                                    LOGIN, 403, 403, 200, 403, LOGIN),
    ("/research/",                                     LOGIN, 403, 403, 200, 200, LOGIN),
    ("/research/data_dictionary.csv",                  LOGIN, 403, 403, 200, 200, LOGIN),
    ("/research/export",                               LOGIN, 403, 403, 405, 405, LOGIN),
    ("/registry/",                                     LOGIN, 403, 403, 200, 200, LOGIN),
    ("/registry/tables/flow.csv",                      LOGIN, 403, 403, 200, 200, LOGIN),
    ("/registry/figures/flow.svg",                     LOGIN, 403, 403, 200, 200, LOGIN),
    ("/api/v1/patients/{p}/assessment",                401,   200, 404, 200, 403, 401),
    ("/p/{token}",                                     200,   200, 200, 200, 200, 200),
    ("/p/not-a-real-token",                            404,   404, 404, 404, 404, 404),
]
# fmt: on


def _cases():
    for row in MATRIX:
        path, outcomes = row[0], row[1:]
        for who, status in zip(WHO, outcomes, strict=True):
            yield pytest.param(path, who, status, id=f"{who}-{status}-{path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("template", "who", "status"), list(_cases()))
def test_each_role_gets_exactly_its_outcome(cast, template, who, status, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    path = template.format(
        p=cast.patient.pk, v=cast.visit.pk, b=cast.block.pk, t=cast.treatment.pk, token=cast.token
    )
    client = cast.client(None if who in ("anonymous", "patient_token") else who)
    response = client.get(path)
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith("/accounts/login?next=")


@pytest.mark.django_db
def test_bob_does_not_see_site_a_patients_in_his_list(cast):
    html = cast.client("bob").get("/records/").content.decode()
    assert "A-001" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("alice", 302), ("carol", 302), ("bob", 404), ("rita", 403), (None, 302)]
)
def test_only_the_patients_site_can_delete_them(cast, who, status):
    from cluneal.web.records.models import Patient

    response = cast.client(who).post(f"/records/{cast.patient.pk}/delete")
    assert response.status_code == status
    deleted = who in ("alice", "carol")
    assert Patient.objects.filter(pk=cast.patient.pk).exists() is not deleted


@pytest.mark.django_db
def test_bob_cannot_add_a_block_to_a_site_a_patient(cast):
    response = cast.client("bob").post(
        f"/records/{cast.patient.pk}/blocks/new",
        {"date": "2026-11-03", "nerve": "scn", "side": "left", "nrs_before": 8, "nrs_after": 2},
    )
    assert response.status_code == 404
    assert cast.patient.blocks.count() == 1


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    response = client.post("/records/new", {"site": cast.site_a.pk, "record_number": "X"})
    assert response.status_code == 403
