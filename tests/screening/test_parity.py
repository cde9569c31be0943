"""Two engines, one result: DuckDB and Spark write byte-identical files."""

from __future__ import annotations

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.screening.pipeline import screen

pytestmark = pytest.mark.spark
PACK = default_pack()


@pytest.mark.parametrize("source", ["synthea", "population"])
def test_duckdb_and_spark_write_the_same_bytes(source, synthea_dir, population, tmp_path):
    export = synthea_dir if source == "synthea" else population
    duck, spark = tmp_path / "duckdb.csv", tmp_path / "spark.csv"
    screen(export, duck, PACK, engine="duckdb")
    screen(export, spark, PACK, engine="spark", spark_master="local[2]")
    assert duck.read_bytes() == spark.read_bytes()
    assert len(duck.read_bytes().splitlines()) > 1
