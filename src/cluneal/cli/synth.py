"""``cluneal synth``: a synthetic FHIR Bulk Data population with planted cluneal-like patients."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from cluneal.cli.common import fail
from cluneal.screening.synth import OutputExistsError, SourceError, generate


@click.command("synth")
@click.option("--patients", type=click.IntRange(min=1), required=True, help="How many patients.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed writes the same bytes."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory of the export; must not exist or be empty (see --overwrite).",
)
@click.option(
    "--source",
    "source_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    envvar="CLUNEAL_SYNTH_SOURCE",
    help="Synthea Bulk Data export to copy patients from (shared/external/synthea-bulk-10). "
    "[env: CLUNEAL_SYNTH_SOURCE]",
)
@click.option(
    "--planted-share",
    type=click.FloatRange(0, 0.5),
    default=0.05,
    show_default=True,
    help="Share of cluneal-like patients planted; as many near misses are planted again.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Screening date (YYYY-MM-DD); default: the day after the sample's latest date.",
)
@click.option("--gzip", "compress", is_flag=True, help="Write .ndjson.gz files.")
@click.option(
    "--max-encounters",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Most recent encounters each copy keeps of its Synthea patient (sets the size).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing export at --out.")
def synth_command(
    patients: int,
    seed: int,
    out_dir: Path,
    source_dir: Path,
    planted_share: float,
    as_of: dt.datetime | None,
    compress: bool,
    max_encounters: int,
    overwrite: bool,
) -> None:
    """Write a synthetic FHIR Bulk Data export with planted cluneal-like patients.

    Copies the Synthea patients of --source, each re-keyed, shifted in time and renamed, plants
    known kinds of patient among them, and writes <Type>.NNN.ndjson files (at most 100,000
    lines each), manifest.json and truth.csv (patient_id, kind, expected_tier, features,
    description) into --out. Prints a JSON summary. One seed always writes the same bytes, and an
    interrupted run leaves nothing at --out.

    \b
    Examples:
      cluneal synth --patients 100000 --seed 1 --out pop --source shared/external/synthea-bulk-10
      cluneal synth --patients 1000000 --seed 1 --out pop --gzip --as-of 2025-01-01
    """
    try:
        stderr = click.get_text_stream("stderr")
        with click.progressbar(length=patients, label="Patients", file=stderr) as bar:
            summary = generate(
                source_dir,
                out_dir,
                patients,
                seed,
                planted_share=planted_share,
                as_of=as_of.date() if as_of else None,
                progress=bar.update,
                compress=compress,
                max_encounters=max_encounters,
                overwrite=overwrite,
            )
    except (SourceError, OutputExistsError) as exc:
        fail(str(exc))
    click.echo(json.dumps(summary.to_json(), indent=2))
