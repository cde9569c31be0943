"""CDS Hooks services under open-loop load: latency at a fixed offered rate, over loopback.

Starts ``cluneal serve`` (2 workers, default threads) on a fresh SQLite database, trusting an EHR
whose ES384 key is made for the run. Offers ``--rate`` requests/s for ``--seconds``: 80%
patient-view, 20% order-sign with a draft sacroiliac or lumbar fusion, for 20 patients whose
prefetch holds 60 Synthea conditions, 40 Synthea procedures and 3 orders, plus for some back pain
with buttock or sacroiliac pain (cards), or the same with a cluneal block done (no card).

``--profile notes`` adds the patient's recent notes to prefetch: 10-20 MTSamples transcriptions
of 3,000-9,000 characters per patient (read from the shared ``mtsamples.rda`` with ``rdata``,
never copied here), base64 text/plain, about 150-300 KB per request in all; one note in five
patients says iliac-crest tenderness (a card from the note alone), one a current red flag (no
card), one a cluneal block (no card). With ``--fresh-notes 1`` (the default) each request also
carries one note the server has never seen (an MTSamples text with a line of its own), as when
a note was written since the chart was last opened: the server keeps the findings of notes it
has read, so without it every note but the first time's would cost nothing.

Request i is sent at start + i / rate, each on a new connection (``--connections keep-alive``:
on one kept open per client thread, as an EHR's connection pool does) with a JWT signed before
the run;
its latency runs from that planned time, so a slow server cannot slow the client down and hide
its queue (no coordinated omission). "Send lag" is how late the client sent; with a low client
CPU it means every client thread was awaiting the server. Baseline, in the same run: 200
sequential JWT-checked ``GET /cds-services``. The server answers each request's CPU time per
stage (``Server-Timing``, ``CLUNEAL_CDS_SERVER_TIMING``), printed as the mean per request beside
the server's whole CPU time per request (its processes' CPU over the run). ``--search`` then
looks for the highest offered rate whose p99 stays under ``--p99-ms``: runs of ``--seconds`` at
rising rates, then halving the step between the last rate that met it and the first that did
not. Each figure is printed with the load average, since the machine may be shared. Nothing is
asserted; exit 1 only if no server.

    python bench/cds_hooks.py                          # 200 requests/s for 30 s
    python bench/cds_hooks.py --rate 300 --seconds 30
    python bench/cds_hooks.py --search --seconds 15    # capacity: highest rate with p99 < 50 ms
    python bench/cds_hooks.py --profile notes --rate 200
    python bench/cds_hooks.py --quick                  # 50 requests/s for 5 s
"""

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from web import free_port, percentile, start_server, stop_server

ISSUER = "https://ehr.bench.example/"
SHARED = Path(__file__).resolve().parents[2] / "shared/external"
SYNTHEA, MTSAMPLES = SHARED / "synthea-bulk-10", SHARED / "mtsamples" / "mtsamples.rda"
DISCOVERY, PV, OS = "/cds-services", "patient-view", "order-sign"
HOOKS = {PV: "/cds-services/cluneal-patient-view", OS: "/cds-services/cluneal-order-sign"}
BASELINE_N, WARM_UP, PATIENTS, TIMEOUT = 200, 10, 20, 60.0
SCT, ICD = "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"
CPT, LOCAL = "http://www.ama-assn.org/go/cpt", "http://ehr.bench.example/problem-codes"
PROFILES = ("plain", "buttock", "plain", "sacroiliac", "blocked")  # cycled over the patients
ORDERS = [("o1", CPT, "72148", "MRI lumbar spine"), ("o2", CPT, "97161", "PT evaluation")]
ORDERS.append(("o3", CPT, "80053", "Comprehensive metabolic panel"))
FUSIONS = [
    ("d1", CPT, "27279", "Arthrodesis, sacroiliac joint"),
    ("d1", CPT, "22633", "Lumbar fusion"),
]
BLOOD_COUNT = ("d2", CPT, "85025", "Complete blood count")
#: What one note of some patients says besides its transcription (cycled over the patients).
PLANTED = (
    ("", "none"),
    ("Exam: point tenderness over the left iliac crest reproducing her pain.", "note: iliac crest"),
    ("", "none"),
    ("She reports new urinary incontinence since yesterday.", "note: red flag"),
    ("Superior cluneal nerve block performed on the left with 80% relief.", "note: block"),
)
NOTE_CHARS = (3_000, 9_000)
FRESH = b"%%FRESH%%"
STAGES = ("jwt", "parse", "schema", "fetch", "notes", "fhir", "engine", "cards", "json", "db")
Result = tuple[str, float, list[dict[str, Any]], float, float, dict[str, float]]


