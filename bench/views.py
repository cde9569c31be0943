"""SQL-on-FHIR views compiled to DuckDB SQL, against hand-written typed SQL and a peer runner.

Generates (once, from a fixed seed, into a cache directory) NDJSON with 200,000 Patients (names,
birth dates, genders, addresses, telecoms, identifiers) and their Conditions (SNOMED and ICD-10
codings), then times three views, each materialised into a temporary table (so that no column
can be skipped), 3 runs each, medians:

* ours: ``compile_view(parse_view(view), "duckdb", ...)`` over ``read_ndjson_objects`` (a JSON
  ``resource`` column, as the runner takes its input);
* hand-written: a typed DuckDB query over the same file (``read_json`` with declared columns);
* peer: fhir4ds-v2 0.0.17 (AGPL; a ViewDefinition-to-SQL generator on DuckDB with its FHIRPath
  extension), installed into a separate virtual environment beside the data and run as a
  subprocess; it is no dependency of Cluneal. If it cannot be installed, the reason is printed.

Nothing is asserted. ``CLUNEAL_BENCH_CACHE`` moves the cache (default: the user cache directory).

    python bench/views.py              # all three, the peer installed on first use
    python bench/views.py --no-peer    # ours and the hand-written queries only
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import platformdirs

from cluneal.sqlonfhir import compile_view, parse_view

N_PATIENTS, SEED, REPEATS = 200_000, 20260101, 3
PEER = "fhir4ds-v2==0.0.17"
CACHE = Path(os.environ.get("CLUNEAL_BENCH_CACHE") or platformdirs.user_cache_dir("cluneal"))
WORK = CACHE / "bench-sqlonfhir"
MRN = "http://hospital.example.org/mrn"
SCT, ICD = "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"
FAMILIES = [
    "Smith",
    "Jones",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Martin",
    "Bernard",
    "Dubois",
    "Rossi",
    "Muller",
    "Schmidt",
]
GIVEN = [
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Lea",
    "Marco",
    "Nina",
    "Omar",
    "Paula",
]
CITIES = [("Boston", "MA", "021"), ("Denver", "CO", "802"), ("Austin", "TX", "787")]
CITIES += [("Portland", "OR", "972"), ("Madison", "WI", "537")]
PROBLEMS = [
    ("279039007", "Low back pain", "M54.50"),
    ("202794004", "Sacroiliac joint pain", "M53.3"),
    ("38341003", "Hypertension", "I10"),
    ("44054006", "Diabetes mellitus type 2", "E11.9"),
    ("195967001", "Asthma", "J45.909"),
]


def _patient(rng: random.Random, i: int) -> dict[str, Any]:
    names = [{"use": "official", "family": rng.choice(FAMILIES), "given": rng.sample(GIVEN, 2)}]
    if rng.random() < 0.3:
        names.append({"use": "usual", "given": [rng.choice(GIVEN)]})
    city, state, zip3 = rng.choice(CITIES)
    address = {"use": "home", "line": [f"{rng.randint(1, 999)} Main St"], "city": city}
    address |= {"state": state, "postalCode": f"{zip3}{rng.randint(10, 99)}", "country": "US"}
    telecom = [{"system": "phone", "value": f"555-{rng.randint(1000, 9999)}", "use": "home"}]
    if rng.random() < 0.5:
        telecom.append({"system": "email", "value": f"p{i}@example.org"})
    year, month, day = rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)
    return {
        "resourceType": "Patient",
        "id": f"p{i:07d}",
        "identifier": [{"system": MRN, "value": f"MRN{rng.randint(10**6, 10**7 - 1)}"}],
        "active": rng.random() < 0.9,
        "name": names,
        "telecom": telecom,
        "gender": rng.choice(["female", "male", "female", "male", "other", "unknown"]),
        "birthDate": f"{year:04d}-{month:02d}-{day:02d}",
        "address": [address] if rng.random() < 0.95 else [],
    }


def _conditions(rng: random.Random, patient: str) -> list[dict[str, Any]]:
    out = []
    for j in range(rng.choice([0, 1, 1, 2])):
        snomed, display, icd = rng.choice(PROBLEMS)
        coding = [{"system": SCT, "code": snomed, "display": display}]
        coding.append({"system": ICD, "code": icd, "display": display})
        status = {"coding": [{"code": rng.choice(["active", "resolved"])}]}
        out.append(
            {
                "resourceType": "Condition",
                "id": f"{patient}-c{j}",
                "clinicalStatus": status,
                "code": {"coding": coding, "text": display},
                "subject": {"reference": f"Patient/{patient}"},
                "onsetDateTime": f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-15",
            }
        )
    return out


def data() -> dict[str, Path]:
    files = {kind: WORK / f"{kind}-{N_PATIENTS}-{SEED}.ndjson" for kind in ("patient", "cond")}
    if all(path.exists() for path in files.values()):
        return files
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    start = time.perf_counter()
    with files["patient"].open("w") as patients, files["cond"].open("w") as conditions:
        for i in range(N_PATIENTS):
            patient = _patient(rng, i)
            patients.write(json.dumps(patient) + "\n")
            for condition in _conditions(rng, patient["id"]):
                conditions.write(json.dumps(condition) + "\n")
    print(f"generated {N_PATIENTS:,} patients in {time.perf_counter() - start:.1f} s")
    return files


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # which file: patient or cond
    view: dict[str, Any]
    #: The typed columns the hand-written query reads, and the query over ``{src}``.
    columns: dict[str, str]
    sql: str

    def typed_file(self, path: Path) -> str:
        columns = ", ".join(f"{name}: '{sql_type}'" for name, sql_type in self.columns.items())
        return f"read_json('{path}', format='newline_delimited', columns={{{columns}}})"

    def typed_json(self, relation: str) -> str:
        structure = json.dumps(self.columns)
        return f"(SELECT unnest(json_transform(resource, '{structure}')) FROM {relation})"  # noqa: S608


def cases() -> list[Case]:
    demographics = {
        "resource": "Patient",
        "select": [
            {"column": [col("id", "getResourceKey()"), col("gender", "gender")]},
            {"column": [col("birth_date", "birthDate"), col("active", "active")]},
            {
                "forEach": "name",
                "column": [
                    col("name_use", "use"),
                    col("family", "family"),
                    col("given", "given.join(' ')"),
                ],
            },
        ],
    }
    contacts = {
        "resource": "Patient",
        "select": [
            {"column": [col("id", "id"), col("mrn", f"identifier.where(system = '{MRN}').value")]},
            {"column": [col("phone", "telecom.where(system = 'phone').value.first()")]},
            {
                "forEachOrNull": "address",
                "column": [
                    col("city", "city"),
                    col("state", "state"),
                    col("postal_code", "postalCode"),
                ],
            },
        ],
    }
    problems = {
        "resource": "Condition",
        "select": [
            {"column": [col("id", "id"), col("patient_id", "subject.getReferenceKey(Patient)")]},
            {"column": [col("onset", "onset.ofType(dateTime)")]},
            {"column": [col("clinical_status", "clinicalStatus.coding.code.first()")]},
            {
                "forEach": "code.coding",
                "column": [col("system", "system"), col("code", "code"), col("display", "display")],
            },
        ],
    }
    text, flag = "VARCHAR", "BOOLEAN"
    pairs = "STRUCT(system VARCHAR, value VARCHAR)[]"
    return [
        Case(
            "patient demographics (forEach name)",
            "patient",
            demographics,
            {"resourceType": text, "id": text, "gender": text, "birthDate": text, "active": flag}
            | {"name": "STRUCT(use VARCHAR, family VARCHAR, given VARCHAR[])[]"},
            "SELECT id, gender, birthDate AS birth_date, active, n.use AS name_use, "
            "n.family AS family, coalesce(array_to_string(n.given, ' '), '') AS given "
            "FROM (SELECT *, unnest(name) AS n FROM {src} WHERE resourceType = 'Patient')",
        ),
        Case(
            "patient contacts (where, first, forEachOrNull address)",
            "patient",
            contacts,
            {"resourceType": text, "id": text, "identifier": pairs, "telecom": pairs}
            | {"address": "STRUCT(city VARCHAR, state VARCHAR, postalCode VARCHAR)[]"},
            f"SELECT id, list_filter(identifier, lambda i: i.system = '{MRN}')[1].value AS mrn, "  # noqa: S608
            "list_filter(telecom, lambda t: t.system = 'phone')[1].value AS phone, "
            "a.city AS city, a.state AS state, a.postalCode AS postal_code FROM (SELECT *, "
            "unnest(CASE WHEN len(address) > 0 THEN address ELSE [NULL] END) AS a "
            "FROM {src} WHERE resourceType = 'Patient')",
        ),
        Case(
            "condition codes (forEach code.coding)",
            "cond",
            problems,
            {"resourceType": text, "id": text, "subject": "STRUCT(reference VARCHAR)"}
            | {"onsetDateTime": text, "clinicalStatus": "STRUCT(coding STRUCT(code VARCHAR)[])"}
            | {"code": "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR, display VARCHAR)[])"},
            "SELECT id, regexp_extract(subject.reference, '^Patient/(.+)$', 1) AS patient_id, "
            "onsetDateTime AS onset, clinicalStatus.coding[1].code AS clinical_status, "
            "c.system AS system, c.code AS code, c.display AS display "
            "FROM (SELECT *, unnest(code.coding) AS c FROM {src} "
            "WHERE resourceType = 'Condition')",
        ),
    ]


def col(name: str, path: str) -> dict[str, str]:
    return {"name": name, "path": path}


def timed(con: duckdb.DuckDBPyConnection, queries: list[str]) -> list[tuple[float, int]]:
    """Median seconds to materialise each query into a table, and its row count. After one
    warm-up round, the runs of the queries alternate, so that a change in the machine's load
    falls on all of them."""
    runs: list[list[float]] = [[] for _ in queries]
    counts = [0] * len(queries)
    for round_ in range(REPEATS + 1):
        for i, sql in enumerate(queries):
            start = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS {sql}")
            if round_:
                runs[i].append(time.perf_counter() - start)
            row = con.execute("SELECT count(*) FROM bench_out").fetchone()
            counts[i] = int(row[0]) if row else 0
    return [(statistics.median(r), n) for r, n in zip(runs, counts, strict=True)]


# Run in the peer's environment: times each (file, view) as ours is timed.
PEER_SCRIPT = """
import json, statistics, sys, time
import fhir4ds
con = fhir4ds.create_connection()
out = []
for path, view in json.loads(sys.stdin.read()):
    con.execute(f"CREATE OR REPLACE VIEW resources AS SELECT json AS resource "
                f"FROM read_ndjson_objects('{path}')")
    sql = fhir4ds.generate_view_sql(view)
    runs = []
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS {sql}")
        runs.append(time.perf_counter() - start)
    rows = con.execute("SELECT count(*) FROM bench_out").fetchone()[0]
    out.append([statistics.median(runs), rows])
