"""Configure Django and bring the database up to date: what ``cluneal serve`` does first."""

from __future__ import annotations

import os


def prepare(*, verbosity: int = 0) -> str:
    """Set up Django, create or migrate the database, and return a description of it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluneal.web.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=verbosity)
    db = settings.DATABASES["default"]
    engine = str(db["ENGINE"]).rsplit(".", 1)[-1]
    where = db.get("HOST") or ""
    return f"{engine} {where + '/' if where else ''}{db['NAME']}"