#: The service refuses a token whose exp is more than 5 minutes ahead (CDS Hooks' own limit);
#: tokens are signed before each run, so a run must fit in that.
TOKEN_LIFE_S = 300
MAX_SECONDS = 180


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200, help="requests offered per second")
    parser.add_argument("--seconds", type=float, default=30, help="length of each run")
    parser.add_argument("--runs", type=int, default=1, help="runs at --rate, one after another")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 per s for 5 s")
    parser.add_argument("--profile", choices=("chart", "notes"), default="chart")
    parser.add_argument("--fresh-notes", type=int, choices=(0, 1), default=1)
    parser.add_argument(
        "--search", action="store_true", help="find the highest rate meeting --p99-ms"
    )
    parser.add_argument("--p99-ms", type=float, default=50.0, help="the search's goal")
    parser.add_argument("--search-from", type=float, default=200, help="the search's first rate")
    parser.add_argument("--seed", type=int, default=20_260_301, help="random seed")
    parser.add_argument(
        "--connections",
        choices=("new", "keep-alive"),
        default="new",
        help="a new connection per request (the default, as before), or one kept open per "
        "client thread, as an EHR's connection pool does",
    )
    args = parser.parse_args()
    if args.quick:
        args.rate, args.seconds = 50, 5
    if args.rate <= 0 or args.seconds <= 0 or args.runs < 1:
        parser.error("--rate, --seconds and --runs must be positive")
    if args.seconds > MAX_SECONDS:
        parser.error(
            f"--seconds must be at most {MAX_SECONDS}: tokens are signed before each run "
            f"and the service refuses any that live longer than {TOKEN_LIFE_S} s"
        )
    return args


# --- what the EHR sends --------------------------------------------------------------------


def resource(kind: str, ref: str, rid: str, system: str, code: str, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": kind, "id": rid, "subject": {"reference": ref}}
    out["code"] = {"coding": [{"system": system, "code": code, "display": text}], "text": text}
    if kind == "Condition":
        status = "http://terminology.hl7.org/CodeSystem/condition-clinical"
        out["clinicalStatus"] = {"coding": [{"system": status, "code": "active"}]}
    elif kind == "Procedure":
        out["status"] = "completed"
    else:
        out.update(status="active", intent="order")
    return out


def extras(profile: str, ref: str) -> list[dict[str, Any]]:
    """Hand-built resources that make a profile: back pain with buttock or sacroiliac pain
    (cards), the same with a cluneal block done (no card), or nothing ("plain")."""
    if profile == "plain":
        return []
    out = [resource("Condition", ref, "lbp", SCT, "278860009", "Chronic low back pain")]
    if profile == "sacroiliac":
        return [*out, resource("Condition", ref, "sii", ICD, "M46.1", "Sacroiliitis, NEC")]
    out.append(resource("Condition", ref, "btk", LOCAL, "BTK-L", "Pain in left buttock"))
    if profile == "blocked":
        out.append(resource("Procedure", ref, "blk", CPT, "64450", "Superior cluneal nerve block"))
    return out


def bundle(items: list[dict[str, Any]], kind: str = "searchset") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in items]}


def mtsamples() -> list[str]:
    """MTSamples transcriptions of 3,000-9,000 characters, as bench/notes.py reads them."""
    import rdata

    frame = rdata.read_rda(str(MTSAMPLES))["mtsamples"]
    low, high = NOTE_CHARS
    return [t for t in frame["transcription"] if isinstance(t, str) and low <= len(t) <= high]


def document(pid: str, rid: str, text: str, days_ago: int) -> dict[str, Any]:
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - days_ago * 86_400))
    data = base64.b64encode(text.encode()).decode()
    return {
        "resourceType": "DocumentReference",
        "id": rid,
        "status": "current",
        "date": f"{day}T09:00:00Z",
        "subject": {"reference": f"Patient/{pid}"},
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": data}}],
    }


def patient_notes(pid: str, k: int, texts: list[str], rng: random.Random) -> dict[str, Any]:
    """10-20 recent notes, newest first; one of them says what the patient's PLANTED says."""
    chosen = rng.sample(texts, rng.randint(10, 20))
    planted, _ = PLANTED[k % len(PLANTED)]
    if planted:
        chosen[0] = planted + "\n\n" + chosen[0]
    docs = [document(pid, f"{pid}-n{i}", t, 7 * i + 1) for i, t in enumerate(chosen)]
    docs.insert(0, {"@": "fresh"})  # the place of the fresh note, filled per request
    return bundle(docs)


