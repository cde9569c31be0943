"""A site administrator's view of the audit trail."""

from django.urls import path

from cluneal.web.audit import views

urlpatterns = [path("site/audit", views.audit_view, name="site-audit")]
