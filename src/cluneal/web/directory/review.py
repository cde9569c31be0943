"""The superuser's review: nothing clinicians write is public until a superuser approves it.

Why superusers and not site administrators: a site must not be able to publish its own
listing; the review is done by the people who run the installation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from cluneal.web.audit.log import diff, record, snapshot
from cluneal.web.audit.models import Action
from cluneal.web.directory.models import Listing, ReviewError, Status

View = TypeVar("View", bound=Callable[..., HttpResponse])
DECISIONS = {"approve": True, "reject": False}
REVIEW = "/directory/review"


def superuser(view: View) -> View:
    """Login for visitors; 403 for anyone signed in who is not an active superuser."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    listings = Listing.objects.select_related("site", "created_by", "reviewed_by")
    context = {
        "pending": listings.filter(status=Status.PENDING).order_by("updated_at"),
        "published": listings.filter(status=Status.APPROVED).order_by("display_name"),
        "error": error,
    }
    return render(request, "directory/review.html", context, status=status)


@superuser
@require_GET
def review_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@superuser
@require_POST
def decide(request: HttpRequest, listing_id: Any) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in DECISIONS:
        return _page(request, "decision: choose approve or reject.", status=400)
    note = request.POST.get("note", "").strip()
    if len(note) > 500:
        return _page(request, "note: at most 500 characters.", status=400)
    with transaction.atomic():
        try:
            listing = Listing.objects.select_for_update().select_related("site").get(pk=listing_id)
        except Listing.DoesNotExist:
            raise Http404 from None
        before = snapshot(listing)
        try:
            listing.decide(approve=DECISIONS[decision], reviewer=request.user, note=note)
        except ReviewError as exc:
            return _page(request, str(exc), status=409)
        listing.save()
        record(
            request,
            Action.UPDATE,
            obj=listing,
            site=listing.site,
            changes={"decision": decision, **diff(before, snapshot(listing))},
        )
    return HttpResponseRedirect(REVIEW)