def patients(rng: random.Random, notes: list[str] | None) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, profile, prefetch) of each bench patient, built on the Synthea sample."""
    synthea = {
        kind: [json.loads(x) for x in (SYNTHEA / f"{kind}.000.ndjson").read_text().splitlines()]
        for kind in ("Patient", "Condition", "Procedure")
    }
    out = []
    for k in range(PATIENTS):
        pid, profile = f"bench-{k:02d}", PROFILES[k % len(PROFILES)]
        ref = f"Patient/{pid}"
        drawn = [
            {**r, "subject": {"reference": ref}}
            for kind, count in (("Condition", 60), ("Procedure", 40))
            for r in rng.sample(synthea[kind], count)
        ] + extras(profile, ref)
        prefetch = {
            "patient": {**synthea["Patient"][k % len(synthea["Patient"])], "id": pid},
            "conditions": bundle([r for r in drawn if r["resourceType"] == "Condition"]),
            "procedures": bundle([r for r in drawn if r["resourceType"] == "Procedure"]),
            "orders": bundle([resource("ServiceRequest", ref, *o) for o in ORDERS]),
        }
        if notes is not None:
            prefetch["notes"] = patient_notes(pid, k, notes, rng)
            profile += f" / {PLANTED[k % len(PLANTED)][1]}"
        out.append((pid, profile, prefetch))
    return out


def template(hook: str, pid: str, prefetch: dict[str, Any], rng: random.Random) -> list[bytes]:
    """The request body split around its hookInstance (and, with notes, its fresh note), which
    each request fills anew."""
    context: dict[str, Any] = {"userId": "Practitioner/bench", "patientId": pid}
    if hook == OS:
        drafts = [
            resource("ServiceRequest", f"Patient/{pid}", *o)
            for o in (rng.choice(FUSIONS), BLOOD_COUNT)
        ]
        context["draftOrders"] = bundle([{**d, "status": "draft"} for d in drafts], "collection")
    body = {"hookInstance": "@@", "hook": hook, "context": context, "prefetch": prefetch}
    text = json.dumps(body).replace('{"resource": {"@": "fresh"}}', FRESH.decode())
    return text.encode().split(b"@@")


class Fresh:
    """Notes the server has never seen: MTSamples texts in turn, each with a line of its own."""

    def __init__(self, texts: list[str] | None, on: bool) -> None:
        self.texts, self.on, self.count = texts or [""], on, itertools.count()

    def entry(self, pid: str) -> bytes:
        if not self.on:
            return b""
        n = next(self.count)
        text = f"Clinic note {uuid.uuid4()}.\n\n" + self.texts[n % len(self.texts)]
        return json.dumps({"resource": document(pid, f"{pid}-f{n}", text, 0)}).encode() + b", "


def body_of(parts: list[bytes], pid: str, fresh: Fresh) -> bytes:
    body = str(uuid.uuid4()).encode().join(parts)
    if FRESH in body:
        entry = fresh.entry(pid)
        body = body.replace(FRESH + b", ", entry) if entry else body.replace(FRESH + b", ", b"")
    return body


# --- the client ----------------------------------------------------------------------------


class Ehr:
    """The trusted EHR: an ES384 key, its JWKS file, and tokens (signed before each run)."""

    def __init__(self, work: Path, base: str) -> None:
        self.key, self.base = ec.generate_private_key(ec.SECP384R1()), base
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="bench-ehr", alg="ES384", use="sig")
        self.jwks = work / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk]}))

    def token(self, path: str, valid_s: float) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": self.base + path, "iat": now, "exp": now + int(valid_s)}
        claims["jti"] = str(uuid.uuid4())
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": "bench-ehr"})


def send(
    port: int,
    path: str,
    token: str,
    body: bytes | None = None,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes, str | None]:
    """One request, on ``conn`` (kept open for the next) or on a connection of its own."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    method = "GET" if body is None else "POST"
    try:
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
        except STALE:
            if own:
                raise
            conn.close()  # the server closed the idle connection: a pool opens a new one
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
        return response.status, response.read(), response.getheader("Server-Timing")
    except Exception:
        conn.close()  # a kept connection is opened again by the next request
        raise
    finally:
        if own:
            conn.close()


