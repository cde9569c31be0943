"""Writing the candidates: CSV or Parquet by the file's extension, atomically (a temporary file
beside the target, renamed into place only when complete)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cluneal.core.screening import Candidate

COLUMNS = ("patient_id", "score", "tier", "reasons", "evidence")


def write_candidates(candidates: Sequence[Candidate], out: Path) -> None:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if out.suffix.lower() == ".parquet":
            _parquet(candidates, tmp)
        else:
            with tmp.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(c.row() for c in candidates)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _parquet(candidates: Sequence[Candidate], path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE candidates (patient_id VARCHAR, score INTEGER, tier VARCHAR, "
            "reasons VARCHAR, evidence VARCHAR)"
        )
        con.executemany(
            "INSERT INTO candidates VALUES (?, ?, ?, ?, ?)",
            [tuple(c.row()[k] for k in COLUMNS) for c in candidates],
        )
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM candidates) TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
