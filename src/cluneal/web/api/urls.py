"""The JSON API's URLs, included at ``/api/v1/`` (namespace ``api-v1``): django-ninja makes
them from the operations in ``views.py``."""

from cluneal.web.api.views import api

urlpatterns, app_name, _namespace = api.urls
