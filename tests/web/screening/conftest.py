"""The screening pages' user: the administrator of one site, signed in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cluneal.web.accounts.models import Site


@pytest.fixture
def admin(site_a: Site, carol: Any) -> Client:
    """The administrator of site A (carol, of the web tests' shared cast), signed in."""
    client = Client()
    client.force_login(carol)
    client.site = site_a  # type: ignore[attr-defined]
    client.user = carol  # type: ignore[attr-defined]
    return client
