"""Who may export: researchers and site administrators, for their own sites.

Clinicians may not: they work with the identified record, and a de-identified copy leaving the
site is a decision for the site's administrator or for someone given the researcher role.
A researcher sees these exports and the registry's analytics, never a record (the record's
guards answer them 403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from cluneal.web.accounts.access import sites
from cluneal.web.accounts.models import Role, Site

EXPORT_ROLES = (Role.RESEARCHER, Role.SITE_ADMIN)
View = TypeVar("View", bound=Callable[..., HttpResponse])


def research_sites(user: Any) -> QuerySet[Site]:
    return sites(user, EXPORT_ROLES)


def researcher(view: View) -> View:
    """Anonymous visitors go to the login page; members without an export role get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not research_sites(request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