#: What a kept connection that the server closed while idle raises on its next request.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def timing(header: str | None) -> dict[str, float]:
    """Server-Timing ``stage;dur=ms, ...`` as {stage: microseconds}."""
    out = {}
    for part in (header or "").split(","):
        stage, _, dur = part.strip().partition(";dur=")
        if dur:
            out[stage] = float(dur) * 1000
    return out


def open_loop(
    port: int, plan: list[Any], bodies: dict, rate: float, fresh: Fresh, keep_alive: bool
) -> tuple:
    """Send plan[i] (patient, hook, token) at start + i / rate; return the results and start.
    With ``keep_alive`` each client thread keeps one connection open, as an EHR's pool does."""
    threads = max(32, min(1000, int(2 * rate)))  # send lag shows if too few
    results: list[Result] = [("not sent", 0.0, [], 0.0, 0.0, {})] * len(plan)
    counter = itertools.count()  # next() is atomic under the GIL
    start = time.perf_counter() + 0.5

    def worker() -> None:
        conn = (
            http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT) if keep_alive else None
        )
        while (i := next(counter)) < len(plan):
            pid, hook, token = plan[i]
            body = body_of(bodies[pid, hook], pid, fresh)
            planned = start + i / rate
            if (delay := planned - time.perf_counter()) > 0:
                time.sleep(delay)
            lag, cards, stages = time.perf_counter() - planned, [], {}
            try:
                status, text, header = send(port, HOOKS[hook], token, body, conn)
                outcome = "ok" if status == 200 else f"HTTP {status}: {text[:100]!r}"
                cards = json.loads(text)["cards"] if status == 200 else []
                stages = timing(header)
            except Exception as exc:  # every failure is counted, by kind
                outcome = f"{type(exc).__name__}: {exc}"[:120]
            end = time.perf_counter()
            results[i] = (outcome, (end - planned) * 1000, cards, lag * 1000, end, stages)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results, start, threads


def summary(values: list[float]) -> str:
    v = sorted(values) or [float("nan")]
    p50, p95, p99 = (percentile(v, q) for q in (0.50, 0.95, 0.99))
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f}  max {v[-1]:7.1f}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def server_cpu(group: int) -> float:
    """CPU seconds used so far by the server's processes (gunicorn's process group)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    rate: float
    seconds: float
    results: list[Result]
    wall: float
    threads: int
    client_cpu: float
    server_cpu: float
    load_before: str
    load_after: str
    plan: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> list[Result]:
        return [r for r in self.results if r[0] == "ok"]

    def p99(self) -> float:
        v = sorted(r[1] for r in self.ok) or [float("inf")]
        return percentile(v, 0.99)

    def errors(self) -> int:
        return len(self.results) - len(self.ok)


class Bench:
    """A running server, its EHR and the bodies; :meth:`run` offers one rate for a while."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.rng, self.work = args, random.Random(args.seed), work
        self.port = free_port()
        self.ehr = Ehr(work, f"http://127.0.0.1:{self.port}")
        texts = mtsamples() if args.profile == "notes" else None
        self.people = patients(self.rng, texts)
        self.profile = {pid: prof for pid, prof, _ in self.people}
        self.bodies = {
            (pid, h): template(h, pid, pf, self.rng) for pid, _, pf in self.people for h in HOOKS
        }
        self.fresh = Fresh(texts, texts is not None and args.fresh_notes == 1)
        self.proc: Any = None

    def start(self) -> None:
        env = {
            k: v for k, v in os.environ.items() if k not in ("CLUNEAL_KNOWLEDGE", "CLUNEAL_THREADS")
        }
        env.update(DATABASE_URL=f"sqlite:///{self.work / 'cluneal.sqlite3'}")
        env.update(CLUNEAL_PUBLIC_URL=self.ehr.base, CLUNEAL_CDS_SERVER_TIMING="true")
        env.update(CLUNEAL_DATA_DIR=str(self.work / "data"), CLUNEAL_LOG_LEVEL="WARNING")
        env.update(CLUNEAL_CDS_TRUSTED_ISSUERS=json.dumps({ISSUER: str(self.ehr.jwks)}))
        env.update(DJANGO_SETTINGS_MODULE="cluneal.web.settings")
        self.proc = start_server(self.port, 2, env, self.work / "server.log")

    def warm_up(self) -> None:
        """Both workers load what they cache; with notes, each patient's notes are read by
        both (the requests go to whichever worker accepts first, so each is sent 4 times)."""
        rounds = 4 if self.args.profile == "notes" else 1
        keys = [(pid, h) for pid, *_ in self.people for h in HOOKS] * rounds
        if self.args.profile != "notes":
            keys = [(self.people[k % PATIENTS][0], h) for k in range(WARM_UP) for h in HOOKS]
        for pid, hook in keys:
            token = self.ehr.token(HOOKS[hook], TOKEN_LIFE_S)
            send(self.port, HOOKS[hook], token, body_of(self.bodies[pid, hook], pid, self.fresh))

    def baseline(self) -> tuple[list[float], Counter[int]]:
        tokens = [self.ehr.token(DISCOVERY, TOKEN_LIFE_S) for _ in range(BASELINE_N)]
        times, bad = [], Counter[int]()
        for token in tokens:
            started = time.perf_counter()
            status, _, _ = send(self.port, DISCOVERY, token)
            times.append((time.perf_counter() - started) * 1000)
            bad.update([status] if status != 200 else [])
        return times, bad

    def run(self, rate: float, seconds: float) -> Run:
        n = round(rate * seconds)
        rng = self.rng
        chosen = [(rng.choice(self.people)[0], OS if rng.random() < 0.2 else PV) for _ in range(n)]
        plan = [(p, h, self.ehr.token(HOOKS[h], TOKEN_LIFE_S)) for p, h in chosen]
        load_before, cpu0 = load(), server_cpu(self.proc.pid)
        client_cpu = -time.process_time()
        results, start, threads = open_loop(
            self.port, plan, self.bodies, rate, self.fresh, self.args.connections == "keep-alive"
        )
        client_cpu += time.process_time()
        wall = max(r[4] for r in results) - start
        cpu = server_cpu(self.proc.pid) - cpu0
        return Run(
            rate, seconds, results, wall, threads, client_cpu, cpu, load_before, load(), chosen
        )

    def stop(self) -> tuple[list[str], int, int]:
        stop_server(self.proc)
        log = (self.work / "server.log").read_text(errors="replace").splitlines()
        with sqlite3.connect(self.work / "cluneal.sqlite3") as db:
            seen, issued = (
                db.execute(f"SELECT count(*) FROM cds_{table}").fetchone()[0]  # noqa: S608
                for table in ("seentoken", "issuedcard")
            )
        return log, seen, issued


