"""URL map: one definition per product area.

Every part of a path that names something is matched by a converter that accepts only what can
name it (a UUID, one of the record's event kinds, a patient-link token): anything else matches
no pattern and answers 404 before a view runs. ``tests/web/records/test_every_url.py``
sends malformed values to every pattern of this map.
"""

from django.urls import include, path, register_converter

from cluneal.web.accounts import views as accounts
from cluneal.web.api import api
from cluneal.web.audit import views as audit
from cluneal.web.calculator import views as calculator
from cluneal.web.cds import views as cds
from cluneal.web.records import events, fhir, links, note_view, summary
from cluneal.web.records import views as records
from cluneal.web.screening import views as screening


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
    path("", calculator.calculator, name="calculator"),
    path("calculator/result", calculator.result, name="calculator-result"),
    path("evidence", calculator.evidence, name="evidence"),
    path("api/v1/", api.urls),
    path("accounts/login", accounts.login_view, name="login"),
    path("accounts/logout", accounts.logout_view, name="logout"),
    path("site/accounts", accounts.accounts_view, name="site-accounts"),
    path("site/audit", audit.audit_view, name="site-audit"),
    path("records/", records.patient_list, name="patients"),
    path("records/new", records.patient_new, name="patient-new"),
    path("records/import", fhir.import_view, name="records-import"),
    path("fhir/Patient/<uuid:patient_id>/$everything", fhir.everything, name="fhir-everything"),
    path("records/<uuid:patient_id>/", records.patient_detail, name="patient"),
    path("records/<uuid:patient_id>/edit", records.patient_edit, name="patient-edit"),
    path("records/<uuid:patient_id>/delete", records.patient_delete, name="patient-delete"),
    path("records/<uuid:patient_id>/summary.pdf", summary.summary_pdf_view, name="patient-pdf"),
    path("records/<uuid:patient_id>/visits/new", records.visit_new, name="visit-new"),
    path("records/<uuid:patient_id>/notes/read", note_view.note_read, name="note-read"),
    path("records/<uuid:patient_id>/visits/<uuid:visit_id>/", records.visit_detail, name="visit"),
    path(
        "records/<uuid:patient_id>/visits/<uuid:visit_id>/edit",
        records.visit_edit,
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
    path("cds-services", cds.discovery, name="cds-discovery"),
    path("cds-services/<str:service_id>", cds.service, name="cds-service"),
    path("cds-services/<str:service_id>/feedback", cds.feedback, name="cds-feedback"),
    path("site/cds", cds.acceptance, name="cds-acceptance"),
    path("integrators", cds.integrators, name="integrators"),
    path("site/screening", screening.runs, name="screening"),
    path("site/screening/<uuid:run_id>", screening.run_detail, name="screening-run"),
    path("registry/", include("cluneal.web.registry.urls")),
    path("research/", include("cluneal.web.research.urls")),
    path("directory/", include("cluneal.web.directory.urls")),
    path("learn/", include("cluneal.web.learn.urls")),
]

handler404 = "cluneal.web.core.errors.not_found"
