"""The clinical record's URLs: patients, visits, events, links, notes, the FHIR exchange and
the patient's own link pages.

Every part of a path that names something is matched by a converter that accepts only what can
name it (a UUID, one of the record's event kinds, a patient-link token): anything else matches
no pattern and answers 404 before a view runs.
"""

from django.urls import path, register_converter

from cluneal.web.records import events, fhir, links, note_view, summary, views


class EventKind:
    """The record's event kinds in URLs (``blocks``, ``treatments``): the keys of events.KINDS."""

    regex = "|".join(sorted(events.KINDS))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class LinkToken:
    """A patient-link token: URL-safe base64 (``secrets.token_urlsafe``), at most 100 characters."""

    regex = "[A-Za-z0-9_-]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(EventKind, "event_kind")
register_converter(LinkToken, "link_token")

EVENT = "<uuid:patient_id>/<event_kind:kind>"

urlpatterns = [
    path("records/", views.patient_list, name="patients"),
    path("records/new", views.patient_new, name="patient-new"),
    path("records/import", fhir.import_view, name="records-import"),
    path("fhir/Patient/<uuid:patient_id>/$everything", fhir.everything, name="fhir-everything"),
    path("records/<uuid:patient_id>/", views.patient_detail, name="patient"),
    path("records/<uuid:patient_id>/edit", views.patient_edit, name="patient-edit"),
    path("records/<uuid:patient_id>/delete", views.patient_delete, name="patient-delete"),
    path("records/<uuid:patient_id>/summary.pdf", summary.summary_pdf_view, name="patient-pdf"),
    path("records/<uuid:patient_id>/visits/new", views.visit_new, name="visit-new"),
    path("records/<uuid:patient_id>/notes/read", note_view.note_read, name="note-read"),
    path("records/<uuid:patient_id>/visits/<uuid:visit_id>/", views.visit_detail, name="visit"),
    path(
        "records/<uuid:patient_id>/visits/<uuid:visit_id>/edit",
        views.visit_edit,
        name="visit-edit",
    ),
    path("records/<uuid:patient_id>/links/new", links.link_new, name="link-new"),
    path(
        "records/<uuid:patient_id>/links/<uuid:link_id>/revoke",
        links.link_revoke,
        name="link-revoke",
    ),
    path(f"records/{EVENT}/new", events.event_new, name="event-new"),
    path(f"records/{EVENT}/<uuid:object_id>/edit", events.event_edit, name="event-edit"),
    path(f"records/{EVENT}/<uuid:object_id>/delete", events.event_delete, name="event-delete"),
    path("p/<link_token:token>", links.patient_page, name="patient-link"),
]
