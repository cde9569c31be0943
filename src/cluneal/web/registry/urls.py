"""Registry URLs, included at ``/registry/`` by the project's URL map."""

from django.urls import path

from cluneal.web.registry import network_views, views

urlpatterns = [
    path("", views.analytics_page, name="registry"),
    path("tables/<slug:name>.csv", views.table_csv, name="registry-table"),
    path("figures/<slug:name>.<slug:fmt>", views.figure_file, name="registry-figure"),
    path("share.json", views.share_file, name="registry-share"),
    path("network", network_views.page, name="registry-network"),
    path("network/upload", network_views.upload, name="registry-network-upload"),
    path("network/remove", network_views.remove, name="registry-network-remove"),
    path("network/tables/<slug:name>.csv", network_views.table_csv, name="registry-network-table"),
    path(
        "network/figures/<slug:name>.<slug:fmt>",
        network_views.figure_file,
        name="registry-network-figure",
    ),
]
