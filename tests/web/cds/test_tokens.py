"""Whatever the bearer token holds, a CDS endpoint answers a plain 401 and nothing is stored.

The family is generated: every header algorithm against every key type of the issuer's key set
(each signed by that key, so only the algorithm check stands between it and acceptance),
HMAC "signed" with the public keys as secrets, missing, duplicate and garbage header members,
malformed segments, claims of every wrong type and out-of-range values, bad signatures and
malformed Authorization headers. Each token goes to every CDS endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.test import Client

from cluneal.web.cds import auth
from cluneal.web.cds.models import CardFeedback, IssuedCard, SeenToken

ISSUER = "https://ehr.test.example/"
BASE = "http://testserver"
PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"
ENDPOINTS = ("/cds-services", PV, OS, PV + "/feedback")
Signer = Callable[[bytes], bytes]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    if isinstance(value, bytes):
        return b64(value)
    if isinstance(value, str):
        return b64(value.encode())
    return b64(json.dumps(value).encode())


@dataclass
class Keys:
    ec384: ec.EllipticCurvePrivateKey
    ec256: ec.EllipticCurvePrivateKey
    rsa: rsa.RSAPrivateKey
    short_rsa: rsa.RSAPrivateKey

    def signer(self, kind: str) -> Signer:
        sha256, sha384 = jwt.algorithms.ECAlgorithm.SHA256, jwt.algorithms.ECAlgorithm.SHA384
        return {
            "ec384": lambda m: jwt.algorithms.ECAlgorithm(sha384).sign(m, self.ec384),
            "ec256": lambda m: jwt.algorithms.ECAlgorithm(sha256).sign(m, self.ec256),
            "rsa": lambda m: jwt.algorithms.RSAAlgorithm(sha384).sign(m, self.rsa),
            "short_rsa": lambda m: jwt.algorithms.RSAAlgorithm(sha384).sign(m, self.short_rsa),
        }[kind]


KIDS = {"ec384": "ec-384", "ec256": "ec-256", "rsa": "rsa-2048", "short_rsa": "rsa-1024"}


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        ec.generate_private_key(ec.SECP384R1()),
        ec.generate_private_key(ec.SECP256R1()),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505 (refused)
    )


@pytest.fixture
def issuer(settings, tmp_path: Path, keys: Keys) -> Keys:
    """A trusted issuer whose key set holds an EC P-384, an EC P-256, an RSA 2048 and an RSA
    1024 key, an HMAC secret and a key without kid; only the first and third may verify."""
    jwks = []
    for kind in ("ec384", "ec256", "rsa", "short_rsa"):
        public = getattr(keys, kind).public_key()
        algorithm = (
            jwt.algorithms.ECAlgorithm if kind.startswith("ec") else jwt.algorithms.RSAAlgorithm
        )
        jwks.append({**json.loads(algorithm.to_jwk(public)), "kid": KIDS[kind], "use": "sig"})
    jwks.append({"kty": "oct", "kid": "hmac", "k": b64(b"s" * 48)})
    no_kid = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(keys.ec384.public_key()))
    jwks.append(no_kid)
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": jwks}))
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS = {ISSUER: str(path)}
    settings.CLUNEAL_PUBLIC_URL = ""
    auth._cache.clear()
    return keys


def claims(path: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    out = {
        "iss": ISSUER,
        "aud": BASE + path,
        "iat": now,
        "exp": now + 120,
        "jti": str(uuid.uuid4()),
    }
    out.update(changes)
    return {k: v for k, v in out.items() if v is not ...}


def token(header: Any, payload: Any, signer: Signer | None) -> str:
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = signer(signing_input.encode()) if signer else b""
    return f"{signing_input}.{b64(signature)}"


def public_pems(keys: Keys) -> dict[str, bytes]:
    out = {}
    for kind in ("ec384", "rsa"):
        public = getattr(keys, kind).public_key()
        out[f"{kind} PEM"] = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        out[f"{kind} DER"] = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return out


ALGS: list[Any] = [
    "ES384", "RS384", "ES256", "ES512", "RS256", "RS512", "PS384", "HS256", "HS384", "EdDSA",
    "none", "None", "NONE", "", "es384", "ES384 ", None, 384, ["ES384"], {"alg": "ES384"}, True,
]  # fmt: skip
VALID = [("ES384", "ec384"), ("RS384", "rsa")]


def bad_tokens(keys: Keys, path: str) -> Iterator[tuple[str, str]]:
    """(what, token) for every malformed or mismatched token, aimed at ``path``."""
    good = claims(path)
    es384 = keys.signer("ec384")
    # Every header algorithm against every key of the set, signed by that key.
    for alg, kind in itertools.product(ALGS, KIDS):
        if (alg, kind) not in VALID:
            header = {"alg": alg, "typ": "JWT", "kid": KIDS[kind]}
            yield f"alg {alg!r} with the {kind} key", token(header, claims(path), keys.signer(kind))
    for kind in KIDS:  # keys the set holds but that may not verify, with their own algorithm
        if kind in ("ec256", "short_rsa"):
            alg = "ES256" if kind == "ec256" else "RS384"
            header = {"alg": alg, "kid": KIDS[kind]}
            yield f"the {kind} key itself", token(header, claims(path), keys.signer(kind))
            yield (
                f"the {kind} key as ES384",
                token({"alg": "ES384", "kid": KIDS[kind]}, claims(path), keys.signer(kind)),
            )
    # HMAC with a public key (or the key set itself) as the secret: the classic confusion.
    for alg, kid in itertools.product(("HS256", "HS384", "HS512"), [*KIDS.values(), "hmac", None]):
        for name, secret in [*public_pems(keys).items(), ("the JWKS", b'{"keys": []}')]:
            digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
            header = {"alg": alg} | ({"kid": kid} if kid else {})
            signer = lambda m, s=secret, d=digest[alg]: hmac.new(s, m, d).digest()  # noqa: E731
            yield f"{alg} kid {kid} keyed with {name}", token(header, claims(path), signer)
    # "none", unsigned, with and without a kid.
    for alg in ("none", "None", "ES384", "RS384"):
        for kid in ("ec-384", "rsa-2048", None):
            header = {"alg": alg} | ({"kid": kid} if kid else {})
            yield f"unsigned {alg} kid {kid}", token(header, claims(path), None)
    # Header members missing, duplicated, of the wrong type or unsupported.
    kid = KIDS["ec384"]
    for header in [
        {"typ": "JWT", "kid": kid},
        {"alg": "ES384", "typ": "JWT"},
        {"alg": "ES384", "kid": "no-such-key"},
        {"alg": "ES384", "kid": ""},
        {"alg": "ES384", "kid": "x" * 201},
        *({"alg": "ES384", "kid": v} for v in (None, 7, 7.5, True, [kid], {"kid": kid})),
        *({"alg": "ES384", "kid": kid, "typ": v} for v in ("JWE", "", None, 1, ["JWT"])),
        *({"alg": "ES384", "kid": kid, "jku": v} for v in (None, 1, ["https://x/"], {})),
        {"alg": "ES384", "kid": kid, "crit": ["exp"], "exp": 1},
        {"alg": "ES384", "kid": kid, "crit": []},
        {"alg": "ES384", "kid": kid, "b64": False},
        {"alg": "ES384", "kid": kid, "enc": "A256GCM"},
        {"alg": "ES384", "kid": kid, "zip": "DEF"},
    ]:
        yield f"header {header}", token(header, claims(path), es384)
    valid_header = json.dumps({"alg": "ES384", "kid": kid})
    for raw in [
        '{"alg": "ES384", "kid": "KID", "alg": "none"}'.replace("KID", kid),
        '{"alg": "none", "kid": "KID", "alg": "ES384"}'.replace("KID", kid),
        '{"alg": "ES384", "kid": "no-such-key", "kid": "KID"}'.replace("KID", kid),
        '{"alg": "ES384", "kid": "KID", "kid": "KID"}'.replace("KID", kid),
        '{"alg": "ES384", "kid": "KID", "typ": NaN}'.replace("KID", kid),
        '{"alg": "ES384", "kid": "KID", "x": Infinity}'.replace("KID", kid),
        valid_header[:-1],
        valid_header + "x",
        "[" + valid_header + "]",
        '"ES384"',
        "null",
        "12",
        "",
        "[" * 5000 + "]" * 5000,
        '{"alg": "ES384", "kid": "KID", "n": N}'.replace("KID", kid).replace("N", "9" * 5000),
    ]:
        yield f"raw header {raw[:60]!r}", token(raw, claims(path), es384)
    yield "header not UTF-8", token(b'{"alg": "\xff\xfe"}', claims(path), es384)
    # Segments: count, alphabet, padding, emptiness, size.
    real = token({"alg": "ES384", "kid": kid}, good, es384)
    h, p, s = real.split(".")
    for what, value in [
        ("empty", ""),
        ("one segment", h),
        ("two segments", f"{h}.{p}"),
        ("four segments", f"{real}.{s}"),
        ("five segments (JWE)", f"{h}.{p}.{s}.{s}.{s}"),
        ("empty header", f".{p}.{s}"),
        ("empty payload", f"{h}..{s}"),
        ("empty signature", f"{h}.{p}."),
        ("padded", f"{h}==.{p}.{s}"),
        ("standard base64", f"{h}+/.{p}.{s}"),
        ("a space inside", f"{h} .{p}.{s}"),
        ("a tab inside", f"{h}\t.{p}.{s}"),
        ("non-ASCII", f"{h}é.{p}.{s}"),
        ("length 4n+1", f"{h}.{p}A.{s}"),
        ("NUL", f"{h}\x00.{p}.{s}"),
        ("dots only", ".."),
        ("huge", f"{h}.{p + 'A' * 20_000}.{s}"),
        ("huge signature", f"{h}.{p}.{s * 200}"),
        ("flipped signature", f"{h}.{p}.{s[:-2]}{'AB' if s[-2:] != 'AB' else 'CD'}"),
        ("short signature", f"{h}.{p}.{s[:10]}"),
        (
            "signature of another token",
            f"{h}.{p}.{token({'alg': 'ES384'}, {}, es384).split('.')[2]}",
        ),
    ]:
        yield f"segments: {what}", value
    # Payloads and claims of every wrong type, missing, or out of range.
    now = int(time.time())
    for name in ("iss", "aud", "exp", "iat", "jti"):
        yield f"no {name}", token({"alg": "ES384", "kid": kid}, claims(path, **{name: ...}), es384)
        for value in (None, True, 1.5, [], {}, "", "1"):
            if (name, value) in (("aud", []), ("jti", "1")):
                continue
            payload = claims(path, **{name: value})
            yield f"{name}={value!r}", token({"alg": "ES384", "kid": kid}, payload, es384)
    for what, changes in [
        ("exp 10**12", {"exp": 10**12}),
        ("exp 10**30", {"exp": 10**30}),
        ("exp -1", {"exp": -1}),
        ("exp in an hour", {"exp": now + 3600}),
        ("exp 6 minutes ahead", {"exp": now + 6 * 60 + 61}),
        ("exp as a string", {"exp": str(now + 60)}),
        ("exp as a float", {"exp": now + 60.0}),
        ("expired", {"exp": now - 3600}),
        ("iat 10**12", {"iat": 10**12}),
        ("iat -10**20", {"iat": -(10**20)}),
        ("iat in an hour", {"iat": now + 3600}),
        ("nbf in an hour", {"nbf": now + 3600}),
        ("nbf a string", {"nbf": "soon"}),
        ("iss untrusted", {"iss": "https://mallory.example/"}),
        ("iss trusted plus a slash", {"iss": ISSUER + "/"}),
        ("aud elsewhere", {"aud": "https://elsewhere.example" + path}),
        ("aud another path", {"aud": BASE + "/cds-services/other"}),
        ("aud a list of others", {"aud": ["https://elsewhere.example/"]}),
        ("aud a list with a number", {"aud": [BASE + path, 1]}),
    ]:
        yield what, token({"alg": "ES384", "kid": kid}, claims(path, **changes), es384)
    for raw in (
        "[]",
        "null",
        '"claims"',
        "",
        '{"iss": "ISS", "iss": "https://mallory.example/"}'.replace("ISS", ISSUER),
        json.dumps(good)[:-1] + ', "exp": 1e400}',
        json.dumps(good)[:-1] + ', "exp": NaN}',
        json.dumps(good)[:-1] + ', "iat": %s}' % ("9" * 5000),
    ):
        yield f"raw payload {raw[:50]!r}", token({"alg": "ES384", "kid": kid}, raw, es384)
    # The right key's kid, signed by another key of the same type.
    impostor = ec.generate_private_key(ec.SECP384R1())
    forged = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA384)

    def forger(m: bytes) -> bytes:
        return forged.sign(m, impostor)

    yield "signed by an impostor", token({"alg": "ES384", "kid": kid}, claims(path), forger)


AUTHORIZATIONS = [
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Token abc",
    "Bearer a b c",
    "Bearer " + "A" * 100_000,
    "BearerX abc.def.ghi",
]


def send(client: Client, path: str, authorization: str | None) -> Any:
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    if path == "/cds-services":
        return client.get(path, **headers)
    body = {"hook": "patient-view"} if not path.endswith("feedback") else {"feedback": []}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def stored() -> tuple[int, int, int]:
    return SeenToken.objects.count(), IssuedCard.objects.count(), CardFeedback.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_malformed_or_mismatched_token_gets_a_plain_401(issuer, path, caplog):
    client = Client(raise_request_exception=False)
    family = list(bad_tokens(issuer, path))
    assert len(family) > 300
    wrong = []
    for what, bad in family:
        response = send(client, path, f"Bearer {bad}")
        if response.status_code != 401 or response.json() != {"detail": "unauthorized"}:
            wrong.append((what, response.status_code, response.content[:200]))
    for authorization in AUTHORIZATIONS:
        response = send(client, path, authorization)
        if response.status_code != 401 or response.json() != {"detail": "unauthorized"}:
            wrong.append((authorization[:30], response.status_code, response.content[:200]))
    assert wrong == []
    assert stored() == (0, 0, 0)
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(("alg", "kind"), sorted(VALID))
def test_the_same_keys_verify_well_formed_tokens(issuer, fhir, alg, kind):
    """The control for the family above: the two usable keys, used properly, are accepted."""
    client = Client()
    for path in ENDPOINTS:
        header = {"alg": alg, "typ": "JWT", "kid": KIDS[kind]}
        good = token(header, claims(path), issuer.signer(kind))
        if path == "/cds-services":
            assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
        elif path.endswith("feedback"):
            item = {"card": str(uuid.uuid4()), "outcome": "accepted"}
            item["outcomeTimestamp"] = "2021-12-11T10:05:31Z"
            body = json.dumps({"feedback": [item]})
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
            )
            assert response.status_code == 200
        else:
            hook = "patient-view" if path == PV else "order-sign"
            body = json.dumps(fhir.request(hook))
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
            )
            assert response.status_code == 200, response.content
    assert SeenToken.objects.count() == len(ENDPOINTS)


@pytest.mark.django_db
def test_a_long_or_odd_jti_is_remembered_whole(issuer, fhir):
    """A jti is stored whole, or as its hash when long or odd: two nonces sharing a long prefix
    are two tokens, and each is refused the second time."""
    client = Client()
    for jti in ("x" * 3000 + "1", "x" * 3000 + "2", "nul\x00inside", "é" * 50):
        good = token(
            {"alg": "ES384", "kid": KIDS["ec384"]}, claims(PV, jti=jti), issuer.signer("ec384")
        )
        body = json.dumps(fhir.request("patient-view"))
        statuses = [
            client.post(
                PV, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
            ).status_code
            for _ in range(2)
        ]
        assert statuses == [200, 401], jti[:10]
    assert SeenToken.objects.count() == 4


@pytest.mark.django_db
def test_a_replay_is_refused_by_another_worker_after_a_restart(ehr, fhir):
    """The jti store is the database: a fresh client with every in-process cache emptied (as a
    second worker, or the same one restarted, would be) still refuses the token."""
    good = ehr.token(PV)
    body = json.dumps(fhir.request("patient-view"))
    first = Client().post(
        PV, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
    )
    assert first.status_code == 200
    auth._cache.clear()
    again = Client().post(
        PV, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
    )
    assert (again.status_code, again.json()) == (401, {"detail": "unauthorized"})
    assert SeenToken.objects.filter(issuer=ISSUER).count() == 1


def test_each_key_is_prepared_once_per_key_set_load(issuer, settings):
    """Keys are read and prepared when the key set loads, bound to their one algorithm;
    verifying does not prepare them again."""
    key_set = auth.load_jwks(settings.CLUNEAL_CDS_TRUSTED_ISSUERS[ISSUER])
    assert sorted(key_set.keys) == [("ec-384", "ES384"), ("rsa-2048", "RS384")]
    assert len(key_set.skipped) == 4  # P-256, RSA 1024, HMAC, no kid
    assert auth.load_jwks(settings.CLUNEAL_CDS_TRUSTED_ISSUERS[ISSUER]) is key_set
