"""``cluneal report``: the registry analytics of one site or all sites, printed and written out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cluneal.cli.common import fail
from cluneal.validation import Problem

ACTOR = "command line"


def cohort_options(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--site``, ``--from``, ``--to``, ``--synthetic`` and ``--seed``: the cohort a registry
    command reads (see :func:`chosen_cohort`); ``verb`` says what it does with a synthetic one."""
    options = [
        click.option("--site", help="A site's name or slug (default: every site)."),
        click.option(
            "--from", "start", metavar="DATE", help="First entry date included (YYYY-MM-DD)."
        ),
        click.option("--to", "end", metavar="DATE", help="Last entry date included (YYYY-MM-DD)."),
        click.option(
            "--synthetic",
            type=click.IntRange(min=0, max=1_000_000),
            help=f"{verb} N fictional patients from the seeded generator instead of the database.",
        ),
        click.option(
            "--seed", type=int, default=1, show_default=True, help="Seed for --synthetic."
        ),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail("bad date", [Problem(option, f"{value!r} is not a date (YYYY-MM-DD)")])


def _sites(wanted: str | None) -> list[Any]:
    """Every site, or the one named ``wanted`` (its name, or the name's slug)."""
    from django.utils.text import slugify

    from cluneal.web.accounts.models import Site

    sites = list(Site.objects.all())
    if wanted is None:
        return sites
    found = [s for s in sites if wanted in (s.name, slugify(s.name))]
    if not found:
        known = ", ".join(f"{s.name!r} ({slugify(s.name)})" for s in sites) or "none"
        fail("unknown site", [Problem("--site", f"no site is named {wanted!r} (sites: {known})")])
    return found


def _database_cohort(site: str | None) -> tuple[Any, list[Any]]:
    from cluneal.web.setup import prepare

    prepare()
    from cluneal.knowledge.loader import active_pack
    from cluneal.web.registry.cohort import cohort_for

    sites = _sites(site)
    return cohort_for(sites, active_pack()), sites


def chosen_cohort(synthetic: int | None, seed: int, site: str | None) -> tuple[Any, list[Any]]:
    """The cohort a registry command reads: a synthetic one of ``synthetic`` patients (one of
    its sites if ``site``), else the database's (its sites, or ``site`` alone), with the
    database's sites read (none for a synthetic cohort)."""
    if synthetic is None:
        return _database_cohort(site)
    from cluneal.registry import synth

    cohort = synth.generate(synthetic, seed).cohort
    if site is not None:
        if site not in synth.SITES:
            names = ", ".join(repr(s) for s in synth.SITES)
            fail("unknown site", [Problem("--site", f"synthetic sites are {names}")])
        cohort = cohort.select(sites=[site])
    return cohort, []


def _audit(sites: list[Any], start: dt.date | None, end: dt.date | None, out: Path | None) -> None:
    from cluneal.web.audit.log import record
    from cluneal.web.audit.models import Action

    changes = {
        "registry": "report",
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "to_directory": str(out) if out else None,
    }
    for site in sites:
        record(None, Action.EXPORT if out else Action.VIEW, site=site, actor=ACTOR, changes=changes)


@click.command("report")
@cohort_options("Run on")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every table (CSV) and figure (PNG, PDF, SVG) into this directory.",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=0, max=1000),
    default=0,
    show_default=True,
    help="Show counts from 1 to N-1 as <N (small-cell suppression; 0: every count).",
)
def report_command(
    site: str | None,
    start: str | None,
    end: str | None,
    out: Path | None,
    synthetic: int | None,
    seed: int,
    min_cell: int,
) -> None:
    """Registry analytics: cohort flow, block response, time to recurrence (Kaplan-Meier),
    surgical outcome by block relief (claim E6) and questionnaire change.

    Patients are selected by site and by their entry into the registry (first visit, block or
    treatment). A summary is printed; with --out, every table and figure is written too, each
    file atomically. Reads of the database are audited. Definitions: docs/registry.md.
    """
    first, last = _date(start, "--from"), _date(end, "--to")
    if first and last and last < first:
        fail("bad period", [Problem("--to", f"{end} is before --from {start}")])
    if out is not None and out.exists() and not out.is_dir():
        fail("bad output", [Problem("--out", f"{out} exists and is not a directory")])
    from cluneal.knowledge.loader import active_pack
    from cluneal.registry import report

    cohort, sites = chosen_cohort(synthetic, seed, site)
    result = report.build(cohort.select(start=first, end=last), active_pack(), min_cell)
    if out is not None:
        try:
            written = report.write(result, out)
        except OSError as exc:
            fail(f"cannot write to {out}: {exc.strerror or exc}")
    if sites:
        _audit(sites, first, last, out)
    click.echo(report.summary(result), nl=False)
    if out is not None:
        click.echo(f"\n{len(written)} files written to {out}")
