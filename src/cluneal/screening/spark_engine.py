"""The Spark engine: the same compiled views and feature query, as Spark SQL.

Each file is read as text (one resource per line), so a malformed line is a null resource that
the validation counts, not a failed job. Views are cached (memory, then disk) because the
feature query reads them several times.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any


class SparkEngine:
    dialect = "spark"

    def __init__(self, master: str = "local[*]") -> None:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        logging.getLogger("py4j").setLevel(logging.WARNING)
        builder = (
            SparkSession.builder.master(master)
            .appName("cluneal-screen")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.ansi.enabled", "false")
        )
        if master.startswith("local"):
            builder = builder.config("spark.driver.host", "127.0.0.1").config(
                "spark.driver.bindAddress", "127.0.0.1"
            )
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self.error_types: tuple[type[Exception], ...] = (PySparkException, Py4JJavaError)
        self._cached: list[Any] = []

    def register(self, resource_type: str, files: list[Path]) -> None:
        if files:
            frame = self.spark.read.text([str(p) for p in files]).withColumnRenamed(
                "value", "resource"
            )
            # Blank lines hold JSON white space only, as export.is_blank says.
            frame = frame.where("trim(BOTH ' \\t\\r' FROM resource) <> ''")
        else:
            frame = self.spark.createDataFrame([], "resource string")
        frame.createOrReplaceTempView(f"raw_{resource_type}")

    def materialise(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).persist()
        self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def keep_checked(self, name: str, sql: str) -> None:
        """A view: the executors read the files again rather than hold every line."""
        self.spark.sql(sql).createOrReplaceTempView(name)

    def scalar_rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def load_codes(self, rows: list[tuple[str, str, str]]) -> None:
        frame = self.spark.createDataFrame(rows, "list string, system string, code string")
        frame.createOrReplaceTempView("codes")

    def note_hits(self, pack: Any, as_of: Any) -> list[Any]:
        """The notes read on the executors, a batch of rows at a time (``mapInPandas``)."""
        from cluneal.screening.notes import HIT_COLUMNS, HIT_SCHEMA, NOTE_COLUMNS, read_batch

        def read(frames: Any) -> Any:
            import pandas

            for frame in frames:
                rows = list(frame.itertuples(index=False, name=None))
                hits = list(read_batch(rows, pack, as_of))
                yield pandas.DataFrame(hits, columns=list(HIT_COLUMNS))

        notes = self.spark.sql(f"SELECT {NOTE_COLUMNS} FROM v_screening_note")
        return [tuple(r) for r in notes.mapInPandas(read, schema=HIT_SCHEMA).collect()]

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()
        for name in [t.name for t in self.spark.catalog.listTables() if t.isTemporary]:
            self.spark.catalog.dropTempView(name)
