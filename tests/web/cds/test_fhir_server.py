"""The EHR's access token goes only to a FHIR base URL configured for the token's issuer, at an
address that is public or in a configured network; anything else is a 412 with the reason, a
warning in the log, and not one request sent.

The families: fhirServer values that are not the configured base (schemes, userinfo, every
spelling of a loopback address, paths, ports, encodings); configured bases whose addresses are
private, loopback or link-local in every form, IPv6 and decimal included; host names resolving
to several addresses; redirects and next-page links to places outside the base."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from cluneal.web.cds import fetch
from cluneal.web.cds.models import IssuedCard
from cluneal.web.env import ConfigError, base_url, env_base_urls, env_networks

PV = "/cds-services/cluneal-patient-view"
ISSUER = "https://ehr.test.example/"
NOT_ALLOWED = "the FHIR server is not one this service may call"
MISSING = "prefetch data is missing and the FHIR server could not provide it"
NOT_LISTED = "is not a FHIR server allowed for this issuer (CLUNEAL_CDS_FHIR_SERVERS)"
NOT_PUBLIC = "a private, loopback or link-local address not in CLUNEAL_CDS_FHIR_NETWORKS"
PLAIN = "not a plain ASCII URL without spaces, backslashes, %, ? or #"
NOT_HTTP = "not an http or https URL"
USERINFO = "a user name or password in the URL"
DOTS = "dot segments or empty segments in the path"


def routes(fhir: Any, prefix: str = "/fhir") -> dict[str, Any]:
    return {
        f"{prefix}/Patient/p1": fhir.PATIENT,
        f"{prefix}/Condition?patient=p1": fhir.bundle(fhir.LBP, fhir.BUTTOCK),
        f"{prefix}/Procedure?patient=p1": fhir.bundle(),
        f"{prefix}/ServiceRequest?patient=p1": fhir.bundle(),
    }


def hook_request(fhir: Any, server: str) -> dict[str, Any]:
    body = fhir.request("patient-view", prefetch=False)
    body["fhirServer"] = server
    body["fhirAuthorization"] = {"access_token": "opaque-token", "token_type": "Bearer"}
    return body


def problems(detail: str, path: str, message: str) -> dict[str, Any]:
    return {
        "format": "cluneal-problems/1",
        "detail": detail,
        "problems": [{"path": path, "message": message}],
    }


def answers(ehr: Any, fhir: Any, cases: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Send each (fhirServer, expected answer); the cases answered otherwise."""
    client = Client(raise_request_exception=False)
    wrong = []
    for server, expected in cases:
        response = ehr.post(client, PV, hook_request(fhir, server))
        answer = response.json() if response["Content-Type"] == "application/json" else None
        if response.status_code != 412 or answer != expected:
            wrong.append((server, response.status_code, response.content[:300]))
    return wrong


