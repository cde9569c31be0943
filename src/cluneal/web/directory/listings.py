"""Clinicians' pages: write, change and remove their site's listings.

Clinicians and site administrators of a site manage that site's listings; another site's
listing is answered with 404, like one that does not exist. Every change is audited, and
every save leaves the listing unpublished until a superuser approves it again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from cluneal.web.accounts.access import clinical, get_scoped, record_sites, scoped
from cluneal.web.audit.log import delete_recorded, record_saved, snapshot
from cluneal.web.directory.forms import ListingForm
from cluneal.web.directory.models import Listing

MINE = "/directory/mine"


def listing_for(request: HttpRequest, listing_id: Any) -> Listing:
    return get_scoped(Listing.objects.select_related("site"), request.user, "site", pk=listing_id)


@clinical
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    listings = scoped(Listing.objects.select_related("site"), request.user).order_by(
        "site__name", "display_name"
    )
    return render(request, "directory/mine.html", {"listings": listings})


def _save(request: HttpRequest, form: ListingForm, before: dict[str, Any] | None) -> HttpResponse:
    """Validate and save; the button pressed says whether it goes to review. ``before`` is
    the listing's snapshot taken before the form touched it (None for a new listing)."""
    if not form.is_valid():
        listing = None if before is None else form.instance
        context = {"form": form, "listing": listing}
        return render(request, "directory/form.html", context, status=400)
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.submit(for_review=request.POST.get("action") == "submit")
        if before is None:
            saved.created_by = request.user
        saved.save()
        record_saved(request, saved, before, site=saved.site)
    return HttpResponseRedirect(MINE)


@clinical
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest) -> HttpResponse:
    form = ListingForm(request.POST or None, sites=record_sites(request.user))
    if request.method == "POST":
        return _save(request, form, None)
    return render(request, "directory/form.html", {"form": form})


@clinical
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, listing_id: Any) -> HttpResponse:
    listing = listing_for(request, listing_id)
    before = snapshot(listing)
    form = ListingForm(request.POST or None, instance=listing, sites=record_sites(request.user))
    if request.method == "POST":
        return _save(request, form, before)
    return render(request, "directory/form.html", {"form": form, "listing": listing})


@clinical
@require_http_methods(["GET", "POST"])
def listing_delete(request: HttpRequest, listing_id: Any) -> HttpResponse:
    listing = listing_for(request, listing_id)
    if request.method == "POST":
        delete_recorded(request, listing, site=listing.site)
        return HttpResponseRedirect(MINE)
    return render(request, "directory/confirm_delete.html", {"listing": listing})
