"""A site administrator's population screening runs."""

from django.urls import path

from cluneal.web.screening import views

urlpatterns = [
    path("site/screening", views.runs, name="screening"),
    path("site/screening/<uuid:run_id>", views.run_detail, name="screening-run"),
]