def refused_spellings(port: int) -> list[tuple[str, str | None]]:
    """(fhirServer, why base_url refuses it, or None when it is merely not configured) around
    the configured ``http://127.0.0.1:<port>/fhir``."""
    here = f"127.0.0.1:{port}"
    return [
        (f"ftp://{here}/fhir", NOT_HTTP),
        ("file:///etc/passwd", NOT_HTTP),
        (f"gopher://{here}/fhir", NOT_HTTP),
        ("javascript:alert(1)", NOT_HTTP),
        (f"//{here}/fhir", NOT_HTTP),
        (f"{here}/fhir", NOT_HTTP),
        ("", NOT_HTTP),
        (f"http://user:pw@{here}/fhir", USERINFO),
        (f"http://{here}@evil.example/fhir", USERINFO),
        (f"http://evil.example@{here}/fhir", USERINFO),
        (f"http://@{here}/fhir", USERINFO),
        (f"http://{here}/fhir?x=1", PLAIN),
        (f"http://{here}/fhir#x", PLAIN),
        (f"http://{here}/fhir%2f..", PLAIN),
        (f"http://{here}/%66hir", PLAIN),
        (f"http://{here}\\@evil.example/fhir", PLAIN),
        (f" http://{here}/fhir", PLAIN),
        (f"http://{here}/fhir ", PLAIN),
        (f"http://{here}/fhir\r\nX-Injected: 1", PLAIN),
        (f"http://{here}/fhir\t", PLAIN),
        (f"http://{here}/fhír", PLAIN),
        ("http://fhír.example/fhir", PLAIN),
        (f"http://{here}/fhir/../admin", DOTS),
        (f"http://{here}/fhir/..", DOTS),
        (f"http://{here}/fhir/.", DOTS),
        (f"http://{here}//fhir", DOTS),
        (f"http://{here}/fhir//", DOTS),
        ("http:///fhir", "no host"),
        ("http://:80/fhir", "no host"),
        ("http://127.0.0.1:99999/fhir", "not a valid port"),
        ("http://127.0.0.1:abc/fhir", "not a valid port"),
        ("http://[::1/fhir", "Invalid IPv6 URL"),
        (f"https://{here}/fhir", None),
        (f"http://localhost:{port}/fhir", None),
        (f"http://2130706433:{port}/fhir", None),
        (f"http://0x7f000001:{port}/fhir", None),
        (f"http://0177.0.0.1:{port}/fhir", None),
        (f"http://127.1:{port}/fhir", None),
        (f"http://127.0.0.2:{port}/fhir", None),
        (f"http://[::1]:{port}/fhir", None),
        (f"http://[::ffff:127.0.0.1]:{port}/fhir", None),
        (f"http://[::ffff:7f00:1]:{port}/fhir", None),
        (f"http://[0:0:0:0:0:ffff:7f00:1]:{port}/fhir", None),
        (f"http://127.0.0.1.nip.io:{port}/fhir", None),
        (f"http://{here}.evil.example/fhir", "not a valid port"),
        ("http://127.0.0.1.evil.example/fhir", None),
        ("http://169.254.169.254/latest/meta-data", None),
        (f"http://[fe80::1]:{port}/fhir", None),
        (f"http://0.0.0.0:{port}/fhir", None),
        ("http://10.0.0.1/fhir", None),
        (f"http://127.0.0.1:{port + 1}/fhir", None),
        ("http://127.0.0.1/fhir", None),
        (f"http://{here}", None),
        (f"http://{here}/", None),
        (f"http://{here}/fhir/x", None),
        (f"http://{here}/FHIR", None),
        (f"http://{here}/fhirx", None),
        (f"http://{here}/fhi", None),
        ("https://fhir.ehr.test.example/r4", None),
    ]


@pytest.mark.django_db
def test_a_fhir_server_not_configured_for_the_issuer_is_refused_unasked(
    ehr, fhir, fhir_server, caplog
):
    configured = fhir_server(routes(fhir))
    port = configured.httpd.server_address[1]
    family = refused_spellings(port)
    cases = []
    for server, why in family:
        message = f"{server!r} {NOT_LISTED}" if why is None else f"{server!r} is refused: {why}"
        cases.append((server, problems(NOT_ALLOWED, "fhirServer", message)))
    assert len(cases) > 55
    assert answers(ehr, fhir, cases) == []
    assert configured.seen == [], "the token was sent"
    assert IssuedCard.objects.count() == 0
    warnings = [r for r in caplog.records if "FHIR server refused" in r.getMessage()]
    assert len(warnings) == len(cases)
    assert all(r.levelname == "WARNING" for r in warnings)
    # The control: the configured base, however it is spelled, is used.
    for server in (configured.url, configured.url + "/", configured.url.replace("http", "HTTP")):
        response = ehr.post(Client(), PV, hook_request(fhir, server))
        assert response.status_code == 200, (server, response.content)


@pytest.mark.django_db
def test_a_fhir_server_configured_for_another_issuer_is_refused(ehr, fhir, fhir_server, settings):
    configured = fhir_server(routes(fhir))
    other = "https://other-ehr.test.example/"
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS = {**settings.CLUNEAL_CDS_TRUSTED_ISSUERS, other: ""}
    settings.CLUNEAL_CDS_TRUSTED_ISSUERS[other] = settings.CLUNEAL_CDS_TRUSTED_ISSUERS[ISSUER]
    response = ehr.post(Client(), PV, hook_request(fhir, configured.url), iss=other)
    message = f"{configured.url!r} {NOT_LISTED}"
    assert (response.status_code, response.json()) == (
        412,
        problems(NOT_ALLOWED, "fhirServer", message),
    )
    assert configured.seen == []


