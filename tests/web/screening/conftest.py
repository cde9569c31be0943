"""The screening pages' user: the administrator of one site, signed in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cluneal.web.accounts.models import Membership, Role, Site


@pytest.fixture
def admin(db) -> Client:
    site = Site.objects.create(name="Site A")
    user = get_user_model().objects.create_user("carol", password="x" * 12)
    Membership.objects.create(user=user, site=site, role=Role.SITE_ADMIN)
    client = Client()
    client.force_login(user)
    client.site = site  # type: ignore[attr-defined]
    client.user = user  # type: ignore[attr-defined]
    return client
