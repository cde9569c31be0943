"""The screening features as one SQL query over the flattened views, for DuckDB or Spark SQL.

Input relations (the pack's ViewDefinitions, materialised by an engine): ``v_screening_patient``,
``v_screening_condition``, ``v_screening_procedure``, ``v_screening_service_request``, and
``codes(list, system, code)`` with the pack's code lists (ICD-10-CM without dots). The query
returns one row per (patient, feature, resource): ``patient_id, feature, reference``. Feature
``back_pain`` selects who is listed; ``known`` marks a cluneal diagnosis or block on record;
``red_flag:<rule>`` a Condition that shows a red flag by the pack's ``red_flag_rules`` and still
counts on the screening date (not resolved or inactive, not abated, recorded within its red
flag's window), the same test as :func:`cluneal.interop.fhir_case.red_flag_of`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from cluneal.core.red_flags import earliest_counted
from cluneal.core.screening import RED_FLAG
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack, Matcher

Dialect = Literal["duckdb", "spark"]
VOID = ("entered-in-error", "refuted", "not-done", "revoked")
PENDING_ORDERS = ("draft", "active", "on-hold")
SOURCES = {
    "Condition": "v_screening_condition",
    "Procedure": "v_screening_procedure",
    "ServiceRequest": "v_screening_service_request",
}


def code_rows(pack: KnowledgePack) -> list[tuple[str, str, str]]:
    """``codes`` table rows: (list, system key, normalised code)."""
    return sorted(
        {
            (name, c.system, c.code.replace(".", "").upper() if c.system == "icd10cm" else c.code)
            for name, cl in pack.code_lists.items()
            for c in cl.codes
        }
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_quote(x) for x in values) + ")"


def _day(column: str) -> str:
    """A FHIR date or dateTime (possibly partial) as a SQL DATE."""
    return (
        f"CAST(CASE WHEN length({column}) >= 10 THEN substr({column}, 1, 10) "
        f"WHEN length({column}) = 7 THEN {column} || '-01' "
        f"WHEN length({column}) = 4 THEN {column} || '-01-01' END AS DATE)"
    )


def _add_months(day: str, months: int, dialect: Dialect) -> str:
    if dialect == "spark":
        return f"add_months({day}, {months})"
    return f"CAST({day} + INTERVAL ({months}) MONTH AS DATE)"


def _like(word: str) -> str:
    return f"words LIKE {_quote('%' + word.replace('%', '').replace('_', ' ') + '%')}"


def _matches(m: Matcher, pack: KnowledgePack, *, guarded: bool = False) -> str:
    """SQL true when a row's code is in the matcher's lists (a code marked ``descendants``
    also matches every code it prefixes) or its words hold a keyword; ``guarded``: a keyword
    counts only without any of the red-flag rules' ``ignored_words``."""
    parts = []
    if m.code_lists:
        lists = _in(m.code_lists)
        parts.append(
            f"(sys_key, norm_code) IN (SELECT system, code FROM codes WHERE list IN {lists})"
        )
        by_length: dict[int, set[str]] = {}
        for name in m.code_lists:
            for c in pack.code_lists[name].codes:
                if c.descendants:
                    code = c.code.replace(".", "").upper()
                    by_length.setdefault(len(code), set()).add(code)
        parts += [
            f"(sys_key = 'icd10cm' AND substr(norm_code, 1, {n}) IN {_in(sorted(codes))})"
            for n, codes in sorted(by_length.items())
        ]
    words = [_like(k) for k in m.keywords]
    if words and guarded and pack.red_flag_rules.ignored_words:
        unless = " OR ".join(_like(w) for w in pack.red_flag_rules.ignored_words)
        words = [f"(({' OR '.join(words)}) AND NOT ({unless}))"]
    parts += words
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _coded(kind: str, dated: str, ends: str = "NULL", extra: str = "") -> str:
    system_case = " ".join(
        f"WHEN {_quote(url)} THEN {_quote(key)}" for key, url in v.CODE_SYSTEMS.items()
    )
    status = "verification" if kind == "Condition" else "status"
    return f"""{kind.lower()}_rows AS (
  SELECT patient_id, '{kind}/' || id AS reference, {dated} AS seen_on, {ends} AS ends,
         status_word,{extra}
         CASE system {system_case} ELSE '' END AS sys_key,
         CASE WHEN system = {_quote(v.CODE_SYSTEMS["icd10cm"])}
              THEN replace(upper(code), '.', '') ELSE code END AS norm_code,
         lower(coalesce(display, '') || ' | ' || coalesce(text, '')) AS words
  FROM (SELECT *, coalesce({status}, '') AS status_word
        FROM {SOURCES[kind]}) s
  WHERE status_word NOT IN {_in(VOID)}
)"""