def private_bases(port: int) -> list[tuple[str, str, str]]:
    """(configured base, host, the address it is refused for): every form of an address that
    is not public."""
    localhost = socket.getaddrinfo("localhost", port, type=socket.SOCK_STREAM)[0][4][0]
    return [
        (f"http://127.0.0.1:{port}/fhir", "127.0.0.1", "127.0.0.1"),
        (f"http://localhost:{port}/fhir", "localhost", localhost),
        (f"http://2130706433:{port}/fhir", "2130706433", "127.0.0.1"),
        (f"http://0x7f000001:{port}/fhir", "0x7f000001", "127.0.0.1"),
        (f"http://0177.0.0.1:{port}/fhir", "0177.0.0.1", "127.0.0.1"),
        (f"http://127.1:{port}/fhir", "127.1", "127.0.0.1"),
        (f"http://0x7f.1:{port}/fhir", "0x7f.1", "127.0.0.1"),
        (f"http://[::1]:{port}/fhir", "::1", "::1"),
        (f"http://[::ffff:127.0.0.1]:{port}/fhir", "::ffff:127.0.0.1", "::ffff:7f00:1"),
        (f"http://[::127.0.0.1]:{port}/fhir", "::127.0.0.1", "::7f00:1"),
        (f"http://[64:ff9b::7f00:1]:{port}/fhir", "64:ff9b::7f00:1", "64:ff9b::7f00:1"),
        (f"http://[2002:7f00:1::]:{port}/fhir", "2002:7f00:1::", "2002:7f00:1::"),
        ("http://[::ffff:a9fe:a9fe]/latest", "::ffff:a9fe:a9fe", "::ffff:a9fe:a9fe"),
        ("http://169.254.169.254/latest", "169.254.169.254", "169.254.169.254"),
        ("http://2852039166/latest", "2852039166", "169.254.169.254"),
        (f"http://[fe80::1]:{port}/fhir", "fe80::1", "fe80::1"),
        (f"http://0.0.0.0:{port}/fhir", "0.0.0.0", "0.0.0.0"),  # noqa: S104 (refused)
        (f"http://[::]:{port}/fhir", "::", "::"),
        ("http://10.1.2.3/fhir", "10.1.2.3", "10.1.2.3"),
        ("http://172.16.0.1/fhir", "172.16.0.1", "172.16.0.1"),
        ("http://192.168.1.1/fhir", "192.168.1.1", "192.168.1.1"),
        ("http://100.64.0.1/fhir", "100.64.0.1", "100.64.0.1"),
        ("http://198.18.0.1/fhir", "198.18.0.1", "198.18.0.1"),
        ("http://192.0.2.1/fhir", "192.0.2.1", "192.0.2.1"),
        ("http://224.0.0.1/fhir", "224.0.0.1", "224.0.0.1"),
        ("http://255.255.255.255/fhir", "255.255.255.255", "255.255.255.255"),
        ("http://[fc00::1]/fhir", "fc00::1", "fc00::1"),
        ("http://[fd12:3456::1]/fhir", "fd12:3456::1", "fd12:3456::1"),
        ("http://[fec0::1]/fhir", "fec0::1", "fec0::1"),
        ("http://[ff02::1]/fhir", "ff02::1", "ff02::1"),
    ]


@pytest.mark.django_db
def test_a_configured_base_at_a_private_address_is_refused_unless_its_network_is(
    ehr, fhir, fhir_server, settings, caplog
):
    trap = fhir_server(routes(fhir), allow=False)
    port = trap.httpd.server_address[1]
    family = private_bases(port)
    settings.CLUNEAL_CDS_FHIR_SERVERS = {ISSUER: [base_url(b) for b, _, _ in family]}
    settings.CLUNEAL_CDS_FHIR_NETWORKS = []
    cases = []
    for base, host, ip in family:
        message = f"{host} resolves to {ip}, {NOT_PUBLIC}"
        cases.append((base, problems(NOT_ALLOWED, "prefetch.patient", message)))
    assert answers(ehr, fhir, cases) == []
    assert trap.seen == [], "the token was sent"
    assert len([r for r in caplog.records if "FHIR server refused" in r.getMessage()]) == len(cases)
    # Configured as allowed, loopback is used, in all its IPv4 spellings.
    settings.CLUNEAL_CDS_FHIR_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]
    for base, host, _ in family[:7]:
        if host != "localhost":
            response = ehr.post(Client(), PV, hook_request(fhir, base))
            assert response.status_code == 200, (base, response.content)
    # Another private network configured does not open loopback.
    settings.CLUNEAL_CDS_FHIR_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    response = ehr.post(Client(), PV, hook_request(fhir, family[0][0]))
    assert response.status_code == 412


