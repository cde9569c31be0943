"""The data dictionary of the research export: the one definition of every exported column.

The export files, ``data_dictionary.csv``, the research page and ``docs/research-exports.md``
are all generated from :data:`TABLES`. It is also the export's last gate: :func:`check_row`
refuses any row holding a column that is not defined here, or a string that is neither one of
the column's codes nor of its declared pattern, so free text cannot reach a file even if an
upstream step were wrong. Pure: no Django, no database.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cluneal.core import bodymap
from cluneal.knowledge import vocabulary as v

KINDS = ("string", "integer", "number", "boolean", "date")
#: Marks a list that was recorded and is empty, as opposed to not recorded (an empty cell).
NONE_CODE = "none"
SEPARATOR = ";"
RESEARCH_ID = re.compile(r"R[0-9a-f]{16}")
AGE = re.compile(r"[0-9]|[1-8][0-9]|90\+")
GUIDANCE = ("landmark", "ultrasound", "fluoroscopy")
RISKS = ("low", "medium", "high")
FINDINGS = ("tender", "distance_mm", "reproduces_complaint", "radiation_on_pressure")


def _regions() -> tuple[str, ...]:
    """Every region of the pain drawing, back view first, each once."""
    seen: dict[str, None] = {}
    for view in bodymap.VIEWS:
        for region, _label in bodymap.REGIONS[view]:
            seen.setdefault(region)
    for site in v.PAIN_SITES:
        seen.setdefault(site)
    return tuple(seen)


PAIN_REGIONS = _regions()


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    codes: tuple[str, ...] = ()
    multiple: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_text: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def values(self) -> str:
        """The allowed values, as the dictionary prints them."""
        if self.codes and self.multiple:
            return (
                f"codes separated by '{SEPARATOR}' from: {', '.join(self.codes)}; "
                f"'{NONE_CODE}' = recorded, none"
            )
        if self.codes:
            return ", ".join(self.codes)
        if self.pattern_text:
            return self.pattern_text
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        if self.low is not None:
            return f">= {self.low:g}"
        return {"date": "YYYY-MM-DD, shifted", "boolean": "true, false"}.get(self.kind, "")


def _research_id(defined_here: bool = False) -> Column:
    description = (
        "The patient's pseudonym: 'R' and 16 hex digits of HMAC-SHA256 of the record's random "
        "key under the site's secret. The same in every export of the site; it cannot be "
        "turned back into the record without the secret, which is never exported."
        if defined_here
        else "The patient (research_id of patients)"
    )
    return Column(
        "research_id",
        "string",
        description,
        pattern=RESEARCH_ID,
        pattern_text="R followed by 16 hex digits",
    )


def _age(name: str, description: str) -> Column:
    return Column(
        name,
        "string",
        f"Age in years {description}, from the year of birth (year difference); '90+' for "
        "every age of 90 or more (Safe Harbor); empty when the year of birth is not recorded.",
        pattern=AGE,
        pattern_text="0 to 89, or 90+",
    )


def _number(name: str, description: str) -> Column:
    return Column(name, "integer", description, low=1)


def _nrs(name: str, description: str) -> Column:
    return Column(name, "integer", f"{description} (numeric rating scale)", low=0, high=10)


def _codes(name: str, description: str, codes: tuple[str, ...]) -> Column:
    return Column(name, "string", description, codes=codes, multiple=True)


def _exam_columns() -> tuple[Column, ...]:
    out: list[Column] = []
    for side in v.SIDES:
        for nerve in v.NERVES:
            where = f"{nerve.upper()} {side}"
            prefix = f"exam_{side}_{nerve}"
            out += [
                Column(f"{prefix}_tender", "boolean", f"{where}: tender point found"),
                Column(
                    f"{prefix}_distance_mm",
                    "number",
                    f"{where}: distance of the tender point in mm (SCN: from the midline; "
                    "MCN: caudal to the PSIS)",
                    low=0,
                ),
                Column(
                    f"{prefix}_reproduces_complaint",
                    "boolean",
                    f"{where}: pressure reproduces the complaint",
                ),
                Column(
                    f"{prefix}_radiation_on_pressure",
                    "boolean",
                    f"{where}: numbness or radiating pain on pressure (Tinel-like)",
                ),
            ]
    return tuple(out)


PATIENTS = (
    _research_id(defined_here=True),
    Column("sex", "string", "Sex as recorded", codes=v.SEXES),
    _age("age_at_first_contact", "at the patient's first visit, block or treatment"),
    Column("visits", "integer", "Number of visits exported (rows in visits)", low=0),
    Column("blocks", "integer", "Number of blocks exported (rows in blocks)", low=0),
    Column("treatments", "integer", "Number of treatments exported", low=0),
)

VISITS = (
    _research_id(),
    _number("visit_number", "1 for the patient's first visit, in date order"),
    Column("visit_date", "date", "Date of the visit, shifted by the patient's offset"),
    _age("age", "at the visit"),
    _nrs("current_nrs", "Pain today, 0-10"),
    Column("duration_months", "number", "Duration of the pain in months", low=0),
    _codes("pain_left", "Regions of the pain drawing, left side", PAIN_REGIONS),
    _codes("pain_right", "Regions of the pain drawing, right side", PAIN_REGIONS),
    _codes("aggravated_by", "What aggravates the pain", v.AGGRAVATING),
    Column("leg_numbness_or_tingling", "boolean", "Numbness or tingling in the leg"),
    _codes("prior_procedures", "Procedures done before", v.PROCEDURES),
    _codes("planned_procedures", "Procedures planned", v.PROCEDURES),
    _codes("conditions", "Conditions recorded", v.CONDITIONS),
    _codes("red_flags", "Red flags present", v.RED_FLAGS),
    *_exam_columns(),
    Column("startback_total", "integer", "Keele STarT Back total score", low=0, high=9),
    Column(
        "startback_psychosocial",
        "integer",
        "Keele STarT Back psychosocial subscale (items 5-9)",
        low=0,
        high=5,
    ),
    Column("startback_risk", "string", "Keele STarT Back risk group", codes=RISKS),
    Column("odi_percent", "number", "Oswestry Disability Index, percent", low=0, high=100),
    Column("odi_answered", "integer", "ODI sections answered", low=0, high=10),
    Column("rmdq_score", "integer", "Roland-Morris Disability Questionnaire score", low=0, high=24),
)

BLOCKS = (
    _research_id(),
    _number("block_number", "1 for the patient's first block, in date order"),
    Column("block_date", "date", "Date of the block, shifted by the patient's offset"),
    Column("nerve", "string", "Nerve blocked", codes=v.NERVES),
    Column("side", "string", "Side", codes=v.SIDES),
    Column("guidance", "string", "How the needle was guided", codes=GUIDANCE),
    Column("volume_ml", "number", "Volume injected, ml", low=0),
    _nrs("nrs_before", "Pain before the block, 0-10"),
    _nrs("nrs_after", "Pain after the block, 0-10"),
    Column("minutes_after", "integer", "Minutes after the block when pain was measured", low=0),
    Column("relief_days", "number", "How long relief lasted, days", low=0),
    Column(
        "relief_days_from_diary",
        "boolean",
        "relief_days was computed from the patient's pain diary",
    ),
)

TREATMENTS = (
    _research_id(),
    _number("treatment_number", "1 for the patient's first treatment, in date order"),
    Column("treatment_date", "date", "Date of the treatment, shifted by the patient's offset"),
    Column("kind", "string", "Treatment", codes=v.TREATMENT_KINDS),
    Column("nerve", "string", "Nerve treated", codes=v.NERVES),
    Column("side", "string", "Side", codes=v.SIDES),
    Column("outcome", "string", "Outcome as last recorded", codes=v.OUTCOMES),
    Column(
        "recurrence_date",
        "date",
        "Date the pain came back after this treatment (outcome 'recurred'), shifted by the "
        "patient's offset; empty when none was recorded",
    ),
    Column(
        "last_follow_up",
        "date",
        "Last date the patient was followed up after this treatment (censoring), shifted by "
        "the patient's offset",
    ),
)

#: Every file of the export: its columns, in order, and what one row is.
TABLES: Mapping[str, tuple[tuple[Column, ...], str]] = {
    "patients": (PATIENTS, "one row per patient"),
    "visits": (VISITS, "one row per visit"),
    "blocks": (BLOCKS, "one row per diagnostic or therapeutic block"),
    "treatments": (TREATMENTS, "one row per treatment (release, neurectomy, radiofrequency)"),
}


def columns(table: str) -> tuple[Column, ...]:
    return TABLES[table][0]


def _valid_string(column: Column, value: str) -> bool:
    if column.pattern is not None:
        return column.pattern.fullmatch(value) is not None
    if column.multiple:
        parts = value.split(SEPARATOR)
        return value == NONE_CODE or all(p in column.codes for p in parts)
    return value in column.codes


def _valid(column: Column, value: Any) -> bool:
    if value is None:
        return True
    if column.kind == "string":
        return isinstance(value, str) and _valid_string(column, value)
    if column.kind == "boolean":
        return isinstance(value, bool)
    if column.kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if column.kind == "integer" and not isinstance(value, int):
        return False
    if not math.isfinite(value):
        return False
    return (column.low is None or value >= column.low) and (
        column.high is None or value <= column.high
    )


def check_row(table: str, row: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``row`` holds exactly the table's columns with valid values."""
    cols = columns(table)
    names = [c.name for c in cols]
    if list(row) != names:
        extra = sorted(set(row) - set(names))
        raise ValueError(f"{table}: columns differ from the dictionary (extra: {extra})")
    for column in cols:
        if not _valid(column, row[column.name]):
            raise ValueError(f"{table}.{column.name}: a value outside the dictionary")


def dictionary_rows() -> list[dict[str, str]]:
    return [
        {
            "file": table,
            "column": c.name,
            "type": c.kind,
            "values": c.values,
            "description": c.description,
        }
        for table, (cols, _what) in TABLES.items()
        for c in cols
    ]


def markdown() -> str:
    """The dictionary as Markdown tables, one per file (pasted into the documentation)."""
    lines: list[str] = []
    for table, (cols, what) in TABLES.items():
        lines += [f"### `{table}` ({what})", "", "| column | type | values | description |"]
        lines.append("|---|---|---|---|")
        for c in cols:
            values = c.values.replace("|", "\\|")
            lines.append(f"| `{c.name}` | {c.kind} | {values} | {c.description} |")
        lines.append("")
    return "\n".join(lines)
