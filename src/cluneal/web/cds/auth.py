"""JWT authentication of the EHR calling the CDS service (CDS Hooks 2.0 "Trusting CDS Clients").

Every request carries ``Authorization: Bearer <JWT>`` signed with ES384 or RS384 by an issuer
listed in ``CLUNEAL_CDS_TRUSTED_ISSUERS`` (a JSON object mapping each ``iss`` to the path or URL
of its JWKS). The signature, ``iss``, ``aud`` (the URL called), ``exp`` (at most five minutes
ahead, as the specification requires), ``iat`` and ``jti`` (never twice) are checked. A ``jku``
header is followed only when it is that issuer's allow-listed URL; otherwise the allow-listed key
set is used. Failures carry a reason for the log only.

:func:`verify` is the one gate: whatever the token holds, it returns checked claims or raises
:class:`AuthError`. The token is read strictly before any key is touched (three base64url
segments, JSON objects without duplicate members, claims of the right types), and each key of a
key set is prepared once, bound to the one algorithm it verifies, so that a header naming another
algorithm than its key's type is refused rather than reaching the crypto library. The
signature is then checked with that key by the crypto library directly, and the claims already
read are checked here (``iss``, ``aud``, ``exp``, ``iat``, ``nbf``), so that nothing is parsed
twice: the signature check is most of what verifying a token costs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from cluneal.web.cds.models import SeenToken

ALGORITHMS = ("ES384", "RS384")
LEEWAY = 60
#: CDS Hooks 2.0: "exp ... MUST be set to no more than 5 minutes in the future".
MAX_LIFETIME = 300
MAX_TOKEN_CHARS = 8_192
MAX_KID_CHARS = 200
MIN_RSA_BITS = 2048
ES384_BYTES = 48
JWKS_TTL = 600
#: Header members that change how a token is processed; none is supported, so none is accepted.
REFUSED_HEADERS = ("crit", "b64", "zip", "enc")
SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_cache: dict[str, tuple[float, KeySet]] = {}
_lock = threading.Lock()


class AuthError(Exception):
    """Why a token was refused (logged, never sent to the caller)."""


@dataclass(frozen=True)
class KeySet:
    """An issuer's verification keys by (``kid``, algorithm), each prepared once."""

    keys: dict[tuple[str, str], jwt.PyJWK]
    skipped: tuple[str, ...] = ()


def trusted_issuers() -> dict[str, str]:
    return dict(settings.CLUNEAL_CDS_TRUSTED_ISSUERS)


def _key_algorithm(jwk: dict[str, Any]) -> str | None:
    """The one algorithm a JWK verifies here, or None: ES384 for an EC P-384 key, RS384 for an
    RSA key; a key whose own ``alg`` or ``use`` says otherwise is not used."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    natural = "ES384" if (kty, crv) == ("EC", "P-384") else "RS384" if kty == "RSA" else None
    if natural is None or jwk.get("alg", natural) != natural:
        return None
    return natural if jwk.get("use", "sig") == "sig" else None


def read_key_set(data: Any) -> KeySet:
    """The usable keys of a JWKS document (RFC 7517); keys that cannot be used are skipped."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise AuthError('a key set is a JSON object with a "keys" list')
    keys: dict[tuple[str, str], jwt.PyJWK] = {}
    skipped: list[str] = []
    for i, jwk in enumerate(data["keys"]):
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        alg = _key_algorithm(jwk) if isinstance(jwk, dict) else None
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS or alg is None:
            skipped.append(f"keys[{i}]: not an ES384 or RS384 signing key with a kid")
            continue
        try:
            key = jwt.PyJWK(jwk, alg)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError) as exc:
            skipped.append(f"keys[{i}] ({kid}): {exc}")
            continue
        if isinstance(key.key, rsa.RSAPublicKey) and key.key.key_size < MIN_RSA_BITS:
            skipped.append(f"keys[{i}] ({kid}): RSA key shorter than {MIN_RSA_BITS} bits")
            continue
        if (kid, alg) in keys:
            skipped.append(f"keys[{i}] ({kid}): a second key with the same kid")
            continue
        keys[(kid, alg)] = key
    return KeySet(keys, tuple(skipped))


def load_jwks(location: str) -> KeySet:
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
    except (OSError, ValueError, RecursionError) as exc:
        raise AuthError(f"cannot load the key set {location}: {exc}") from None
    keys = read_key_set(data)
    with _lock:
        _cache[location] = (now, keys)
    return keys


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate member")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _segment(text: str, what: str) -> dict[str, Any]:
    """A JSON object from a base64url segment, strictly: no padding tricks, no duplicate
    members, no NaN or Infinity."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise AuthError(f"malformed token: the {what} is not a JSON object ({exc})") from None
    if not isinstance(value, dict):
        raise AuthError(f"malformed token: the {what} is not a JSON object")
    return value


def _integer(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise AuthError(f"claim {name!r} is not an integer")
    return value


def read_token(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the (still unverified) claims of a compact JWS, checked for shape."""
    if not 0 < len(token) <= MAX_TOKEN_CHARS:
        raise AuthError("malformed token: empty or longer than 8 KiB")
    parts = token.split(".")
    if len(parts) != 3 or not all(SEGMENT.fullmatch(p) for p in parts):
        raise AuthError("malformed token: not three base64url segments")
    header, claims = _segment(parts[0], "header"), _segment(parts[1], "payload")
    if header.get("alg") not in ALGORITHMS:
        raise AuthError(f"algorithm {header.get('alg')!r} is not ES384 or RS384")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
        raise AuthError("the header has no usable kid")
    typ = header.get("typ", "JWT")
    if not isinstance(typ, str) or typ.upper() != "JWT":
        raise AuthError(f"typ {typ!r} is not JWT")
    if "jku" in header and not isinstance(header["jku"], str):
        raise AuthError("jku is not a string")
    if refused := [name for name in REFUSED_HEADERS if name in header]:
        raise AuthError(f"unsupported header members {refused}")
    for name in ("iss", "jti"):
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise AuthError(f"claim {name!r} is not a non-empty string")
    aud = claims.get("aud")
    if not isinstance(aud, str) and not (
        isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud)
    ):
        raise AuthError("claim 'aud' is not a string")
    for name in ("exp", "iat"):
        _integer(claims, name)
    if "nbf" in claims:
        _integer(claims, "nbf")
    return header, claims