# --- reports -------------------------------------------------------------------------------


def breakdown(run: Run) -> None:
    """Mean CPU microseconds per request by stage (Server-Timing), and the server's whole CPU."""
    ok = [r[5] for r in run.ok if r[5]]
    if not ok:
        print("  no Server-Timing answered")
        return
    names = [s for s in (*STAGES, "django") if any(s in x for x in ok)]
    means = {s: sum(x.get(s, 0.0) for x in ok) / len(ok) for s in names}
    inside = sum(means.values())
    whole = run.server_cpu / max(1, len(run.results)) * 1e6
    print("  server CPU per request, us (mean over 200 OK answers; Server-Timing, thread CPU):")
    print("    " + "  ".join(f"{s} {means[s]:.0f}" for s in names) + f"  = {inside:.0f}")
    print(
        f"    server processes' CPU over the run / requests: {whole:.0f} us "
        f"(the rest, {whole - inside:.0f} us: gunicorn's HTTP, access log, collector, idle loops)"
    )


def report(bench: Bench, run: Run) -> None:
    ok, errors = run.ok, Counter(r[0] for r in run.results if r[0] != "ok")
    n = len(run.results)
    print(
        f"open loop: {run.rate:g} requests/s offered for {run.seconds:g} s, {run.threads} threads, "
        f"{bench.args.connections} connections"
    )
    print(f"  load average before {run.load_before}, after {run.load_after}")
    print(f"  offered    {n}\n  completed  {len(ok)} (200 OK)\n  errors     {n - len(ok)}")
    print(*[f"    {count:6d}  {kind}\n" for kind, count in errors.most_common()], sep="", end="")
    print(f"  achieved   {len(ok) / run.wall:.1f} requests/s (200 OK in {run.wall:.1f} s)")
    print(f"  latency from planned send, 200 OK, ms: {summary([r[1] for r in ok])}")
    print(f"  client send lag, ms:                    {summary([r[3] for r in run.results])}")
    print(f"  client CPU {run.client_cpu:.1f} s, {100 * run.client_cpu / run.wall:.0f}% of a core")
    breakdown(run)
    for hook in HOOKS:
        mine = [(p, r) for (p, h), r in zip(run.plan, run.results, strict=True) if h == hook]
        answered = [(p, r) for p, r in mine if r[0] == "ok"]
        carded = Counter(bench.profile[p] for p, r in answered if r[2])
        kinds = Counter(c["indicator"] for _, r in answered for c in r[2])
        print(f"  {hook:<12}  {len(mine)} offered, {len(answered)} answered, ", end="")
        print(f"{sum(carded.values())} with cards {dict(kinds)}; by profile {dict(carded)}")


