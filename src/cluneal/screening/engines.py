"""The two engines: the same compiled views and feature query, on DuckDB or on Spark.

Each engine exposes a relation ``raw_<Type>`` with one column ``resource`` (JSON text) per
resource type, materialises the pack's ViewDefinitions as ``v_<name>``, loads the code lists as
``codes``, and runs :func:`cluneal.screening.features.features_sql`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.export import MAX_LINE, REPORT_LIMIT, Export
from cluneal.screening.features import code_rows, features_sql
from cluneal.screening.notes import NOTE_COLUMNS, HitRow
from cluneal.sqlonfhir import View, compile_view, parse_view
from cluneal.sqlonfhir.dialect import Dialect
from cluneal.sqlonfhir.duckdb_sql import DuckDB
from cluneal.sqlonfhir.spark_sql import Spark
from cluneal.sqlonfhir.validate import Place, places, predicate

Progress = Callable[[str, int], None]


@dataclass
class EngineResult:
    hits: list[tuple[str, str, str]]
    resources: dict[str, int] = field(default_factory=dict)
    invalid: dict[str, int] = field(default_factory=dict)
    missing_patients: list[str] = field(default_factory=list)
    missing_count: int = 0
    #: Hits from the notes (:data:`cluneal.screening.notes.HitRow`); None: notes not read.
    note_rows: list[HitRow] | None = None
    notes: int = 0


class Engine(Protocol):
    dialect: str

    def register(self, resource_type: str, files: list[Path]) -> None: ...
    def materialise(self, name: str, sql: str) -> None: ...
    def keep_checked(self, name: str, sql: str) -> None: ...
    def scalar_rows(self, sql: str) -> list[tuple[Any, ...]]: ...
    def load_codes(self, rows: list[tuple[str, str, str]]) -> None: ...
    def note_hits(self, pack: KnowledgePack, as_of: dt.date) -> list[HitRow]: ...
    def close(self) -> None: ...


def reads(pack: KnowledgePack, read_notes: bool = True) -> dict[str, tuple[Place, ...]]:
    """The places the pack's views read, by resource type (checked before any cast)."""
    views: dict[str, list[View]] = {}
    for view in pack.screening.views:
        resource_type = str(view["resource"])
        if resource_type != "DocumentReference" or read_notes:
            views.setdefault(resource_type, []).append(parse_view(view))
    return {resource_type: places(found) for resource_type, found in views.items()}


def run(
    engine: Engine,
    export: Export,
    pack: KnowledgePack,
    as_of: dt.date,
    *,
    skip_bad: bool,
    progress: Progress | None = None,
    read_notes: bool = True,
) -> EngineResult:
    """Views, validation counts, features and notes. A line is used only if it holds a JSON
    object of its file's type whose values at the places the views read are well formed
    (:mod:`.sqlonfhir.validate`); the others are counted in ``invalid``. Without ``skip_bad``
    the run stops at the first resource type with such lines."""
    result = EngineResult(hits=[])
    engine.load_codes(code_rows(pack))
    read = reads(pack, read_notes)
    checked: set[str] = set()
    for view in pack.screening.views:
        resource_type = str(view["resource"])
        if resource_type not in read:
            continue
        files = export.of(resource_type)
        if resource_type not in checked:
            checked.add(resource_type)
            engine.register(resource_type, files)
            well_formed = predicate(read[resource_type], _dialect(engine.dialect), "resource")
            engine.keep_checked(
                f"ok_{resource_type}",
                f"SELECT resource FROM raw_{resource_type} WHERE "
                f"{_type_check(engine.dialect, resource_type)} AND {well_formed}",
            )
            [(used,)] = engine.scalar_rows(f"SELECT count(*) FROM ok_{resource_type}")
            result.resources[resource_type] = int(used)
            lines = export.lines.get(resource_type, 0)
            if lines != used:
                result.invalid[resource_type] = lines - int(used)
                if not skip_bad:
                    return result
        sql = compile_view(parse_view(view), engine.dialect, f"ok_{resource_type}")  # type: ignore[arg-type]
        engine.materialise(f"v_{view['name']}", sql)
        if progress:
            progress(resource_type, sum(p.stat().st_size for p in files))
    [(result.missing_count,)] = engine.scalar_rows(f"SELECT count(*) FROM ({MISSING}) m")
    result.missing_patients = [
        str(r[0]) for r in engine.scalar_rows(f"{MISSING} ORDER BY 1 LIMIT {REPORT_LIMIT}")
    ]
    result.hits = [
        (str(p), str(f), str(r))
        for p, f, r in engine.scalar_rows(features_sql(pack, as_of, engine.dialect))  # type: ignore[arg-type]
        if p is not None
    ]
    if read_notes:
        [(result.notes,)] = engine.scalar_rows("SELECT count(DISTINCT id) FROM v_screening_note")
        result.note_rows = engine.note_hits(pack, as_of)
    return result