def features_sql(pack: KnowledgePack, as_of: dt.date, dialect: Dialect) -> str:
    rules, screening = pack.ehr, pack.screening
    day = f"DATE {_quote(as_of.isoformat())}"
    months = screening.chronic_months
    onset, recorded = _day("onset"), _day("recorded")
    ctes = [
        _coded(
            "Condition",
            _day("coalesce(onset, recorded)"),
            _day("abatement"),
            f"\n         coalesce(clinical, '') AS clinical_word,\n         "
            f"coalesce(greatest({onset}, {recorded}), {onset}, {recorded}) AS recorded_on,",
        ),
        _coded("Procedure", _day("coalesce(performed, performed_start)")),
        _coded("ServiceRequest", _day("authored")),
    ]
    hits: list[str] = []

    def hit(feature: str, kind: str, condition: str) -> None:
        hits.append(
            f"SELECT patient_id, '{feature}' AS feature, reference FROM {kind.lower()}_rows "
            f"WHERE (seen_on IS NULL OR seen_on <= {day}) AND {condition}"
        )

    hit("back_pain", "Condition", _matches(rules.back_pain, pack))
    for kind in SOURCES:
        hit("known", kind, _matches(rules.evaluation, pack))
    flags = pack.red_flag_rules
    for rule in flags.rules:
        first = earliest_counted(pack.red_flags[rule.flag], as_of)
        recent = "TRUE" if first is None else f"recorded_on >= DATE {_quote(first.isoformat())}"
        hit(
            RED_FLAG + rule.id,
            "Condition",
            f"clinical_word NOT IN {_in(flags.ignored_statuses)} "
            f"AND (ends IS NULL OR ends > {day}) AND (recorded_on IS NULL OR {recent}) "
            f"AND {_matches(rule.match, pack, guarded=True)}",
        )
    for f in rules.features:
        kinds = ("Condition", "Procedure") if f.adds_prior_procedure is None else ("Procedure",)
        if f.adds_prior_procedure is None and f.adds_condition is None:
            kinds = ("Condition",)
        for kind in kinds:
            condition = _matches(f.match, pack)
            if f.excluded_by is not None:
                condition += (
                    f" AND patient_id NOT IN (SELECT patient_id FROM condition_rows "
                    f"WHERE {_matches(f.excluded_by, pack)})"
                )
            hit(f.id, kind, condition)
    for sf in screening.features:
        for kind in sf.resource_types:
            if kind in SOURCES:
                hit(sf.id, kind, _matches(sf.match, pack))
    for order in rules.surgery_orders:
        hit(
            "planned_fusion",
            "ServiceRequest",
            f"status_word IN {_in(PENDING_ORDERS)} AND {_matches(order.match, pack)}",
        )
    chronic = f"""SELECT patient_id, 'chronic_back_pain' AS feature, min(reference) AS reference
  FROM back_spans GROUP BY patient_id
  HAVING min(start_day) <= {_add_months(day, -months, dialect)}
     AND max(end_day) >= {_add_months("min(start_day)", months, dialect)}"""
    ctes.append(f"""back_spans AS (
  SELECT patient_id, reference, seen_on AS start_day, least(coalesce(ends, {day}), {day}) AS end_day
  FROM condition_rows
  WHERE seen_on IS NOT NULL AND seen_on <= {day} AND {_matches(rules.back_pain, pack)}
)""")
    body = "\nUNION ALL\n".join([*hits, chronic])
    return (
        "WITH "
        + ",\n".join(ctes)
        + f"\nSELECT DISTINCT patient_id, feature, reference FROM (\n{body}\n) hits"
    )