@pytest.mark.parametrize(
    "resolved",
    [
        ["93.184.216.34", "10.0.0.5"],
        ["10.0.0.5", "93.184.216.34"],
        ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::1"],
        ["2606:2800:220:1:248:1893:25c8:1946", "fe80::1%eth0"],
        ["93.184.216.34", "127.0.0.1", "93.184.216.35"],
    ],
)
def test_every_address_a_name_resolves_to_is_checked(monkeypatch, resolved):
    """One private address among public ones refuses the host: a later connection attempt,
    or a resolver rotating its answers, could otherwise reach it."""

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "fhir.example.org"
        family = [socket.AF_INET6 if ":" in a else socket.AF_INET for a in resolved]
        return [
            (f, socket.SOCK_STREAM, 6, "", (a, port)) for f, a in zip(family, resolved, strict=True)
        ]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", getaddrinfo)
    bad = next(a for a in resolved if not ipaddress.ip_address(a.split("%")[0]).is_global)
    with pytest.raises(fetch.Refused) as refused:
        fetch.resolve("fhir.example.org", 443, [], "prefetch.patient")
    [problem] = refused.value.problems
    assert problem.message == f"fhir.example.org resolves to {bad.split('%')[0]}, {NOT_PUBLIC}"
    allowed = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]
    allowed += [ipaddress.ip_network("fe80::/10"), ipaddress.ip_network("127.0.0.0/8")]
    assert fetch.resolve("fhir.example.org", 443, allowed, "p") == [
        a.split("%")[0] for a in resolved
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(ehr, fhir, fhir_server, status):
    trap = fhir_server(routes(fhir), allow=False)
    port = trap.httpd.server_address[1]
    targets = [
        trap.url + "/Patient/p1",
        "http://169.254.169.254/latest/meta-data",
        f"http://user:pw@127.0.0.1:{port}/fhir/Patient/p1",
        "file:///etc/passwd",
        "/fhir/Patient/p2",
    ]
    configured = fhir_server({})
    for target in [*targets, configured.url + "/Patient/p2"]:
        configured.routes["/fhir/Patient/p1"] = {"$redirect": [status, target]}
        configured.routes["/fhir/Patient/p2"] = fhir.PATIENT
        response = ehr.post(Client(), PV, hook_request(fhir, configured.url))
        message = (
            f"GET {configured.url}/Patient/p1 redirects to {target}; redirects are not followed"
        )
        expected = problems(NOT_ALLOWED, "prefetch.patient", message)
        assert (response.status_code, response.json()) == (412, expected)
    assert trap.seen == []
    assert [path for path, _ in configured.seen] == ["/fhir/Patient/p1"] * (len(targets) + 1)


@pytest.mark.django_db
def test_a_next_page_outside_the_base_is_not_fetched(ehr, fhir, fhir_server):
    trap = fhir_server(routes(fhir), allow=False)
    configured = fhir_server(routes(fhir))
    here = f"127.0.0.1:{configured.httpd.server_address[1]}"
    outside = [
        trap.url + "/Condition?page=2",
        f"http://{here}/other?page=2",
        f"http://{here}/fhirx?page=2",
        f"http://{here}/fhir/../admin?page=2",
        f"http://{here}/fhir/%2e%2e/admin",
        f"http://user:pw@{here}/fhir?page=2",
        f"https://{here}/fhir?page=2",
        f"ftp://{here}/fhir?page=2",
        "/fhir?page=2",
        "http://169.254.169.254/latest/meta-data",
    ]
    first = dict(fhir.bundle(fhir.LBP))
    for link in outside:
        first["link"] = [{"relation": "next", "url": link}]
        configured.routes["/fhir/Condition?patient=p1"] = first
        response = ehr.post(Client(), PV, hook_request(fhir, configured.url))
        message = f"{link} is not under the FHIR server {configured.url}"
        expected = problems(NOT_ALLOWED, "prefetch.conditions", message)
        assert (response.status_code, response.json()) == (412, expected), link
    assert trap.seen == []
    # The control: a next page under the base is fetched and its entries joined.
    first["link"] = [{"relation": "next", "url": configured.url + "?page=2"}]
    configured.routes["/fhir?page=2"] = fhir.bundle(fhir.BUTTOCK)
    [card] = ehr.post(Client(), PV, hook_request(fhir, configured.url)).json()["cards"]
    assert "buttock" in card["summary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "path", "message"),
    [
        (
            {"resourceType": "Bundle", "entry": 5},
            "prefetch.conditions.entry",
            "must be a list, not a number (in the FHIR server's answer)",
        ),
        (
            {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": 1}}]},
            "prefetch.conditions.entry[0].resource.resourceType",
            "must be a string, not a number (in the FHIR server's answer)",
        ),
        (
            {"resourceType": "Patient"},
            "prefetch.conditions.resourceType",
            "must be Bundle (or the key left out), not Patient (in the FHIR server's answer)",
        ),
        (
            [1, 2],
            "prefetch.conditions",
            "must be an object, not a list (in the FHIR server's answer)",
        ),
        (
            {"resourceType": "OperationOutcome", "issue": []},
            "prefetch.conditions",
            "the FHIR server answered with an OperationOutcome",
        ),
    ],
)
def test_fetched_data_of_the_wrong_shape_gets_412(ehr, fhir, fhir_server, answer, path, message):
    configured = fhir_server({**routes(fhir), "/fhir/Condition?patient=p1": answer})
    response = ehr.post(Client(), PV, hook_request(fhir, configured.url))
    assert (response.status_code, response.json()) == (412, problems(MISSING, path, message))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "path"),
    [({"fhirServer": None}, "fhirServer"), ({"fhirAuthorization": None}, "fhirAuthorization")],
)
def test_prefetch_missing_without_fhir_access_gets_412(ehr, fhir, change, path):
    body = hook_request(fhir, "https://fhir.ehr.test.example/r4") | change
    response = ehr.post(Client(), PV, body)
    message = "is needed to fetch prefetch.patient, which was not prefetched"
    assert (response.status_code, response.json()) == (412, problems(MISSING, path, message))


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("not json", "not valid JSON"),
        ('["https://fhir.example.org"]', "expected a JSON object mapping strings to lists"),
        ('{"iss": "https://fhir.example.org"}', "expected a JSON object mapping strings to lists"),
        ('{"iss": [1]}', "expected a JSON object mapping strings to lists"),
        ('{"iss": ["ftp://fhir.example.org"]}', NOT_HTTP),
        ('{"iss": ["https://u:p@fhir.example.org"]}', USERINFO),
        ('{"iss": ["https://fhir.example.org/r4?x=1"]}', PLAIN),
        ('{"iss": ["https://fhir.example.org/r4/../x"]}', DOTS),
        ('{"iss": ["https:///r4"]}', "no host"),
        ('{"iss": ["https://fhir.example.org:0x50/r4"]}', "not a valid port"),
    ],
)
def test_a_bad_fhir_server_setting_fails_loudly(monkeypatch, raw, error):
    monkeypatch.setenv("CLUNEAL_CDS_FHIR_SERVERS", raw)
    with pytest.raises(ConfigError, match="CLUNEAL_CDS_FHIR_SERVERS") as failed:
        env_base_urls("CLUNEAL_CDS_FHIR_SERVERS")
    assert error in str(failed.value)


