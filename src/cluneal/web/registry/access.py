"""Who may see registry analytics, of which sites, and how exactly.

Researchers and site administrators see the aggregate analytics of their own sites; a
superuser sees every site. Nobody reaches a record from here: the pages show counts,
percentages, curves and statistics only. Researchers (who must never see a record) get small
counts withheld, ``CLUNEAL_REGISTRY_MIN_CELL`` (default 5; 0 turns it off): counts from 1 to
that number minus one are shown as "<5". Site administrators, who may open the records of
their site anyway, and superusers see exact counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from cluneal.web.accounts.access import admin_sites, guard, sites
from cluneal.web.accounts.models import Role, Site
from cluneal.web.env import env_int

ANALYTICS_ROLES = (Role.RESEARCHER, Role.SITE_ADMIN)
MIN_CELL_SETTING = "CLUNEAL_REGISTRY_MIN_CELL"
MIN_CELL_DEFAULT = 5


def registry_sites(user: Any) -> list[Site]:
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(Site.objects.all())
    return list(sites(user, ANALYTICS_ROLES))


def configured_min_cell() -> int:
    """The suppression threshold: the Django setting if the settings module defines it, else
    the environment variable (read the same way as every other ``CLUNEAL_*`` setting)."""
    value = getattr(settings, MIN_CELL_SETTING, None)
    if value is None:
        return env_int(MIN_CELL_SETTING, MIN_CELL_DEFAULT, 0, 1000)
    return int(value)


def min_cell_for(user: Any, sites: Sequence[Site]) -> int:
    """0 (exact counts) for a superuser or an administrator of every selected site."""
    if user.is_superuser:
        return 0
    admin_of = set(admin_sites(user).values_list("pk", flat=True))
    if sites and all(s.pk in admin_of for s in sites):
        return 0
    return configured_min_cell()


#: Sign-in required (redirect), then a registry role at some site (403 otherwise).
analytics = guard(lambda user: bool(registry_sites(user)))
