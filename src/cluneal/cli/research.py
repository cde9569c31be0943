"""``cluneal research``: de-identified research exports from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from cluneal.cli.common import fail
from cluneal.cli.network import pool_command, share_command
from cluneal.validation import Problem

ACTOR = "command line"
HELP = """De-identified research exports (HIPAA Safe Harbor, dates shifted per patient), and
the registry network: aggregate-only shares and their pooling.

\b
See docs/research-exports.md for what each file holds and how each Safe Harbor
identifier is handled, and docs/registry-network.md for shares and pooling."""


@click.group("research", help=HELP)
def research_command() -> None:
    pass


@research_command.command("export")
@click.option("--site", "site_name", required=True, help="The name of the site to export.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip file to write (atomically: it appears only when complete).",
)
@click.option(
    "--format",
    "format_name",
    default="csv+parquet",
    show_default=True,
    help="Table files in the zip: csv+parquet, csv or parquet.",
)
def export_command(site_name: str, out: Path, format_name: str) -> None:
    """Write the de-identified export of a site to OUT: one row per patient, visit, block and
    treatment, with a data dictionary and a README. The export is audited."""
    from cluneal.files import write_atomically
    from cluneal.web.research.files import FORMATS

    problems: list[Problem] = []
    if format_name not in FORMATS:
        problems.append(Problem("--format", f"must be one of {', '.join(FORMATS)}"))
    if not out.parent.is_dir():
        problems.append(Problem("--out", f"{out.parent}: no such directory"))
    if problems:
        fail("nothing was exported", problems)
    from cluneal.web.setup import prepare

    prepare()
    from cluneal.web.accounts.models import Site
    from cluneal.web.research.export import build_export, log_export

    site = Site.objects.filter(name=site_name).first()
    if site is None:
        known = ", ".join(repr(s) for s in Site.objects.values_list("name", flat=True)) or "none"
        fail(
            "nothing was exported", [Problem("--site", f"no site is named {site_name!r} ({known})")]
        )
    rows, data = build_export(site, format_name)
    try:
        write_atomically(out, data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    log_export(site, format_name, rows, data, actor=ACTOR)
    counts = ", ".join(f"{n} {name}" for name, n in rows.items())
    click.echo(f"Research export of {site.name} written to {out} ({counts})")


research_command.add_command(share_command)
research_command.add_command(pool_command)


@research_command.command("dictionary")
@click.option("--markdown", is_flag=True, help="Markdown tables instead of CSV.")
def dictionary_command(markdown: bool) -> None:
    """Print the data dictionary of the export (the same as data_dictionary.csv)."""
    from cluneal.registry import dictionary
    from cluneal.web.research.files import dictionary_csv

    if markdown:
        click.echo(dictionary.markdown(), nl=False)
    else:
        click.echo(dictionary_csv().decode("utf-8"), nl=False)