@pytest.mark.parametrize(
    "raw", ["10.0.0.1/8", "10.0.0.0/33", "localhost", "10.0.0.0/8,,x", "::1/129"]
)
def test_a_bad_network_setting_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("CLUNEAL_CDS_FHIR_NETWORKS", raw)
    with pytest.raises(ConfigError, match="CLUNEAL_CDS_FHIR_NETWORKS"):
        env_networks("CLUNEAL_CDS_FHIR_NETWORKS")


def test_the_settings_are_read_and_checked_against_the_trusted_issuers(tmp_path):
    code = (
        "import cluneal.web.settings as s; "
        "print(s.CLUNEAL_CDS_FHIR_SERVERS, [str(n) for n in s.CLUNEAL_CDS_FHIR_NETWORKS])"
    )
    env = {
        **os.environ,
        "CLUNEAL_DATA_DIR": str(tmp_path),
        "CLUNEAL_CDS_TRUSTED_ISSUERS": json.dumps({ISSUER: "/etc/jwks.json"}),
        "CLUNEAL_CDS_FHIR_SERVERS": json.dumps({ISSUER: ["HTTPS://FHIR.example.org:443/r4/"]}),
        "CLUNEAL_CDS_FHIR_NETWORKS": "10.20.0.0/16, fd00::/8",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == (
        "{'https://ehr.test.example/': ['https://fhir.example.org/r4']} "
        "['10.20.0.0/16', 'fd00::/8']"
    )
    env["CLUNEAL_CDS_FHIR_SERVERS"] = json.dumps({"https://mallory.example/": ["https://x.org"]})
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "CLUNEAL_CDS_FHIR_SERVERS: ['https://mallory.example/'] not in" in done.stderr
