"""The clinical record at scale: request latency of a real server over a large database.

Fills a database with synthetic patients (default 100,000, over 5 sites; each with 2 visits,
1-3 blocks and sometimes a treatment), starts ``cluneal serve`` on it, signs in as a clinician of
one site and times, over loopback, one request after another on a keep-alive connection:

* ``GET /evidence``: a page that reads no patient data, the baseline for the ratios;
* ``GET /records/``: the clinician's patient list (first page, newest first);
* ``GET /records/<id>/``: the page of a random patient of the clinician's site;
* ``POST /records/<id>/visits/new``: a visit saved for a random patient (answered 302).

Prints p50 and p95 in ms and their ratio to the baseline, the fill time and the database size.
Nothing is asserted about times; the bench fails (status 1) only if a request is answered with
an unexpected status, since its figures would then mean nothing.

    python bench/web.py                                  # SQLite in a temporary directory
    python bench/web.py --patients 2000 --requests 50    # a quick check
    python bench/web.py --database-url postgres://postgres@127.0.0.1/cluneal_bench

With ``--database-url``, use an empty database made for the purpose: the bench migrates it and
adds its rows (sites named after the run, so a second run does not clash) and leaves them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BATCH = 2_000
SITES = 5
PASSWORD = "bench clinician passphrase 2026"  # noqa: S105 (a throwaway database)
VISIT_FORM = {
    "left_scn_tender": "yes",
    "left_scn_distance": "70",
    "left_scn_reproduces": "yes",
    "current_nrs": "5",
}
EXAM = {
    "left": {
        "scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True},
        "mcn": {"tender": False},
    },
    "right": {"scn": {"tender": False}, "mcn": {"tender": False}},
}
HISTORY = {"duration_months": 14, "aggravated_by": ["lumbar_flexion", "walking"]}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000, help="default 100000")
    parser.add_argument("--requests", type=int, default=200, help="per measured page")
    parser.add_argument(
        "--database-url", default="", help="e.g. postgres://...; default: a temporary SQLite file"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=20_260_301, help="random seed")
    args = parser.parse_args()
    if args.patients < SITES or args.requests < 1:
        parser.error("need at least 5 patients and 1 request")
    return args


# --- filling -------------------------------------------------------------------------------


def fill(patients: int, rng: random.Random, run_id: str) -> tuple[list[str], dict[str, int]]:
    """Create the sites, the clinician and the patients; return the ids of the clinician's
    site's patients and the row counts."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cluneal.web.accounts.models import Membership, Role, Site
    from cluneal.web.records.models import Block, Patient, Treatment, Visit

    sites = [Site.objects.create(name=f"Bench site {k + 1} ({run_id})") for k in range(SITES)]
    user = get_user_model().objects.create_user(f"bench-{run_id}", password=PASSWORD)
    Membership.objects.create(user=user, site=sites[0], role=Role.CLINICIAN)

    today = dt.date(2026, 3, 1)
    mine: list[str] = []
    counts = {"patients": 0, "visits": 0, "blocks": 0, "treatments": 0}
    for start in range(0, patients, BATCH):
        batch = [
            Patient(
                site=sites[i % SITES],
                record_number=f"P{i:07d}",
                birth_year=rng.randint(1930, 2000),
                sex=rng.choice(["female", "male"]),
            )
            for i in range(start, min(start + BATCH, patients))
        ]
        visits: list[Visit] = []
        blocks: list[Block] = []
        treatments: list[Treatment] = []
        for p in batch:
            first = today - dt.timedelta(days=rng.randint(30, 1500))
            for k in range(2):
                visits.append(
                    Visit(
                        patient=p,
                        date=first + dt.timedelta(days=20 * k),
                        history=HISTORY if k == 0 else {},
                        exam=EXAM,
                        current_nrs=rng.randint(2, 9),
                        notes="synthetic",
                    )
                )
            for k in range(rng.randint(1, 3)):
                blocks.append(
                    Block(
                        patient=p,
                        date=first + dt.timedelta(days=7 + 10 * k),
                        nerve="scn",
                        side="left",
                        agent="lidocaine 1%",
                        guidance="ultrasound",
                        nrs_before=rng.randint(6, 9),
                        nrs_after=rng.randint(0, 5),
                        minutes_after=30,
                    )
                )
            if rng.random() < 0.2:
                treatments.append(
                    Treatment(
                        patient=p,
                        date=first + dt.timedelta(days=60),
                        kind="surgical_release",
                        nerve="scn",
                        side="left",
                        outcome=rng.choice(["improved", "pain_free", "recurred"]),
                    )
                )
        with transaction.atomic():
            Patient.objects.bulk_create(batch)
            Visit.objects.bulk_create(visits)
            Block.objects.bulk_create(blocks)
            Treatment.objects.bulk_create(treatments)
        mine += [str(p.pk) for p in batch if p.site_id == sites[0].pk]
        counts["patients"] += len(batch)
        counts["visits"] += len(visits)
        counts["blocks"] += len(blocks)
        counts["treatments"] += len(treatments)
    return mine, counts


