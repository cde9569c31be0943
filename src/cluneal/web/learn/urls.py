"""/learn/...: one route per entry of content.PAGES."""

from __future__ import annotations

from django.urls import URLPattern, path

from cluneal.web.learn import views
from cluneal.web.learn.content import PAGES

urlpatterns: list[URLPattern] = [
    path(p.path, views.page, {"name": p.name}, name=p.name)
    if p.build is not None
    else path(p.path, views.self_check, name=p.name)
    for p in PAGES
]
