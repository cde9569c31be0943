"""Writing the candidates: CSV or Parquet by the file's extension, atomically (a temporary file
beside the target, renamed into place only when complete)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from cluneal.core.screening import Candidate
from cluneal.files import atomic_path

COLUMNS = ("patient_id", "score", "tier", "reasons", "evidence")


def write_candidates(candidates: Sequence[Candidate], out: Path) -> None:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        if out.suffix.lower() == ".parquet":
            _parquet(candidates, tmp)
        else:
            with tmp.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(c.row() for c in candidates)


def _parquet(candidates: Sequence[Candidate], path: Path) -> None:
    """The candidates as one Parquet table, written by pyarrow from the rows directly."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [c.row() for c in candidates]
    schema = pa.schema(
        [
            ("patient_id", pa.string()),
            ("score", pa.int32()),
            ("tier", pa.string()),
            ("reasons", pa.string()),
            ("evidence", pa.string()),
        ]
    )
    columns = {name: [row[name] for row in rows] for name in COLUMNS}
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), path)
