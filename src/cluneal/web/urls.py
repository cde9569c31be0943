"""The project's URL map: each app's own ``urls.py``, included once.

Every part of a path that names something is matched by a converter that accepts only what can
name it; ``tests/web/records/test_every_url.py`` sends malformed values to every pattern of
this map.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("cluneal.web.calculator.urls")),
    path("api/v1/", include("cluneal.web.api.urls", namespace="api-v1")),
    path("", include("cluneal.web.accounts.urls")),
    path("", include("cluneal.web.audit.urls")),
    path("", include("cluneal.web.records.urls")),
    path("", include("cluneal.web.cds.urls")),
    path("", include("cluneal.web.screening.urls")),
    path("registry/", include("cluneal.web.registry.urls")),
    path("research/", include("cluneal.web.research.urls")),
    path("directory/", include("cluneal.web.directory.urls")),
    path("learn/", include("cluneal.web.learn.urls")),
]

handler400 = "cluneal.web.core.errors.unreadable_body"
handler404 = "cluneal.web.core.errors.not_found"
