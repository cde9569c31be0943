"""Who may see registry analytics, of which sites, and how exactly.

Researchers and site administrators see the aggregate analytics of their own sites; a
superuser sees every site. Nobody reaches a record from here: the pages show counts,
percentages, curves and statistics only. Researchers (who must never see a record) get small
counts withheld, ``CLUNEAL_REGISTRY_MIN_CELL`` (default 5; 0 turns it off): counts from 1 to
that number minus one are shown as "<5". Site administrators, who may open the records of
their site anyway, and superusers see exact counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from cluneal.web.accounts.access import admin_sites, sites
from cluneal.web.accounts.models import Role, Site
from cluneal.web.env import env_int

ANALYTICS_ROLES = (Role.RESEARCHER, Role.SITE_ADMIN)
MIN_CELL_SETTING = "CLUNEAL_REGISTRY_MIN_CELL"
MIN_CELL_DEFAULT = 5
View = TypeVar("View", bound=Callable[..., HttpResponse])


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


def analytics(view: View) -> View:
    """Sign-in required (redirect), then a registry role at some site (403 otherwise)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not registry_sites(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