MISSING = (
    "SELECT DISTINCT 'Condition/' || id || ' -> Patient/' || patient_id AS ref FROM "
    "v_screening_condition WHERE patient_id IS NOT NULL AND patient_id NOT IN "
    "(SELECT patient_id FROM v_screening_patient)"
)


def _dialect(name: str) -> Dialect:
    return Spark() if name == "spark" else DuckDB()


def _type_check(dialect: str, resource_type: str) -> str:
    """Whether a line holds a JSON object of the file's type. The text test is cheap (no JSON
    parse) and settles the usual Bulk Data line, which opens with its resourceType; other lines
    are parsed. Spark reads lines as text, so it also checks that the line is JSON at all."""
    text = f'\'{{"resourceType":"{resource_type}"\''
    if dialect == "spark":
        parsed = f"get_json_object(resource, '$.resourceType') = '{resource_type}'"
        whole = (
            "try_parse_json(resource) IS NOT NULL AND trim(BOTH ' \\t\\r' FROM resource) LIKE '%}'"
        )
        return f"({whole} AND (startswith(resource, {text}) OR {parsed}))"
    parsed = f"json_extract_string(resource, '$.resourceType') = '{resource_type}'"
    return f"(starts_with(CAST(resource AS VARCHAR), {text}) OR {parsed})"


def cpu_cores() -> int:
    """The cores this process may run on (its affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class DuckDBEngine:
    dialect = "duckdb"

    def __init__(
        self, memory_limit: str = "2GB", threads: int | None = None, note_workers: int = 1
    ) -> None:
        import duckdb

        #: Processes that read the notes (:func:`cluneal.screening.notes.read_all`).
        self.note_workers = note_workers
        self._tmp = tempfile.TemporaryDirectory(prefix="cluneal-screen-")
        self.con = duckdb.connect(config={"temp_directory": self._tmp.name})
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET threads = {threads or cpu_cores()}")
        self.con.execute("SET preserve_insertion_order = false")
        self.error_types: tuple[type[Exception], ...] = (duckdb.Error,)

    def register(self, resource_type: str, files: list[Path]) -> None:
        # Lines that are not JSON are dropped here and counted as the lines :func:`scan` found
        # that the views did not use; in fail mode that count stops the run.
        if files:
            paths = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"
            source = (
                f"SELECT json AS resource FROM read_ndjson_objects({paths}, "
                f"ignore_errors = true, maximum_object_size = {MAX_LINE}) "
                "WHERE json IS NOT NULL"
            )
        else:
            source = "SELECT CAST(NULL AS JSON) AS resource WHERE false"
        self.con.execute(f"CREATE OR REPLACE VIEW raw_{resource_type} AS {source}")

    def materialise(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def keep_checked(self, name: str, sql: str) -> None:
        """The lines that pass the checks, kept as a table: the count and the views then read
        them without parsing the file again (for the notes, about half the time of their
        views), at the cost of temporary space beyond the memory limit."""
        self.materialise(name, sql)

    def scalar_rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def load_codes(self, rows: list[tuple[str, str, str]]) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE codes (list VARCHAR, system VARCHAR, code VARCHAR)"
        )
        self.con.executemany("INSERT INTO codes VALUES (?, ?, ?)", rows)

    def note_hits(self, pack: KnowledgePack, as_of: dt.date) -> list[HitRow]:
        from cluneal.screening.notes import read_all

        # no ORDER BY: the result does not depend on the order the notes come in (the Spark
        # engine reads them unordered), and sorting the notes with their text would spill
        cursor = self.con.execute(f"SELECT {NOTE_COLUMNS} FROM v_screening_note")

        def rows() -> Any:
            while chunk := cursor.fetchmany(1024):
                yield from chunk

        return list(read_all(rows(), pack, as_of, self.note_workers))

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()
