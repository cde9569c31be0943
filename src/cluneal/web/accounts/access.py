"""Who may see what: roles and sites, checked on every request that touches patient data.

A clinician or site administrator sees the patients of their own sites only. A patient of
another site is answered with 404, exactly like an identifier that does not exist, so its
existence cannot be learned. Researchers never see a record (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from cluneal.web.accounts.models import Membership, Role, Site

RECORD_ROLES = (Role.CLINICIAN, Role.SITE_ADMIN)
View = TypeVar("View", bound=Callable[..., HttpResponse])


def memberships(user: Any) -> QuerySet[Membership]:
    """The user's active memberships: the one place every role check starts from. An inactive
    account (deactivated by a superuser) has none; a membership a site administrator
    deactivated counts at no site."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, active=True)


def sites(user: Any, roles: Iterable[str]) -> QuerySet[Site]:
    """The sites where the user holds one of ``roles`` through an active membership."""
    held = memberships(user).filter(role__in=list(roles)).values("site_id")
    return Site.objects.filter(pk__in=held)


def record_sites(user: Any) -> QuerySet[Site]:
    return sites(user, RECORD_ROLES)


def admin_sites(user: Any) -> QuerySet[Site]:
    return sites(user, [Role.SITE_ADMIN])


def roles_of(user: Any) -> set[str]:
    return set(memberships(user).values_list("role", flat=True))


def guard(test: Callable[[Any], bool]) -> Callable[[View], View]:
    """A view decorator: sign-in required (a redirect to the login page), then ``test`` of the
    user (403 otherwise)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


#: The view reads or writes clinical records: clinicians and site administrators.
clinical = guard(lambda user: record_sites(user).exists())
#: The view manages a site: site administrators.
site_admin = guard(lambda user: admin_sites(user).exists())


def scoped(queryset: QuerySet[Any], user: Any, site_field: str = "site") -> QuerySet[Any]:
    return queryset.filter(**{f"{site_field}__in": record_sites(user)})


def get_scoped(queryset: QuerySet[Any], user: Any, site_field: str, **lookup: Any) -> Any:
    """The object if it belongs to one of the user's sites; 404 otherwise, never 403."""
    try:
        return scoped(queryset, user, site_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None