print(json.dumps(out))
"""


def peer(tasks: list[tuple[str, dict[str, Any]]]) -> list[tuple[float, int]] | str:
    """The peer's (median seconds, rows) for each task, or why it could not run."""
    env_dir = WORK / "fhir4ds-venv"
    python = env_dir / "bin" / "python"
    try:
        if not python.exists():
            venv.create(env_dir, with_pip=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", PEER],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
        done = subprocess.run(
            [str(python), "-c", PEER_SCRIPT, str(REPEATS)],
            input=json.dumps(tasks),
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or ""
        return f"{type(error).__name__}: {error} {detail.strip()[-400:]}"
    return [(float(s), int(n)) for s, n in json.loads(done.stdout.strip().splitlines()[-1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-peer", action="store_true", help=f"do not run {PEER}")
    arguments = parser.parse_args()
    files = data()
    con = duckdb.connect()
    for kind, path in files.items():
        source = f"SELECT json AS resource FROM read_ndjson_objects('{path}')"  # noqa: S608
        con.execute(f"CREATE VIEW {kind}_json AS {source}")
    print(f"DuckDB {duckdb.__version__}, {N_PATIENTS:,} patients, medians of {REPEATS} runs")
    print("input of ours and of hand-written (JSON): a JSON column from read_ndjson_objects")
    print("ours / this: our median time divided by this one's (below 1: ours is faster)")
    measured = []
    for case in cases():
        relation = f"{case.kind}_json"
        ours, typed_file, typed_json = timed(
            con,
            [
                compile_view(parse_view(case.view), "duckdb", relation),
                case.sql.format(src=case.typed_file(files[case.kind])),
                case.sql.format(src=case.typed_json(relation)),
            ],
        )
        measured.append((case, ours, typed_file, typed_json))
    tasks = [(str(files[case.kind]), case.view) for case in cases()]
    others = "--no-peer" if arguments.no_peer else peer(tasks)
    if isinstance(others, str):
        print(f"peer {PEER} not measured: {others}")
    for i, (case, ours, typed_file, typed_json) in enumerate(measured):
        print(f"\n{case.name}: {ours[1]:,} rows")
        report("ours (compiled)", ours)
        report("hand-written, typed read_json", typed_file, ours)
        report("hand-written, typed JSON", typed_json, ours)
        if not isinstance(others, str):
            report(PEER, others[i], ours)


def report(label: str, result: tuple[float, int], ours: tuple[float, int] | None = None) -> None:
    seconds, rows = result
    ratio = "" if ours is None else f"  ours / this: {ours[0] / seconds:5.2f} x"
    check = "" if ours is None or rows == ours[1] else f"  ({rows:,} rows!)"
    print(f"  {label:<31} {seconds:7.3f} s {rows / seconds:11,.0f} rows/s{ratio}{check}")


if __name__ == "__main__":
    main()