def search(bench: Bench, args: argparse.Namespace) -> None:
    """The highest offered rate whose p99 stays under the goal with no error."""
    print(
        f"\nsaturation search: {args.seconds:g} s per rate, goal p99 < {args.p99_ms:g} ms, 0 errors"
    )
    print("  offered  achieved  errors   p50 ms   p99 ms  lag p99  client CPU  server us/req  load")
    good, bad, rate = 0.0, float("inf"), args.search_from
    for _ in range(12):
        run = bench.run(rate, args.seconds)
        met = run.errors() == 0 and run.p99() < args.p99_ms
        lat = sorted(r[1] for r in run.ok) or [float("nan")]
        lag = sorted(r[3] for r in run.results)
        print(
            f"  {rate:7.0f}  {len(run.ok) / run.wall:8.1f}  {run.errors():6d}  "
            f"{percentile(lat, 0.5):7.1f}  {min(run.p99(), 99_999):7.1f}  "
            f"{percentile(lag, 0.99):7.1f}  {100 * run.client_cpu / run.wall:9.0f}%  "
            f"{run.server_cpu / len(run.results) * 1e6:13.0f}  {run.load_after}"
            f"  {'met' if met else 'NOT met'}"
        )
        good, bad = (max(good, rate), bad) if met else (good, min(bad, rate))
        if not good and rate < args.search_from / 8:
            break  # not met even far below the first rate: the machine is busy elsewhere
        if bad == float("inf"):
            rate *= 1.25
        elif bad - good <= max(10.0, 0.05 * bad):
            break
        else:
            rate = (good + bad) / 2 if good else bad / 2
    print(
        f"  capacity: {good:.0f} requests/s offered with p99 < {args.p99_ms:g} ms and 0 errors"
        + ("" if good else " (none of the rates tried)")
    )


def main() -> int:
    args = arguments()
    work = Path(tempfile.mkdtemp(prefix="cluneal-bench-cds-"))
    bench, runs = Bench(args, work), []
    try:
        bench.start()
        bench.warm_up()
        baseline, bad = bench.baseline()
        sizes = [sum(len(b["entry"]) for b in list(pf.values())[1:4]) for *_, pf in bench.people]
        parts = [b"".join(bench.bodies[p, h]) for p, h in bench.bodies]
        body_kb = sum(map(len, parts)) / len(parts) / 1024
        print(f"cluneal serve: 2 workers x default threads, SQLite; {os.cpu_count()} CPUs, shared")
        print(f"load average at the start {load()}")
        print(f"profile {args.profile}: patients {dict(Counter(bench.profile.values()))}")
        print(f"  {min(sizes)}-{max(sizes)} chart resources in prefetch besides the Patient;")
        print(f"  mean request body {body_kb:.0f} KB", end="")
        if args.profile == "notes":
            counts = [len(pf["notes"]["entry"]) - 1 for *_, pf in bench.people]
            fresh = "one fresh note per request" if bench.fresh.on else "no fresh notes"
            print(f" with {min(counts)}-{max(counts)} notes per patient (+ {fresh})", end="")
        print()
        print(f"baseline: {BASELINE_N} sequential GET /cds-services, ms: {summary(baseline)}")
        print(f"  non-200 answers: {dict(bad) or 'none'}")
        for _ in range(args.runs):
            runs.append(bench.run(args.rate, args.seconds))
            report(bench, runs[-1])
        if args.search:
            search(bench, args)
        log, seen, issued = bench.stop()
    finally:
        if bench.proc is not None:
            stop_server(bench.proc)
        shutil.rmtree(work, ignore_errors=True)
    print(f"database after the runs (warm-up included): {seen} JWT ids, {issued} issued cards")
    if any(r.errors() for r in runs):
        print("server log, last 20 lines that are not access-log lines:")
        print(*[f"  {x}" for x in log if not x.startswith("127.0.0.1 - ")][-20:], sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
