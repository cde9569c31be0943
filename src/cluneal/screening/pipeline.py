"""``cluneal screen``: a Bulk Data export in, a ranked and explained list of candidates out."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cluneal.core.screening import Hit, rank, score_patient, tier_counts
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.badlines import Reads, bad_lines
from cluneal.screening.engines import Engine, EngineResult, cpu_cores, reads, run
from cluneal.screening.export import Export, ScreenError, discover, scan
from cluneal.screening.notes import counts
from cluneal.screening.output import write_candidates

EngineName = Literal["duckdb", "spark"]
NOTES_OFF = "clinical notes were not read (--no-notes)"


@dataclass
class Summary:
    engine: str
    as_of: dt.date
    patients: int
    listed: int
    tiers: dict[str, int]
    resources: dict[str, int]
    skipped: int = 0
    skipped_examples: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    missing_patients: int = 0
    notes: str = NOTES_OFF
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["as_of"] = self.as_of.isoformat()
        out["seconds"] = round(self.seconds, 2)
        return out


def default_as_of(export: Export) -> dt.date:
    """The export's own transactionTime (manifest.json) when given, else today."""
    manifest = export.root / "manifest.json"
    try:
        stamp = json.loads(manifest.read_text())["transactionTime"]
        return dt.date.fromisoformat(str(stamp)[:10])
    except (OSError, ValueError, KeyError, TypeError):
        return dt.date.today()


def make_engine(
    name: EngineName, spark_master: str | None, workers: int | None = None
) -> tuple[Engine, tuple[type[Exception], ...]]:
    """The engine, and the errors it raises on bad input. ``workers``: processes reading the
    notes on DuckDB (default: one per core); on Spark the executors read them."""
    if name == "spark":
        from cluneal.screening.spark_engine import SparkEngine

        engine = SparkEngine(spark_master or "local[*]")
        return engine, engine.error_types
    from cluneal.screening.engines import DuckDBEngine

    duck = DuckDBEngine(note_workers=workers or cpu_cores())
    return duck, duck.error_types


def screen(
    export_dir: Path,
    out: Path,
    pack: KnowledgePack,
    *,
    engine: EngineName = "duckdb",
    spark_master: str | None = None,
    as_of: dt.date | None = None,
    on_error: Literal["fail", "skip"] = "fail",
    progress: Callable[[str, int], None] | None = None,
    read_notes: bool = True,
    workers: int | None = None,
) -> Summary:
    """Screen the export; write ``out`` only if the run succeeds. :class:`ScreenError` names
    every bad file and line."""
    started = time.perf_counter()
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ScreenError(f"{out}: the output must end in .csv or .parquet")
    export = discover(export_dir)
    if not read_notes:
        export.files.pop("DocumentReference", None)  # neither read nor checked
    scan(export, skip=on_error == "skip")
    day = as_of or default_as_of(export)
    runner, errors = make_engine(engine, spark_master, workers)
    try:
        result = run(
            runner,
            export,
            pack,
            day,
            skip_bad=on_error == "skip",
            progress=progress,
            read_notes=read_notes,
        )
    except errors:
        # An engine that fails on the input: name the bad lines if there are any; an engine
        # failure on good input is no input error and keeps its traceback.
        found = bad_lines(export, reads(pack, read_notes))
        if not found.count:
            raise
        raise ScreenError(f"{export_dir}: {found.count:,} bad line(s)", found.report()) from None
    finally:
        runner.close()
    skipped, examples = _check(result, export, on_error, reads(pack, read_notes))
    candidates = _candidates(result, pack)
    write_candidates(candidates, out)
    return Summary(
        engine=engine,
        as_of=day,
        patients=result.resources.get("Patient", 0),
        listed=len(candidates),
        tiers=dict(tier_counts(candidates, pack)),
        resources=result.resources,
        skipped=skipped,
        skipped_examples=examples,
        skipped_files=export.skipped_files,
        missing_patients=result.missing_count,
        notes=_notes_line(result),
        seconds=time.perf_counter() - started,
    )


def _notes_line(result: EngineResult) -> str:
    if result.note_rows is None:
        return NOTES_OFF
    read = counts(result.note_rows, result.notes)
    line = f"{read.read} clinical note(s) read"
    if read.skipped:
        line += f", {read.skipped} skipped (for example {read.examples[0]})"
    return line


def _check(
    result: EngineResult, export: Export, on_error: str, read: Reads
) -> tuple[int, list[str]]:
    """Bad lines and references: counted, the first examples named; in fail mode, an error."""
    skipped, examples = 0, []
    if result.invalid:
        found = bad_lines(export, read)
        examples = found.report()
        skipped = max(found.count, sum(result.invalid.values()))
    if result.missing_count:
        examples += [f"{ref}: no such patient in the export" for ref in result.missing_patients]
        if result.missing_count > len(result.missing_patients):
            more = result.missing_count - len(result.missing_patients)
            examples.append(f"... {more:,} more references to missing patients")
        skipped += result.missing_count
    if skipped and on_error == "fail":
        raise ScreenError(
            f"{export.root}: {skipped} bad line(s) or reference(s); --on-error skip to go on",
            examples,
        )
    return skipped, examples


def _candidates(result: EngineResult, pack: KnowledgePack) -> list[Any]:
    by_patient: dict[str, list[Hit]] = {}
    for patient_id, feature, reference in result.hits:
        by_patient.setdefault(patient_id, []).append(Hit(feature, reference))
    for patient_id, note_feature, reference, quote in result.note_rows or ():
        if note_feature is not None:
            by_patient.setdefault(patient_id, []).append(Hit(note_feature, reference, quote))
    candidates = []
    for patient_id, found in by_patient.items():
        features = {h.feature for h in found}
        if "back_pain" not in features:
            continue  # patients without back pain are not listed
        hits = found
        if "radiculopathy" in features:  # a note may name the radiculopathy the codes lack
            hits = [h for h in found if h.feature != "leg_symptoms_without_radiculopathy"]
        scored = [h for h in hits if h.feature != "back_pain"]
        candidates.append(score_patient(patient_id, scored, "known" in features, pack))
    return rank(candidates)
