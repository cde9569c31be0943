"""Fictional, approved directory listings of the demo clinic, so that a newcomer's search for
"Boston" or "Margate, UK" finds something. Their contact links point at example.org, a
domain reserved for examples (RFC 2606), so nobody is sent to a real clinic."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cluneal.web.accounts.models import Site
from cluneal.web.directory.models import Listing, LocatedFrom, Status
from cluneal.web.records.demo import SITE_NAME

#: Coordinates are made-up clinic addresses near each town's centre.
DEMO_LISTINGS = (
    {
        "display_name": "Thanet Back Nerve Clinic (fictional)",
        "specialty": "Pain medicine",
        "services": ["scn_block", "mcn_block", "ultrasound_block"],
        "languages": ["English", "French"],
        "city": "Margate",
        "country": "GB",
        "latitude": 51.3870,
        "longitude": 1.3950,
        "contact_url": "https://example.org/thanet-back-nerve-clinic",
        "note": "Demonstration listing: this clinic does not exist.",
    },
    {
        "display_name": "Canterbury Spine and Nerve Surgery (fictional)",
        "specialty": "Spine surgery",
        "services": ["surgical_release", "scn_block"],
        "languages": ["English"],
        "city": "Canterbury",
        "country": "GB",
        "latitude": 51.2760,
        "longitude": 1.0800,
        "contact_url": "mailto:appointments@example.org",
        "note": "Demonstration listing: this clinic does not exist.",
    },
    {
        "display_name": "Back Bay Cluneal Nerve Service (fictional)",
        "specialty": "Physical medicine and rehabilitation",
        "services": ["scn_block", "mcn_block", "ultrasound_block", "radiofrequency"],
        "languages": ["English", "Spanish", "Portuguese"],
        "city": "Boston",
        "country": "US",
        "latitude": 42.3500,
        "longitude": -71.0800,
        "contact_url": "https://example.org/back-bay-cluneal",
        "note": "Demonstration listing: this clinic does not exist.",
    },
)


def seed_demo_listings() -> list[Listing]:
    """Create the demo clinic's approved listings unless they exist; return them."""
    out = []
    with transaction.atomic():
        site, _ = Site.objects.get_or_create(name=SITE_NAME)
        for spec in DEMO_LISTINGS:
            listing, _ = Listing.objects.get_or_create(
                site=site,
                display_name=spec["display_name"],
                defaults={
                    **spec,
                    "located_from": LocatedFrom.ENTERED,
                    "status": Status.APPROVED,
                    "reviewed_at": timezone.now(),
                    "review_note": "Demonstration data.",
                },
            )
            out.append(listing)
    return out
