"""Login lockout: failures count per account, whatever spelling of the name reaches it, and per
client address; a locked login answers 429 with the form and a message, and is audited."""

from __future__ import annotations

import unicodedata

import pytest

from cluneal.web.accounts.models import LoginFailure
from cluneal.web.audit.models import AuditEvent

#: Spellings of "alice" that the login form resolves to her account (white space stripped, NFKC)
#: or that differ from it only in case.
SAME_ACCOUNT = [
    "alice",
    " alice",
    "alice ",
    "alice\t",
    "\talice\n",
    "\u00a0alice",  # no-break space
    "alice\u3000",  # ideographic space
    "\u2003alice\u2029",  # em space, paragraph separator
    "ａｌｉｃｅ",  # full-width
    "ⓐⓛⓘⓒⓔ",  # circled
    "𝐚𝐥𝐢𝐜𝐞",  # mathematical bold
    " ａｌｉｃｅ\t",
    "ALICE",
    "Alice",
    "ＡＬＩＣＥ",
    "ᴬᴸᴵᶜᴱ",  # modifier letters
]
#: The spellings that log in as alice with her password (the user model's names are
#: case-sensitive; the lock is not).
LOGS_IN = [v for v in SAME_ACCOUNT if v.strip().lower() == v.strip() and "ᴬ" not in v]
LOCKED = "Too many failed sign-ins: signing in is paused for up to 15 minutes. Try again later."


def login(client, username, password):
    return client.post("/accounts/login", {"username": username, "password": password})


def fail_five_times(cast, spellings, address="198.51.100.1"):
    for k in range(5):
        client = cast.client(None, REMOTE_ADDR=address)
        assert login(client, spellings[k % len(spellings)], "wrong password").status_code == 400


def state(cast):
    cast.alice.refresh_from_db()
    return (
        LoginFailure.objects.count(),
        AuditEvent.objects.filter(action="login").count(),
        cast.alice.last_login,
    )


def assert_locked(response, reason, name):
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert (event.actor, event.changes) == (name, {"locked": reason})


@pytest.mark.django_db
@pytest.mark.parametrize("failed_as", SAME_ACCOUNT)
def test_five_failures_under_any_spelling_lock_every_spelling(cast, failed_as):
    fail_five_times(cast, [failed_as])
    before = state(cast)
    for spelling in SAME_ACCOUNT:
        client = cast.client(None, REMOTE_ADDR="192.0.2.99")
        response = login(client, spelling, cast.password)
        assert_locked(response, "account", unicodedata.normalize("NFKC", spelling.strip()))
    assert state(cast) == before


@pytest.mark.django_db
def test_failures_spread_over_spellings_share_one_counter(cast):
    fail_five_times(cast, SAME_ACCOUNT[::3])
    assert set(LoginFailure.objects.values_list("username", flat=True)) == {"alice"}
    before = state(cast)
    for spelling in LOGS_IN:
        response = login(cast.client(None), spelling, cast.password)
        assert response.status_code == 429
    assert state(cast) == before


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", LOGS_IN)
def test_below_the_limit_each_spelling_that_names_alice_logs_in(cast, spelling):
    for k in range(4):
        login(cast.client(None), SAME_ACCOUNT[k], "wrong password")
    response = login(cast.client(None), spelling, cast.password)
    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(cast.alice.pk)


@pytest.mark.django_db
def test_the_lock_ends_after_the_window(cast, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00", tick=False)
    fail_five_times(cast, SAME_ACCOUNT)
    assert login(cast.client(None), "alice", cast.password).status_code == 429
    time_machine.move_to("2026-11-08 12:15:01+00:00", tick=False)
    assert login(cast.client(None), "alice", cast.password).status_code == 302


@pytest.mark.django_db
def test_failures_for_many_names_from_one_address_lock_that_address(cast, settings):
    settings.CLUNEAL_LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    names = ["bob", "eve", " mallory", "ＴＲＵＤＹ", "carol", "dora", "x" * 151, ""]
    for name in names:
        client = cast.client(None, REMOTE_ADDR="203.0.113.7")
        assert login(client, name, "wrong password").status_code == 400
    before = state(cast)
    for spelling in LOGS_IN:
        response = login(cast.client(None, REMOTE_ADDR="203.0.113.7"), spelling, cast.password)
        assert response.status_code == 429
        assert AuditEvent.objects.latest("id").changes == {"locked": "address"}
    assert state(cast) == before
    other = login(cast.client(None, REMOTE_ADDR="203.0.113.8"), "alice", cast.password)
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_locked_attempt_with_a_wrong_password_answers_the_same(cast):
    fail_five_times(cast, ["alice"])
    right = login(cast.client(None), "alice", cast.password)
    wrong = login(cast.client(None), "alice", "wrong password")
    assert (right.status_code, wrong.status_code) == (429, 429)
    assert (
        right.content.split(b"csrfmiddlewaretoken")[0]
        == (wrong.content.split(b"csrfmiddlewaretoken")[0])
    )
    assert LoginFailure.objects.count() == 5
