"""A site administrator deactivates a membership at their site, never the account: the person
keeps working at their other sites. Bad deactivation requests get 400 and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cluneal.web.accounts.models import Membership
from cluneal.web.audit.models import AuditEvent


def state():
    return (
        sorted(Membership.objects.values_list("pk", "active")),
        sorted(get_user_model().objects.values_list("username", "is_active")),
        AuditEvent.objects.exclude(action="view").count(),
    )


def can_open(client, patient) -> bool:
    status = client.get(f"/records/{patient.pk}/").status_code
    assert status in (200, 404)
    return status == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("admin", "site", "kept"), [("carol", "a", "b"), ("bea", "b", "a")])
def test_deactivating_a_membership_ends_that_site_only(cast, admin, site, kept):
    lost_site, kept_site = getattr(cast, f"site_{site}"), getattr(cast, f"site_{kept}")
    lost_patient, kept_patient = getattr(cast, f"patient_{site}"), getattr(cast, f"patient_{kept}")
    dora = cast.client("dora")
    assert can_open(dora, lost_patient) and can_open(dora, kept_patient)
    membership = cast.membership("dora", lost_site)

    response = cast.client(admin).post(
        "/site/accounts", {"action": "deactivate", "membership": membership.pk}
    )

    assert response.status_code == 302
    cast.dora.refresh_from_db()
    assert cast.dora.is_active
    assert not can_open(dora, lost_patient)
    assert can_open(dora, kept_patient)
    assert cast.membership("dora", kept_site).active
    login = cast.client(None).post(
        "/accounts/login", {"username": "dora", "password": cast.password}
    )
    assert login.status_code == 302
    event = AuditEvent.objects.get(action="update", object_type="membership")
    assert event.site == lost_site
    assert event.changes == {
        "account": "dora",
        "role": "clinician",
        "active": {"from": True, "to": False},
    }


@pytest.mark.django_db
def test_a_deactivated_membership_is_reactivated(cast):
    membership = cast.membership("dora", cast.site_a)
    carol = cast.client("carol")
    carol.post("/site/accounts", {"action": "deactivate", "membership": membership.pk})
    response = carol.post("/site/accounts", {"action": "reactivate", "membership": membership.pk})
    assert response.status_code == 302
    assert can_open(cast.client("dora"), cast.patient_a)


@pytest.mark.django_db
def test_the_accounts_page_lists_the_membership_as_inactive(cast):
    membership = cast.membership("dora", cast.site_a)
    carol = cast.client("carol")
    carol.post("/site/accounts", {"action": "deactivate", "membership": membership.pk})
    html = carol.get("/site/accounts").content.decode()
    assert "<td>dora</td><td>Site A</td><td>Clinician</td><td>no</td>" in html
    assert "Reactivate" in html


NOT_A_MEMBERSHIP = "membership: Choose a membership at your sites, other than your own."
REQUIRED = "membership: This field is required."


def _bad_requests(cast):
    """(form data, message): every way the deactivation form can be wrong."""
    other_site = cast.membership("bea", cast.site_b).pk
    own = cast.membership("carol", cast.site_a).pk
    dora_b = cast.membership("dora", cast.site_b).pk
    alice = cast.membership("alice", cast.site_a).pk
    bad_ids = ["x", "not-a-number", "-1", "0", "99999999999999999999", "1.5", "1e3", "0x1"]
    yield from (({"action": "deactivate", "membership": v}, NOT_A_MEMBERSHIP) for v in bad_ids)
    yield {"action": "deactivate", "membership": ""}, REQUIRED
    yield {"action": "deactivate"}, REQUIRED
    yield {"action": "deactivate", "membership": other_site}, NOT_A_MEMBERSHIP
    yield {"action": "deactivate", "membership": dora_b}, NOT_A_MEMBERSHIP
    yield {"action": "deactivate", "membership": own}, NOT_A_MEMBERSHIP
    yield {"action": "reactivate", "membership": alice}, "This membership is already active."
    for action in ("", "delete", "DEACTIVATE", "deactivate "):
        message = (
            "action: This field is required."
            if not action
            else f"action: Select a valid choice. {action} is not one of the available choices."
        )
        yield {"action": action, "membership": alice}, message
    yield {"membership": alice}, "action: This field is required."


@pytest.mark.django_db
def test_every_bad_deactivation_gets_400_naming_the_problem_and_changes_nothing(cast):
    carol = cast.client("carol")
    before = state()
    cases = list(_bad_requests(cast))
    assert len(cases) == 19
    for data, message in cases:
        response = carol.post("/site/accounts", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), (data, message)
        assert state() == before, data
