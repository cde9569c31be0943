"""Why the self-check can take a POST without Django's CSRF token, and what it checks instead.

The self-check must leave nothing behind: no database row, no session, no cookie, and no answers
in an address (addresses end up in server access logs, browser history and Referer headers).
So the answers travel in a POST body, and the response is marked ``no-store``. Django's CSRF
token would need a cookie; it also protects nothing here, because the form changes nothing on
the server and its result goes only to the browser that sent it. Instead, a POST that a browser
marks as coming from another site (``Sec-Fetch-Site: cross-site`` or an ``Origin`` that is not
this site's) is refused, which is the cookie-free CSRF defence of the Fetch Metadata and Origin
headers. Requests without those headers (non-browser clients) are accepted: they carry no
ambient credentials a forger could borrow.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

ALLOWED_FETCH_SITES = {"same-origin", "none"}


def same_origin(request: HttpRequest) -> bool:
    """Whether a POST comes from this site's own pages (or from no page at all)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ALLOWED_FETCH_SITES:
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
