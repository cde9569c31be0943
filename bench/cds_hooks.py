"""CDS Hooks services under open-loop load: latency at a fixed offered rate, over loopback.

Starts ``cluneal serve`` (2 workers, default threads) on a fresh SQLite database, trusting an EHR
whose ES384 key is made for the run. Offers ``--rate`` requests/s for ``--seconds``: 80%
patient-view, 20% order-sign with a draft sacroiliac or lumbar fusion, for 20 patients whose
prefetch holds 60 Synthea conditions, 40 Synthea procedures and 3 orders, plus for some back pain
with buttock or sacroiliac pain (cards), or the same with a cluneal block done (no card).

Request i is sent at start + i / rate, each on a new connection with a JWT signed before the run;
its latency runs from that planned time, so a slow server cannot slow the client down and hide
its queue (no coordinated omission). "Send lag" is how late the client sent; with a low client
CPU it means every client thread was awaiting the server. Baseline, in the same run: 200
sequential JWT-checked ``GET /cds-services``. Nothing is asserted; exit 1 only if no server.

    python bench/cds_hooks.py            # 200 requests/s for 30 s
    python bench/cds_hooks.py --quick    # 50 requests/s for 5 s
"""

from __future__ import annotations

import argparse
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
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from web import free_port, percentile, start_server, stop_server

ISSUER = "https://ehr.bench.example/"
SYNTHEA = Path(__file__).resolve().parents[2] / "shared/external/synthea-bulk-10"
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
Result = tuple[str, float, list[dict[str, Any]], float, float]  # outcome, ms, cards, lag ms, end


