"""Running a compiled view on DuckDB or Spark, rows as dictionaries.

The engines are imported only here and only when called: compiling a view needs neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import View
from .query import compile_sql

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

#: Every error the compiled SQL raises on purpose starts with this.
MARKER = "sqlonfhir:"


class CardinalityError(ValueError):
    """A value that must be single had several (a column without ``collection: true``)."""


def _reraise(error: Exception) -> None:
    text = str(error)
    start = text.find(MARKER)
    if start >= 0:
        message = text[start + len(MARKER) :].split("\n")[0].split(" SQLSTATE")[0].strip()
        raise CardinalityError(message) from error


def run_duckdb(con: duckdb.DuckDBPyConnection, view: View, relation: str) -> list[dict[str, Any]]:
    """The rows of ``view`` over ``relation`` (a table or view with a JSON ``resource`` column)."""
    import duckdb

    sql = compile_sql(view, "duckdb", relation)
    try:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as error:
        _reraise(error)
        raise


def run_spark(spark: SparkSession, view: View, relation: str) -> list[dict[str, Any]]:
    """The rows of ``view`` over ``relation`` (a table or temp view with a string ``resource``)."""
    from pyspark.errors import PySparkException

    sql = compile_sql(view, "spark", relation)
    try:
        frame = spark.sql(sql)
        return [row.asDict(recursive=True) for row in frame.collect()]
    except PySparkException as error:
        _reraise(error)
        raise
