"""The CDS Hooks services (discovery, each service, feedback), the site's acceptance page and
the page for integrators."""

from django.urls import path

from cluneal.web.cds import views

urlpatterns = [
    path("cds-services", views.discovery, name="cds-discovery"),
    path("cds-services/<str:service_id>", views.service, name="cds-service"),
    path("cds-services/<str:service_id>/feedback", views.feedback, name="cds-feedback"),
    path("site/cds", views.acceptance, name="cds-acceptance"),
    path("integrators", views.integrators, name="integrators"),
]
