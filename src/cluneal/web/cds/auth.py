"""JWT authentication of the EHR calling the CDS service (CDS Hooks 2.0 "Trusting CDS Clients").

Every request carries ``Authorization: Bearer <JWT>`` signed with ES384 or RS384 by an issuer
listed in ``CLUNEAL_CDS_TRUSTED_ISSUERS`` (a JSON object mapping each ``iss`` to the path or URL
of its JWKS). The signature, ``iss``, ``aud`` (the URL called), ``exp``, ``iat`` and ``jti``
(never twice) are checked. A ``jku`` header is followed only when it is that issuer's allow-listed
URL; otherwise the allow-listed key set is used. Failures carry a reason for the log only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cluneal.web.cds.models import SeenToken

ALGORITHMS = ("ES384", "RS384")
LEEWAY = 60
JWKS_TTL = 600
_cache: dict[str, tuple[float, jwt.PyJWKSet]] = {}
_lock = threading.Lock()


class AuthError(Exception):
    """Why a token was refused (logged, never sent to the caller)."""


def trusted_issuers() -> dict[str, str]:
    return dict(settings.CLUNEAL_CDS_TRUSTED_ISSUERS)


def load_jwks(location: str) -> jwt.PyJWKSet:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(location)
        if cached and now - cached[0] < JWKS_TTL:
            return cached[1]
    try:
        if location.startswith(("https://", "http://")):
            request = urllib.request.Request(location, headers={"Accept": "application/json"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
                data = json.loads(response.read(1_000_000))
        else:
            data = json.loads(Path(location).read_text())
        keys = jwt.PyJWKSet.from_dict(data)
    except (OSError, ValueError, jwt.PyJWKSetError) as exc:
        raise AuthError(f"cannot load the key set {location}: {exc}") from None
    with _lock:
        _cache[location] = (now, keys)
    return keys


def verify(token: str, audience: str, *, verify_exp: bool = True) -> dict[str, Any]:
    """The token's claims, or :class:`AuthError`. Does not record the ``jti`` (see
    :func:`remember_jti`)."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError(f"malformed token: {exc}") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise AuthError(f"algorithm {alg!r} is not ES384 or RS384")
    issuer = unverified.get("iss")
    location = trusted_issuers().get(issuer) if isinstance(issuer, str) else None
    if location is None:
        raise AuthError(f"untrusted issuer {issuer!r}")
    jku = header.get("jku")
    if jku is not None and jku == location:
        location = jku  # honoured: it is the allow-listed URL
    keys = load_jwks(location)
    kid = header.get("kid")
    candidates = [k for k in keys.keys if kid is None or k.key_id == kid]
    if not candidates:
        raise AuthError(f"no key {kid!r} in the issuer's key set")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            candidates[0].key,
            algorithms=[alg],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "verify_exp": verify_exp},
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token: {exc}") from None
    if verify_exp and claims["iat"] > time.time() + LEEWAY:
        raise AuthError("token issued in the future")
    return claims


def remember_jti(claims: dict[str, Any]) -> None:
    """Record the token's ``jti``; raise :class:`AuthError` if this issuer used it before."""
    expires = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    if secrets.randbelow(100) == 0:  # forget expired ids now and then, not on every request
        stale = timezone.now() - dt.timedelta(seconds=LEEWAY)
        SeenToken.objects.filter(expires_at__lt=stale).delete()
    try:
        with transaction.atomic():
            SeenToken.objects.create(
                issuer=claims["iss"], jti=str(claims["jti"])[:200], expires_at=expires
            )
    except IntegrityError:
        raise AuthError("replayed jti") from None
