"""Engines for the SQL-on-FHIR tests: an in-memory DuckDB, and one local Spark session."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from cluneal.sqlonfhir import View, run_duckdb, run_spark

#: Runs a view over a list of resources on one engine.
Runner = Callable[[View, list[Mapping[str, Any]]], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def duckdb_runner() -> Iterator[Runner]:
    import duckdb

    con = duckdb.connect()
    tables: dict[str, str] = {}

    def run(view: View, resources: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        text = json.dumps(resources, sort_keys=True)
        if text not in tables:
            tables[text] = f"resources_{len(tables)}"
            con.execute(f"CREATE TABLE {tables[text]} (resource JSON)")
            rows = [[json.dumps(resource)] for resource in resources]
            con.executemany(f"INSERT INTO {tables[text]} VALUES (?)", rows)
        return run_duckdb(con, view, tables[text])

    yield run
    con.close()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # py4j logs at interpreter exit, after pytest has closed the streams it captured.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    # The screening's Spark engine reuses this session, and its notes run Python on the
    # executors: they must run this interpreter, which has cluneal installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("cluneal-sqlonfhir-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("OFF")
    yield spark
    spark.stop()


@pytest.fixture(scope="session")
def spark_runner(spark_session: Any) -> Runner:
    views: dict[str, str] = {}

    def run(view: View, resources: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        text = json.dumps(resources, sort_keys=True)
        if text not in views:
            views[text] = f"resources_{len(views)}"
            rows = [(json.dumps(resource),) for resource in resources]
            frame = spark_session.createDataFrame(rows, "resource string")
            frame.createOrReplaceTempView(views[text])
        return run_spark(spark_session, view, views[text])

    return run