def database_size() -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            return int(cur.fetchone()[0])
    name = Path(connection.settings_dict["NAME"])
    return sum(
        p.stat().st_size for p in (name, Path(f"{name}-wal"), Path(f"{name}-shm")) if p.exists()
    )


# --- the server and its client -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection with a browser's cookies."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for raw in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            self.cookies.update({name: m.value for name, m in jar.items()})
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        if 300 <= response.status < 400:  # where to: a redirect to the login page is a failure
            return response.status, response.getheader("Location", "")
        return response.status, text

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"login form: status {status}, CSRF token found: {bool(token)}")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        status, _ = self.request("POST", "/accounts/login", form)
        if status != 302:
            raise SystemExit(f"login failed: status {status}")


def start_server(
    port: int, workers: int, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cluneal",
                "serve",
                *("--port", str(port)),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/evidence")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


# --- measuring -----------------------------------------------------------------------------


def percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def measure(
    name: str,
    n: int,
    call: Callable[[], tuple[int, str]],
    expected: int,
    failures: list[str],
    prefix: str = "",
) -> tuple[float, float]:
    for _ in range(min(5, n)):  # warm up: templates, caches, connection
        call()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, text = call()
        times.append((time.perf_counter() - start) * 1000)
        if (status != expected or not text.startswith(prefix)) and len(failures) < 10:
            failures.append(f"{name}: status {status} (expected {expected}): {text[:200]!r}")
    times.sort()
    return percentile(times, 0.50), percentile(times, 0.95)


def main() -> int:
    args = arguments()
    rng = random.Random(args.seed)
    run_id = secrets.token_hex(3)
    work = Path(tempfile.mkdtemp(prefix="cluneal-bench-"))
    url = args.database_url or f"sqlite:///{work / 'cluneal.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CLUNEAL_DATA_DIR": str(work / "data"),
        "CLUNEAL_SECURE_COOKIES": "false",
        "CLUNEAL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cluneal.web.settings",
    }
    env.pop("CLUNEAL_KNOWLEDGE", None)
    os.environ.update(env)
    proc = None
    try:
        from cluneal.web.setup import prepare

        where = prepare()
        from django.db import connections

        from cluneal.web.records.models import Patient, Visit

        if Patient.objects.exists():
            print("note: the database already holds patients; they stay and count in the sizes")
        start = time.perf_counter()
        mine, counts = fill(args.patients, rng, run_id)
        fill_s = time.perf_counter() - start
        size = database_size()
        visits_before = Visit.objects.count()
        connections.close_all()

        port = free_port()
        proc = start_server(port, args.workers, env, work / "server.log")
        client = Client(port)
        client.login(f"bench-{run_id}")
        failures: list[str] = []
        n = args.requests
        today = dt.date.today().isoformat()

        def visit() -> tuple[int, str]:
            form = {"csrfmiddlewaretoken": client.cookies["csrftoken"], "date": today}
            return client.request(
                "POST", f"/records/{rng.choice(mine)}/visits/new", {**form, **VISIT_FORM}
            )

        results: dict[str, tuple[float, float]] = {
            "GET /evidence (baseline)": measure(
                "evidence", n, lambda: client.request("GET", "/evidence"), 200, failures
            ),
            "GET /records/ (patient list)": measure(
                "list", n, lambda: client.request("GET", "/records/"), 200, failures
            ),
            "GET /records/<id>/ (patient page)": measure(
                "patient",
                n,
                lambda: client.request("GET", f"/records/{rng.choice(mine)}/"),
                200,
                failures,
            ),
            "POST /records/<id>/visits/new (save)": measure(
                "visit", n, visit, 302, failures, prefix="/records/"
            ),
        }
        stop_server(proc)
        saved = Visit.objects.count() - visits_before
        connections.close_all()
    finally:
        if proc is not None:
            stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)

    base50, base95 = results["GET /evidence (baseline)"]
    print(f"database: {where.split(' ', 1)[0]}, {args.workers} gunicorn workers")
    print(
        f"filled {counts['patients']:,} patients, {counts['visits']:,} visits, "
        f"{counts['blocks']:,} blocks, {counts['treatments']:,} treatments over {SITES} sites "
        f"in {fill_s:.1f} s ({counts['patients'] / fill_s:,.0f} patients/s); "
        f"the clinician's site has {len(mine):,}"
    )
    print(f"database size: {size / 1e6:.1f} MB")
    print(f"{n} requests each, one after another, over loopback:")
    print(f"  {'request':<40} {'p50 ms':>8} {'p95 ms':>8} {'p50 x base':>11} {'p95 x base':>11}")
    for name, (p50, p95) in results.items():
        print(f"  {name:<40} {p50:8.1f} {p95:8.1f} {p50 / base50:11.1f} {p95 / base95:11.1f}")
    print(f"visits saved by the run (warm-up included): {saved}")
    if failures:
        print("unexpected answers (figures are not meaningful):", *failures, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
