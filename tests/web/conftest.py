"""Fixtures of every web test (only these need Django's settings and database), and the cast the
apps' tests share: two sites; alice a clinician of site A, bob a clinician of site B, carol the
administrator of site A, rita a researcher of site A, and root a superuser of no site. Each is
made only when a test or an app's cast names them; ``make_user`` makes anyone else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from cluneal.web.accounts.models import Membership, Role, Site

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests create many accounts. Production keeps Argon2
    (tests/web/test_settings.py checks it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password() -> str:
    """Everyone's password."""
    return PASSWORD


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """Makes an account with a membership for each (site, role) given; a superuser with
    ``superuser=True``."""

    def make(name: str, *roles: tuple[Site, str], superuser: bool = False) -> Any:
        model = get_user_model()
        create = model.objects.create_superuser if superuser else model.objects.create_user
        user = create(name, password=PASSWORD)
        for site, role in roles:
            Membership.objects.create(user=user, site=site, role=role)
        return user

    return make


@pytest.fixture
def site_a(db: None) -> Site:
    return Site.objects.create(name="Site A")


@pytest.fixture
def site_b(db: None) -> Site:
    return Site.objects.create(name="Site B")


def _member(name: str, site: str, role: str) -> Any:
    """The fixture ``name``: an account with ``role`` at the site of the fixture ``site``."""

    @pytest.fixture(name=name)
    def member(make_user: Callable[..., Any], request: pytest.FixtureRequest) -> Any:
        return make_user(name, (request.getfixturevalue(site), role))

    return member


alice = _member("alice", "site_a", Role.CLINICIAN)
bob = _member("bob", "site_b", Role.CLINICIAN)
carol = _member("carol", "site_a", Role.SITE_ADMIN)
rita = _member("rita", "site_a", Role.RESEARCHER)


@pytest.fixture
def root(make_user: Callable[..., Any]) -> Any:
    """A superuser, member of no site."""
    return make_user("root", superuser=True)
