"""The clinician directory under ``/directory/``: public search, clinicians' listings, review."""

from django.urls import path

from cluneal.web.directory import listings, review, views

urlpatterns = [
    path("", views.search_page, name="directory"),
    path("search.json", views.search_json, name="directory-json"),
    path("mine", listings.mine, name="directory-mine"),
    path("new", listings.listing_new, name="directory-new"),
    path("<uuid:listing_id>/edit", listings.listing_edit, name="directory-edit"),
    path("<uuid:listing_id>/delete", listings.listing_delete, name="directory-delete"),
    path("review", review.review_page, name="directory-review"),
    path("<uuid:listing_id>/decision", review.decide, name="directory-decide"),
]
