"""Login throttling: failed logins are counted per account and per client address.

The account is the name as the login form resolves it (Django's ``UsernameField``: surrounding
white space stripped, then NFKC), case-folded because Cluneal keeps account names unique
regardless of case. So " alice", "alice\\t", "ALICE" and the full-width "ａｌｉｃｅ" share one
counter with "alice": none of them is a way around the lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.utils import timezone

from cluneal.web.accounts.models import LoginFailure

Lock = Literal["account", "address"]


def _max_length() -> int:
    user = get_user_model()
    return int(user._meta.get_field(user.USERNAME_FIELD).max_length or 150)


def login_name(raw: str) -> str:
    """The name the login form would authenticate: stripped and NFKC-normalised."""
    return str(UsernameField(max_length=_max_length()).to_python(raw))


def account_key(raw: str) -> str:
    """The account a login attempt counts against (see the module's description)."""
    return login_name(raw).casefold()[: LoginFailure._meta.get_field("username").max_length]


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.CLUNEAL_LOGIN_LOCK_SECONDS)


def locked(key: str, ip: str | None) -> Lock | None:
    """Why a login for ``key`` from ``ip`` is refused without checking the password, if it is."""
    recent = LoginFailure.objects.filter(at__gte=_since())
    if recent.filter(username=key).count() >= settings.CLUNEAL_LOGIN_MAX_FAILURES:
        return "account"
    per_address = settings.CLUNEAL_LOGIN_MAX_FAILURES_PER_ADDRESS
    if per_address and ip is not None and recent.filter(ip=ip).count() >= per_address:
        return "address"
    return None


def fail(key: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=key, ip=ip)


def lock_message() -> str:
    seconds = settings.CLUNEAL_LOGIN_LOCK_SECONDS
    wait = f"{seconds} seconds" if seconds < 120 else f"{seconds // 60} minutes"
    return f"Too many failed sign-ins: signing in is paused for up to {wait}. Try again later."
