"""Where a CDS request's time goes: CPU time per stage, sent back as ``Server-Timing`` when
``CLUNEAL_CDS_SERVER_TIMING`` is on (``bench/cds_hooks.py`` turns it on and adds them up).

Each stage is the CPU time of the request's own thread (``time.thread_time``), so other
requests running meanwhile, and other programs on the machine, do not count in it. ``django``
is what the request costs outside the view: Django's handler, the middleware and the URL
resolver (from the outermost CDS middleware in, so gunicorn's own work is not in it).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

#: The stages, in the order a request passes them.
STAGES = ("parse", "jwt", "schema", "fetch", "notes", "fhir", "engine", "cards", "db", "json")


class Stages:
    """CPU time spent so far in each stage of one request."""

    def __init__(self) -> None:
        self.spent: dict[str, int] = {}
        self._last = time.thread_time_ns()

    def mark(self) -> None:
        """Start timing from now: what went before is charged to no stage (so to ``django``)."""
        self._last = time.thread_time_ns()

    def lap(self, stage: str) -> None:
        """Charge the CPU time since the previous lap to ``stage``."""
        now = time.thread_time_ns()
        self.spent[stage] = self.spent.get(stage, 0) + now - self._last
        self._last = now

    def header(self, total_ns: int) -> str:
        inside = sum(self.spent.values())
        parts = list(self.spent.items())
        parts.append(("django", max(0, total_ns - inside)))
        return ", ".join(f"{stage};dur={ns / 1e6:.3f}" for stage, ns in parts)


def stages_of(request: HttpRequest) -> Stages:
    """The request's stage clock (one made for it if the middleware did not make one)."""
    found = getattr(request, "cds_stages", None)
    if found is None:
        found = Stages()
        request.cds_stages = found
    return found


class ServerTiming:
    """Middleware (the outermost of the CDS endpoints'): starts the stage clock and, when
    ``CLUNEAL_CDS_SERVER_TIMING`` is on, answers the stages as a ``Server-Timing`` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.CLUNEAL_CDS_SERVER_TIMING:
            return self.get_response(request)
        start = time.thread_time_ns()
        stages = stages_of(request)
        response = self.get_response(request)
        response.headers["Server-Timing"] = stages.header(time.thread_time_ns() - start)
        return response