def verify(token: str, audience: str, *, verify_exp: bool = True) -> dict[str, Any]:
    """The token's claims, or :class:`AuthError`. Does not record the ``jti`` (see
    :func:`record`)."""
    header, unverified = read_token(token)
    issuer = unverified["iss"]
    location = trusted_issuers().get(issuer)
    if location is None:
        raise AuthError(f"untrusted issuer {issuer!r}")
    alg, kid = header["alg"], header["kid"]
    key = load_jwks(location).keys.get((kid, alg))
    if key is None:
        raise AuthError(f"no {alg} key {kid!r} in the key set of {issuer}")
    signing_input, _, signature = token.rpartition(".")
    if not _signed(key, alg, signing_input.encode("ascii"), _unpadded(signature)):
        raise AuthError("invalid token: Signature verification failed")
    claims = unverified
    if claims["iss"] != issuer:  # the issuer whose key verified it (kept for clarity)
        raise AuthError("invalid token: issuer")
    aud = claims["aud"]
    if audience not in ([aud] if isinstance(aud, str) else aud):
        raise AuthError(f"invalid token: audience {aud!r}, not {audience!r}")
    now = time.time()
    if verify_exp and claims["exp"] <= now - LEEWAY:
        raise AuthError("invalid token: expired")
    if verify_exp and claims["iat"] > now + LEEWAY:
        raise AuthError("invalid token: issued in the future (iat)")
    if verify_exp and claims.get("nbf", 0) > now + LEEWAY:
        raise AuthError("invalid token: not yet valid (nbf)")
    if verify_exp and claims["exp"] > time.time() + MAX_LIFETIME + LEEWAY:
        raise AuthError("token expires more than 5 minutes ahead")
    if verify_exp and claims["exp"] - claims["iat"] > MAX_LIFETIME + LEEWAY:
        raise AuthError("token lives longer than 5 minutes")
    return claims


def _insert(cursor: Any, rows: list[Model]) -> None:
    """Insert model instances of one kind with one ``executemany``, each value prepared by its
    field exactly as the ORM's insert prepares it (``pre_save`` fills ``auto_now_add``), but
    without the ORM's machinery around it, which cost several times the insert itself."""
    meta, ops = rows[0]._meta, connection.ops
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (quoted names only)
    values = [
        [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields] for row in rows
    ]
    cursor.executemany(sql, values)


def _unpadded(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise AuthError("malformed token: the signature is not base64url") from None


def _signed(key: jwt.PyJWK, alg: str, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the key's signature of ``message`` by ``alg`` (the one
    algorithm the key was prepared for): ES384 as JWS gives it (r and s, 48 bytes each, RFC
    7518 3.4), RS384 as RSASSA-PKCS1-v1_5 with SHA-384. The key was prepared once, by
    :func:`read_key_set`; this is the signature check alone, with the claims read (and checked)
    by :func:`read_token` rather than parsed a second time."""
    public = key.key
    try:
        if alg == "ES384" and isinstance(public, ec.EllipticCurvePublicKey):
            if len(signature) != 2 * ES384_BYTES or public.curve.key_size != 384:
                return False
            r = int.from_bytes(signature[:ES384_BYTES], "big")
            s = int.from_bytes(signature[ES384_BYTES:], "big")
            public.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))
            return True
        if alg == "RS384" and isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA384())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def _jti_key(jti: str) -> str:
    """How a ``jti`` is stored: itself when short plain text, else its SHA-256, so that a long
    or odd nonce neither collides by truncation nor fails to store."""
    if len(jti) <= 120 and jti.isascii() and jti.isprintable():
        return jti
    return "sha256:" + hashlib.sha256(jti.encode("utf-8", "surrogatepass")).hexdigest()


def record(claims: dict[str, Any], writes: Sequence[Model] = ()) -> None:
    """Record the token's ``jti`` and save ``writes`` (issued cards, feedback) in one
    transaction; raise :class:`AuthError`, and save nothing, if this issuer used the ``jti``
    before.

    The store is the database, so a replay is refused by every worker and after a restart;
    an id is kept until its token has expired (at most :data:`MAX_LIFETIME` ahead)."""
    now = time.time()
    expires_at = min(max(claims["exp"], now), now + MAX_LIFETIME + LEEWAY)
    expires = dt.datetime.fromtimestamp(expires_at, tz=dt.UTC)
    if secrets.randbelow(100) == 0:  # forget expired ids now and then, not on every request
        stale = timezone.now() - dt.timedelta(seconds=LEEWAY)
        SeenToken.objects.filter(expires_at__lt=stale).delete()
    seen = SeenToken(issuer=claims["iss"][:300], jti=_jti_key(claims["jti"]), expires_at=expires)
    by_model: dict[type[Model], list[Model]] = {SeenToken: [seen]}
    for row in writes:
        by_model.setdefault(type(row), []).append(row)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for rows in by_model.values():
                _insert(cursor, rows)
    except IntegrityError:
        raise AuthError("replayed jti") from None
