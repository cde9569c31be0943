"""Acknowledged writes survive the server being killed: a real ``cluneal serve`` (gunicorn, two
worker processes) on SQLite takes a burst of block saves from several clients and is sent
SIGKILL in the middle of it. Afterwards the database passes SQLite's integrity check, and every
save that was answered with its redirect (302) is in the database.

How the test and the server share one database: the test does not use pytest-django's database
at all (that one is in memory and private to the test process). Both the seeding subprocess and
the server get ``DATABASE_URL=sqlite:///<tmp_path>/data/cluneal.sqlite3`` and a
``CLUNEAL_DATA_DIR`` of their own, so they open the same file whatever ``DATABASE_URL`` the
surrounding environment holds (a CI job may point it at PostgreSQL). The seed (a site, a
clinician with a password and a membership, a patient) is written by a ``python -c`` subprocess
through Django's ORM and the real migrations, exactly as the server would, so the test does not
restate the schema; the checks afterwards read the file with the stdlib ``sqlite3`` module.

Every wait is bounded in time and every loop in count, so the test always ends.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PASSWORD = "durable clinician passphrase 2026"
THREADS = 6
WRITES_PER_THREAD = 300
KILL_AFTER_ACKNOWLEDGED = 150
BURST_SECONDS = 60
READY_SECONDS = 90
SOCKET_TIMEOUT = 15

SEED = """
import json

from cluneal.web.setup import prepare

prepare()

from django.contrib.auth import get_user_model

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.records.models import Patient

site = Site.objects.create(name="Durability site")
user = get_user_model().objects.create_user("durable", password=%(password)r)
Membership.objects.create(user=user, site=site, role=Role.CLINICIAN)
patient = Patient.objects.create(site=site, record_number="D-001", birth_year=1960, sex="female")
print(json.dumps({"patient": str(patient.pk)}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Session:
    """Cookies and the CSRF token of one logged-in browser."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=SOCKET_TIMEOUT)

    def request(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for raw in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    @property
    def csrf(self) -> str:
        return self.cookies["csrftoken"]


def login(port: int, username: str, password: str) -> Session:
    session = Session(port)
    conn = session.connection()
    try:
        status, _, page = session.request(conn, "GET", "/accounts/login")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token in the login form"
        status, _, _ = session.request(
            conn,
            "POST",
            "/accounts/login",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1),
                "next": "/records/",
            },
        )
        assert status == 302, f"login answered {status}"
        assert "sessionid" in session.cookies and "csrftoken" in session.cookies
    finally:
        conn.close()
    return session


def wait_until_serving(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the server did not start:\n{log.read_text()[-5000:]}")
        time.sleep(0.2)


@dataclass
class Burst:
    """Shared state of the writing threads."""

    session: Session
    patient: str
    killed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[str] = field(default_factory=list)
    refused_before_kill: list[tuple[str, int, str]] = field(default_factory=list)
    interrupted_threads: int = 0
    errors_before_kill: list[str] = field(default_factory=list)

    def write(self, thread: int, deadline: float) -> None:
        conn = self.session.connection()
        try:
            for n in range(WRITES_PER_THREAD):
                if time.monotonic() > deadline:
                    return
                marker = f"durability-{thread}-{n}-{uuid.uuid4().hex[:8]}"
                form = {
                    "csrfmiddlewaretoken": self.session.csrf,
                    "date": "2026-03-01",
                    "nerve": "scn",
                    "side": "left",
                    "agent": marker,
                    "volume_ml": "",
                    "guidance": "",
                    "nrs_before": "8",
                    "nrs_after": str(n % 11),
                    "minutes_after": "",
                    "relief_days": "",
                }
                try:
                    status, headers, text = self.session.request(
                        conn, "POST", f"/records/{self.patient}/blocks/new", form
                    )
                except (OSError, http.client.HTTPException) as exc:
                    with self.lock:
                        if self.killed.is_set():
                            self.interrupted_threads += 1
                        else:
                            self.errors_before_kill.append(f"{marker}: {exc!r}")
                    return
                if status == 302 and headers.get("location", "").startswith("/records/"):
                    with self.lock:
                        self.acknowledged.append(marker)
                elif not self.killed.is_set():
                    with self.lock:
                        self.refused_before_kill.append((marker, status, text[:300]))
        finally:
            conn.close()


def test_acknowledged_writes_survive_sigkill_of_the_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "cluneal.sqlite3"
    env = {
        **os.environ,
        "CLUNEAL_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{db}",
        "CLUNEAL_SECURE_COOKIES": "false",
        "CLUNEAL_LOG_LEVEL": "WARNING",
    }
    env.pop("CLUNEAL_KNOWLEDGE", None)

    seeded = subprocess.run(
        [sys.executable, "-c", SEED % {"password": PASSWORD}],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    patient = json.loads(seeded.stdout.strip().splitlines()[-1])["patient"]

    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cluneal", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's master and workers
        )
    try:
        wait_until_serving(port, proc, log)
        burst = Burst(login(port, "durable", PASSWORD), patient)
        deadline = time.monotonic() + BURST_SECONDS
        threads = [
            threading.Thread(target=burst.write, args=(k, deadline), daemon=True)
            for k in range(THREADS)
        ]
        for t in threads:
            t.start()
        while time.monotonic() < deadline and any(t.is_alive() for t in threads):
            with burst.lock:
                if len(burst.acknowledged) >= KILL_AFTER_ACKNOWLEDGED:
                    break
            time.sleep(0.005)
        with burst.lock:
            burst.killed.set()
            acknowledged_at_kill = len(burst.acknowledged)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for t in threads:
            t.join(timeout=SOCKET_TIMEOUT + 5)
        assert not any(t.is_alive() for t in threads), "a writing thread did not stop"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    server_log = log.read_text(errors="replace")[-5000:]
    assert acknowledged_at_kill >= KILL_AFTER_ACKNOWLEDGED, (
        f"only {acknowledged_at_kill} writes were acknowledged before the deadline\n{server_log}"
    )
    assert burst.interrupted_threads > 0, "the kill did not land in the middle of the burst"
    assert not burst.errors_before_kill, burst.errors_before_kill
    assert not burst.refused_before_kill, (burst.refused_before_kill[:5], server_log)

    con = sqlite3.connect(db, timeout=30)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        blocks = dict(
            con.execute("SELECT agent, id FROM records_block WHERE agent LIKE 'durability-%'")
        )
        audited = {
            r[0]
            for r in con.execute(
                "SELECT object_id FROM audit_auditevent"
                " WHERE object_type = 'block' AND action = 'create'"
            )
        }
    finally:
        con.close()

    lost = sorted(set(burst.acknowledged) - set(blocks))
    assert not lost, f"{len(lost)} acknowledged writes are missing, e.g. {lost[:5]}"
    # The block and its audit entry are written in one transaction: none without the other.
    unaudited = [a for a, i in blocks.items() if str(uuid.UUID(hex=i)) not in audited]
    assert not unaudited, f"blocks without their audit entry: {unaudited[:5]}"
    assert len(blocks) >= len(burst.acknowledged)
    print(  # shown with -s or on failure: how hard the test pushed
        f"{len(burst.acknowledged)} acknowledged ({acknowledged_at_kill} at the kill), "
        f"{len(blocks)} in the database, {burst.interrupted_threads} threads interrupted"
    )
