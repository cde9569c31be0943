"""``cluneal synth``: a synthetic FHIR Bulk Data population with planted cluneal-like patients."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from cluneal.cli.common import env_option, fail
from cluneal.knowledge.loader import default_pack
from cluneal.screening.synth import OutputExistsError, SourceError, generate
from cluneal.screening.synth import transcriptions as mts


class Span(click.ParamType[tuple[int, int]]):
    """``MIN-MAX`` (or ``N`` for exactly N): two whole numbers, 0 <= MIN <= MAX."""

    name = "MIN-MAX"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return (int(value[0]), int(value[1]))
        least, _, most = str(value).partition("-")
        try:
            span = (int(least), int(most or least))
        except ValueError:
            self.fail(f"{value!r} is not MIN-MAX, e.g. 10-30", param, ctx)
        if not 0 <= span[0] <= span[1]:
            self.fail(f"{value!r}: need 0 <= MIN <= MAX", param, ctx)
        return span


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
@env_option(
    "--source",
    "source_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    envvar="CLUNEAL_SYNTH_SOURCE",
    help="Synthea Bulk Data export to copy patients from (shared/external/synthea-bulk-10).",
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
@env_option(
    "--notes-source",
    type=click.Path(path_type=Path),
    metavar="DIR",
    envvar="CLUNEAL_SYNTH_NOTES_SOURCE",
    help="Folder holding mtsamples.rda (shared/external/mtsamples): attach its transcriptions "
    "to every patient as text/plain DocumentReferences.",
)
@click.option(
    "--notes-per-patient",
    type=Span(),
    default=f"{mts.NOTES_PER_PATIENT[0]}-{mts.NOTES_PER_PATIENT[1]}",
    show_default=True,
    help="How many transcriptions each patient gets (uniformly from MIN to MAX), beside "
    "the patient's own notes. Only with --notes-source.",
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
    notes_source: Path | None,
    notes_per_patient: tuple[int, int],
    overwrite: bool,
) -> None:
    """Write a synthetic FHIR Bulk Data export with planted cluneal-like patients.

    Copies the Synthea patients of --source, each re-keyed, shifted in time and renamed, plants
    known kinds of patient among them, and writes <Type>.NNN.ndjson files (at most 100,000
    lines each), manifest.json and truth.csv (patient_id, kind, expected_tier, features,
    description) into --out. Prints a JSON summary. One seed always writes the same bytes, and an
    interrupted run leaves nothing at --out.

    With --notes-source, every patient also gets --notes-per-patient real-style long notes: the
    MTSamples transcriptions, dated within the last ten years of the patient's record. The
    notes pipeline reads every transcription once first (about a minute) and keeps only those
    in which nothing counts for a screening note rule (no symptom, procedure, diagnosis or red
    flag the screening scores), so the attached notes change no tier and truth.csv stays exact.

    \b
    Examples:
      cluneal synth --patients 100000 --seed 1 --out pop --source shared/external/synthea-bulk-10
      cluneal synth --patients 1000000 --seed 1 --out pop --gzip --as-of 2025-01-01
      cluneal synth --patients 10000 --out pop --notes-source shared/external/mtsamples
    """
    try:
        stderr = click.get_text_stream("stderr")
        notes = None
        if notes_source is not None:
            rows = mts.read_frame(notes_source)
            with click.progressbar(length=len(rows), label="Notes   ", file=stderr) as bar:
                notes = mts.classify(rows, notes_source / mts.FILE, default_pack(), bar.update)
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
                notes=notes,
                notes_per_patient=notes_per_patient,
            )
    except (SourceError, OutputExistsError) as exc:
        fail(str(exc))
    click.echo(json.dumps(summary.to_json(), indent=2))
