"""WSGI entry point for gunicorn (``cluneal serve``) or any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluneal.web.settings")
application = get_wsgi_application()
