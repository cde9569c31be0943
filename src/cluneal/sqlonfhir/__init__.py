"""SQL-on-FHIR v2 ViewDefinitions compiled to one SQL query, for DuckDB or Spark.

``parse_view`` checks a ViewDefinition strictly and types its FHIRPath against the FHIR R4
elements; ``compile_view`` gives the SELECT that reads a relation of JSON resources (a column
``resource``) and returns the view's rows, typed, in the view's column order::

    view = parse_view(definition)
    sql = compile_view(view, "duckdb", "patients")
"""

from __future__ import annotations

from .model import Column, Select, View
from .query import compile_sql as compile_view
from .run import CardinalityError, run_duckdb, run_spark
from .view import parse_view

__all__ = [
    "CardinalityError",
    "Column",
    "Select",
    "View",
    "compile_view",
    "parse_view",
    "run_duckdb",
    "run_spark",
]
