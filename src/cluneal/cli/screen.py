"""``cluneal screen``: population screening of a FHIR Bulk Data export."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from cluneal.cli.common import env_option, fail, knowledge_option, pack_from


@click.command("screen")
@click.argument("export_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Result file: .csv or .parquet. Written only when the run succeeds.",
)
@env_option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    envvar="CLUNEAL_SCREEN_ENGINE",
    help="DuckDB on this machine, or Apache Spark.",
)
@env_option(
    "--spark-master",
    metavar="URL",
    envvar="CLUNEAL_SPARK_MASTER",
    help="Spark master (default local[*]), e.g. spark://host:7077.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Screening date; default: the export's transactionTime, else today.",
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: stop with exit status 2 and no output at the first bad input; "
    "skip: go on, and count what was skipped.",
)
@click.option(
    "--notes/--no-notes",
    default=True,
    show_default=True,
    help="Read the clinical notes (DocumentReference, plain text) with the notes pipeline; "
    "reasons then quote the words found. --no-notes screens coded data only, much faster.",
)
@env_option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="CLUNEAL_SCREEN_WORKERS",
    help="Processes reading the notes on DuckDB (default: one per core; on Spark the executors "
    "read them).",
)
@knowledge_option
def screen_command(
    export_dir: Path,
    out: Path,
    engine: str,
    spark_master: str | None,
    as_of: dt.datetime | None,
    on_error: str,
    notes: bool,
    workers: int | None,
    knowledge_file: str | None,
) -> None:
    """Find likely cluneal nerve entrapment in a FHIR Bulk Data export.

    EXPORT_DIR holds <Type>.*.ndjson or .ndjson.gz files (Patient, Condition, Procedure,
    ServiceRequest, DocumentReference). The result has one row per patient with coded back
    pain: patient_id, score, tier (high, medium, low, or known for patients already diagnosed or
    given a cluneal block), reasons (each with its weight and source ids) and the evidence
    resource ids. The views and weighted rules are the knowledge pack's (screening.json).
    Plain-text notes are read too (the same pipeline as `cluneal notes`): a note can list a
    patient (low back pain), add a feature, or show a cluneal diagnosis; its reason quotes the
    matched words. Notes that are not plain text or not readable are skipped and counted.

    \b
    Examples:
      cluneal screen export/ --out candidates.csv
      cluneal screen export/ --out candidates.parquet --engine spark --spark-master local[2]
    """
    from cluneal.screening.export import ScreenError
    from cluneal.screening.pipeline import screen

    pack = pack_from(knowledge_file)
    stderr = click.get_text_stream("stderr")
    total = _bytes(export_dir)
    with click.progressbar(
        length=max(total, 1), label="Screening", file=stderr, show_eta=True, show_percent=True
    ) as bar:
        started = dt.datetime.now()

        def progress(resource_type: str, size: int) -> None:
            seconds = max((dt.datetime.now() - started).total_seconds(), 1e-6)
            done = bar.pos + size
            bar.label = f"Screening {resource_type} ({done / seconds / 1e6:,.1f} MB/s)"
            bar.update(size)

        try:
            summary = screen(
                export_dir,
                out,
                pack,
                engine=engine,  # type: ignore[arg-type]
                spark_master=spark_master,
                as_of=as_of.date() if as_of else None,
                on_error=on_error,  # type: ignore[arg-type]
                progress=progress,
                read_notes=notes,
                workers=workers,
            )
        except ScreenError as exc:
            fail(str(exc), exc.details)
    click.echo(json.dumps(summary.to_json(), indent=2), file=sys.stdout)


def _bytes(root: Path) -> int:
    try:
        return sum(p.stat().st_size for p in root.iterdir() if ".ndjson" in p.name)
    except OSError:
        return 0
