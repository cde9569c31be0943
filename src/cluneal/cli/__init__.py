"""The ``cluneal`` command."""

from __future__ import annotations

import click

from cluneal.cli.assess import assess_command, knowledge_command
from cluneal.cli.database import backup_command, restore_command
from cluneal.cli.fhir import export_fhir_command, import_fhir_command
from cluneal.cli.notes import notes_command
from cluneal.cli.purge import purge_screening_command
from cluneal.cli.report import report_command
from cluneal.cli.research import research_command
from cluneal.cli.screen import screen_command
from cluneal.cli.serve import serve_command
from cluneal.cli.synth import synth_command

HELP = """Cluneal: decision support for superior and middle cluneal nerve entrapment.

\b
Commands read a case (cluneal-case/1 JSON) or run the web application.
Exit status: 0 success, 2 bad input (every problem is listed), 1 unexpected failure.

\b
Environment:
  CLUNEAL_KNOWLEDGE   a site's knowledge pack (JSON file) instead of the default one
  DATABASE_URL        database for `serve` (default: SQLite in the user's data directory)
  CLUNEAL_DATA_DIR    where the default SQLite database and other state are kept
  CLUNEAL_SYNTH_SOURCE  the Synthea sample that `synth` copies patients from
  CLUNEAL_SYNTH_NOTES_SOURCE  the folder of mtsamples.rda whose notes `synth` attaches
"""


@click.group(help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cluneal")
def cli() -> None:
    pass


cli.add_command(assess_command)
cli.add_command(knowledge_command)
cli.add_command(serve_command)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(export_fhir_command)
cli.add_command(import_fhir_command)
cli.add_command(synth_command)
cli.add_command(screen_command)
cli.add_command(purge_screening_command)
cli.add_command(notes_command)
cli.add_command(report_command)
cli.add_command(research_command)


def main() -> None:
    cli()
