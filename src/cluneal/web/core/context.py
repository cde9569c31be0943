from __future__ import annotations

from importlib.metadata import version

from django.http import HttpRequest

from cluneal.knowledge.loader import active_pack


def site(request: HttpRequest) -> dict[str, object]:
    from cluneal.web.accounts.access import roles_of

    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else set()
    return {
        "cluneal_version": version("cluneal"),
        "pack": active_pack(),
        "nav_records": bool(roles & {"clinician", "site_admin"}),
        "nav_site_admin": "site_admin" in roles,
        "nav_research": bool(roles & {"researcher", "site_admin"}),
    }
