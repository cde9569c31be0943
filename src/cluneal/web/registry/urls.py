"""Registry URLs, included at ``/registry/`` by the project's URL map."""

from django.urls import path

from cluneal.web.registry import views

urlpatterns = [
    path("", views.analytics_page, name="registry"),
    path("tables/<slug:name>.csv", views.table_csv, name="registry-table"),
    path("figures/<slug:name>.<slug:fmt>", views.figure_file, name="registry-figure"),
]
