"""The export's files: CSV and Parquet per table, the data dictionary and a README, in one zip.

The Parquet files are written by pyarrow from the very rows of the CSV files, each column typed
by the dictionary, so both formats hold the same values. Parquet pages are stored
uncompressed (the zip compresses them), which also lets anyone check the files for a string
without a Parquet reader. The zip's entries carry a fixed timestamp: the same data gives the
same bytes, and the file reveals nothing about when it was made. Pure: no Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cluneal.registry import dictionary as d
from cluneal.registry.deid import OFFSET_DAYS, OLDEST_AGE, Table

#: What a user may ask for, and the table formats each gives.
FORMATS: Mapping[str, tuple[str, ...]] = {
    "csv+parquet": ("csv", "parquet"),
    "csv": ("csv",),
    "parquet": ("parquet",),
}
#: The Parquet type of each kind of column of the data dictionary.
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def table_csv(table: str, rows: Table) -> bytes:
    names = [c.name for c in d.columns(table)]
    return csv_bytes(names, [[_cell(row[name]) for name in names] for row in rows])


def table_parquet(table: str, rows: Table) -> bytes:
    """The table as Parquet, each column typed by the dictionary, written by pyarrow from the
    rows themselves (the values of the CSV, typed)."""
    columns = d.columns(table)
    schema = pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in columns])
    data = {c.name: [row[c.name] for row in rows] for c in columns}
    out = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pydict(data, schema=schema), out, compression="none")
    return bytes(out.getvalue().to_pybytes())


def dictionary_csv() -> bytes:
    rows = d.dictionary_rows()
    header = list(rows[0])
    return csv_bytes(header, [[r[h] for h in header] for r in rows])


def readme(counts: Mapping[str, int], formats: tuple[str, ...]) -> str:
    files = "\n".join(
        f"  {name}.{{{','.join(formats)}}}  {counts[name]} row{'' if counts[name] == 1 else 's'}"
        f", {what}"
        for name, (_cols, what) in d.TABLES.items()
    )
    return f"""Cluneal research export (de-identified)

Files
{files}
  data_dictionary.csv  every column of every file: type, allowed values, meaning

De-identification (HIPAA Safe Harbor, 45 CFR 164.514(b)(2), with shifted dates)
- No names, contact details, record numbers, account or device numbers, addresses, URLs,
  IP addresses, images or free text (notes, injected agents) are exported. Only coded values,
  booleans and numbers from the structured record are: anything that is not one of a column's
  codes is left out.
- Patients are named by a research id (HMAC-SHA256 of the record's random key under a secret
  kept by the site), the same in every export of the site.
- DATES ARE SHIFTED. Every date of a patient is moved by the same secret number of
  days, from -{OFFSET_DAYS} to +{OFFSET_DAYS} (never 0), different for each patient.
  Intervals within a patient are exact; calendar dates, weekdays and seasons are not real,
  and dates of different patients cannot be compared. Safe Harbor alone would keep only the
  year: shifted dates are the issuing site's decision under its own expert determination.
- Ages are given instead of years of birth; every age above {OLDEST_AGE} is "{OLDEST_AGE + 1}+".
- Rows are ordered by research id; nothing reveals the order in which patients were recorded.

Use: do not try to identify anyone; do not link these files with other data that could
identify a patient; report any identifier you find to the site that issued the export.
"""


def build_zip(tables: Mapping[str, Table], format_name: str) -> bytes:
    """The export as zip bytes; ``format_name`` is a key of :data:`FORMATS`."""
    formats = FORMATS[format_name]
    members: list[tuple[str, bytes]] = []
    for name, rows in tables.items():
        data = table_csv(name, rows)
        if "csv" in formats:
            members.append((f"{name}.csv", data))
        if "parquet" in formats:
            members.append((f"{name}.parquet", table_parquet(name, rows)))
    counts = {name: len(rows) for name, rows in tables.items()}
    members = [
        ("README.txt", readme(counts, formats).encode("utf-8")),
        ("data_dictionary.csv", dictionary_csv()),
        *members,
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in members:
            info = zipfile.ZipInfo(member, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()