#: The service refuses a token whose exp is more than 5 minutes ahead (CDS Hooks' own limit);
#: tokens are signed before the load, so a run (server start and warm-up included) must fit.
TOKEN_LIFE_S = 300
MAX_SECONDS = 180


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200, help="requests offered per second")
    parser.add_argument("--seconds", type=float, default=30, help="length of the load")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 per s for 5 s")
    parser.add_argument("--seed", type=int, default=20_260_301, help="random seed")
    args = parser.parse_args()
    if args.quick:
        args.rate, args.seconds = 50, 5
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")
    if args.seconds > MAX_SECONDS:
        parser.error(
            f"--seconds must be at most {MAX_SECONDS}: tokens are signed before the run "
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


def patients(rng: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
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
        out.append((pid, profile, prefetch))
    return out


def template(hook: str, pid: str, prefetch: dict[str, Any], rng: random.Random) -> list[bytes]:
    """The request body split around its hookInstance, which each request fills anew."""
    context: dict[str, Any] = {"userId": "Practitioner/bench", "patientId": pid}
    if hook == OS:
        drafts = [
            resource("ServiceRequest", f"Patient/{pid}", *o)
            for o in (rng.choice(FUSIONS), BLOOD_COUNT)
        ]
        context["draftOrders"] = bundle([{**d, "status": "draft"} for d in drafts], "collection")
    body = {"hookInstance": "@@", "hook": hook, "context": context, "prefetch": prefetch}
    return json.dumps(body).encode().split(b"@@")


# --- the client ----------------------------------------------------------------------------


class Ehr:
    """The trusted EHR: an ES384 key, its JWKS file, and tokens (signed before the run)."""

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


def send(port: int, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request("GET" if body is None else "POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def open_loop(port: int, plan: list[Any], bodies: dict, rate: float, threads: int) -> tuple:
    """Send plan[i] (patient, hook, token) at start + i / rate; return the results and start."""
    results: list[Result] = [("not sent", 0.0, [], 0.0, 0.0)] * len(plan)
    counter = itertools.count()  # next() is atomic under the GIL
    start = time.perf_counter() + 0.5

    def worker() -> None:
        while (i := next(counter)) < len(plan):
            pid, hook, token = plan[i]
            body = str(uuid.uuid4()).encode().join(bodies[pid, hook])
            planned = start + i / rate
            if (delay := planned - time.perf_counter()) > 0:
                time.sleep(delay)
            lag, cards = time.perf_counter() - planned, []
            try:
                status, text = send(port, HOOKS[hook], token, body)
                outcome = "ok" if status == 200 else f"HTTP {status}: {text[:100]!r}"
                cards = json.loads(text)["cards"] if status == 200 else []
            except Exception as exc:  # every failure is counted, by kind
                outcome = f"{type(exc).__name__}: {exc}"[:120]
            end = time.perf_counter()
            results[i] = (outcome, (end - planned) * 1000, cards, lag * 1000, end)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results, start


def summary(values: list[float]) -> str:
    v = sorted(values) or [float("nan")]
    p50, p95, p99 = (percentile(v, q) for q in (0.50, 0.95, 0.99))
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f}  max {v[-1]:7.1f}"


def main() -> int:
    args = arguments()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="cluneal-bench-cds-"))
    port = free_port()
    ehr = Ehr(work, base := f"http://127.0.0.1:{port}")
    env = {k: v for k, v in os.environ.items() if k not in ("CLUNEAL_KNOWLEDGE", "CLUNEAL_THREADS")}
    env.update(DATABASE_URL=f"sqlite:///{work / 'cluneal.sqlite3'}", CLUNEAL_PUBLIC_URL=base)
    env.update(CLUNEAL_DATA_DIR=str(work / "data"), CLUNEAL_LOG_LEVEL="WARNING")
    env.update(CLUNEAL_CDS_TRUSTED_ISSUERS=json.dumps({ISSUER: str(ehr.jwks)}))
    env.update(DJANGO_SETTINGS_MODULE="cluneal.web.settings")
    people = patients(rng)
    profile = {pid: prof for pid, prof, _ in people}
    bodies = {(pid, h): template(h, pid, pf, rng) for pid, _, pf in people for h in HOOKS}
    n = round(args.rate * args.seconds)
    chosen = [(rng.choice(people)[0], OS if rng.random() < 0.2 else PV) for _ in range(n)]
    warm = [(people[k % PATIENTS][0], h) for k in range(WARM_UP) for h in HOOKS]
    signing, valid = time.perf_counter(), TOKEN_LIFE_S
    discovery = [ehr.token(DISCOVERY, valid) for _ in range(BASELINE_N + WARM_UP)]
    warm_plan, plan = ([(p, h, ehr.token(HOOKS[h], valid)) for p, h in x] for x in (warm, chosen))
    signed, sign_s = len(discovery) + len(warm_plan) + n, time.perf_counter() - signing
    proc = None
    try:
        proc = start_server(port, 2, env, work / "server.log")
        for k, (pid, hook, token) in enumerate(warm_plan):  # both workers load pack and keys
            send(port, HOOKS[hook], token, b"warm-up".join(bodies[pid, hook]))
            if hook == OS:
                send(port, DISCOVERY, discovery[BASELINE_N + k // 2])
        baseline, bad = [], Counter[int]()
        for token in discovery[:BASELINE_N]:
            started = time.perf_counter()
            status, _ = send(port, DISCOVERY, token)
            baseline.append((time.perf_counter() - started) * 1000)
            bad.update([status] if status != 200 else [])
        threads = max(32, min(1000, int(2 * args.rate)))  # send lag shows if too few
        client_cpu = -time.process_time()
        results, start = open_loop(port, plan, bodies, args.rate, threads)
        client_cpu += time.process_time()
        stop_server(proc)
        log = (work / "server.log").read_text(errors="replace").splitlines()
        with sqlite3.connect(work / "cluneal.sqlite3") as db:
            seen, issued = (
                db.execute(f"SELECT count(*) FROM cds_{table}").fetchone()[0]  # noqa: S608
                for table in ("seentoken", "issuedcard")
            )
    finally:
        if proc is not None:
            stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)

    ok = [r for r in results if r[0] == "ok"]
    errors = Counter(r[0] for r in results if r[0] != "ok")
    wall = max(r[4] for r in results) - start
    sizes = [sum(len(b["entry"]) for b in list(pf.values())[1:]) for *_, pf in people]
    body_kb = sum(len(b"".join(bodies[p, h])) for p, h in chosen) / max(1, n) / 1024
    print(f"cluneal serve: 2 workers x default threads, SQLite; {os.cpu_count()} CPUs, shared")
    print(f"patients: {dict(Counter(profile.values()))}, {min(sizes)}-{max(sizes)} resources")
    print(f"  in prefetch besides the Patient; mean request body {body_kb:.0f} KB")
    print(f"{signed} ES384 tokens signed before the run in {sign_s:.1f} s")
    print(f"baseline: {BASELINE_N} sequential GET /cds-services, ms: {summary(baseline)}")
    print(f"  non-200 answers: {dict(bad) or 'none'}")
    print(f"open loop: {args.rate:g} requests/s offered for {args.seconds:g} s, {threads} threads")
    print(f"  offered    {n}\n  completed  {len(ok)} (200 OK)\n  errors     {n - len(ok)}")
    print(*[f"    {count:6d}  {kind}\n" for kind, count in errors.most_common()], sep="", end="")
    print(f"  achieved   {len(ok) / wall:.1f} requests/s (200 OK in {wall:.1f} s to the last one)")
    print(f"  latency from planned send, 200 OK, ms: {summary([r[1] for r in ok])}")
    print(f"  client send lag, ms:                    {summary([r[3] for r in results])}")
    print(f"  client CPU {client_cpu:.1f} s, {100 * client_cpu / wall:.0f}% of a core")
    for hook in HOOKS:
        mine = [(p, r) for (p, h), r in zip(chosen, results, strict=True) if h == hook]
        answered = [(p, r) for p, r in mine if r[0] == "ok"]
        carded = Counter(profile[p] for p, r in answered if r[2])
        kinds = Counter(c["indicator"] for _, r in answered for c in r[2])
        print(f"  {hook:<12}  {len(mine)} offered, {len(answered)} answered, ", end="")
        print(f"{sum(carded.values())} with cards {dict(kinds)}; by profile {dict(carded)}")
    print(f"database after the run (warm-up included): {seen} JWT ids, {issued} issued cards")
    if errors:
        print("server log, last 20 lines that are not access-log lines:")
        print(*[f"  {x}" for x in log if not x.startswith("127.0.0.1 - ")][-20:], sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
