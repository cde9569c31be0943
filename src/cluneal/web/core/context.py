from __future__ import annotations

from importlib.metadata import version

from django.http import HttpRequest

from cluneal.knowledge.loader import active_pack


def site(request: HttpRequest) -> dict[str, object]:
    pack = active_pack()
    return {"cluneal_version": version("cluneal"), "pack": pack}
