"""``cluneal research share`` and ``cluneal research pool``: the registry network from the
command line (docs/registry-network.md)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from cluneal.cli.common import fail
from cluneal.cli.report import ACTOR, _date, chosen_cohort, cohort_options
from cluneal.validation import Problem


@click.command("share")
@cohort_options("Share")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The share to write (JSON; atomically: it appears only when complete).",
)
@click.option("--label", help="The installation's name in the network (default: the sites').")
@click.option(
    "--min-cell",
    type=click.IntRange(min=0, max=1000),
    default=5,
    show_default=True,
    envvar="CLUNEAL_REGISTRY_MIN_CELL",
    help="Withhold counts from 1 to N-1 (0: every count; the network may agree on another N). "
    "Default: CLUNEAL_REGISTRY_MIN_CELL, else 5.",
)
def share_command(
    site: str | None,
    start: str | None,
    end: str | None,
    out: Path,
    label: str | None,
    min_cell: int,
    synthetic: int | None,
    seed: int,
) -> None:
    """Write a share: the aggregate-only registry results of this installation (counts, life
    tables, a 2 x 2 table and questionnaire summaries; no patient's record, date or text) for
    a registry network to pool. Small counts are withheld. Reads of the database are audited."""
    first, last = _date(start, "--from"), _date(end, "--to")
    problems = []
    if first and last and last < first:
        problems.append(Problem("--to", f"{end} is before --from {start}"))
    if out.is_dir() or not out.parent.is_dir():
        problems.append(Problem("--out", f"{out}: not a file in an existing directory"))
    if label is not None and not (label.strip() and len(label) <= 200):
        problems.append(Problem("--label", "must be 1 to 200 characters"))
    if problems:
        fail("no share was written", problems)
    from cluneal.files import write_atomically
    from cluneal.knowledge.loader import active_pack
    from cluneal.registry.network import share

    cohort, sites = chosen_cohort(synthetic, seed, site)
    if synthetic is not None:
        name = f"Synthetic installation, seed {seed}" + (f", {site}" if site else "")
    else:
        name = ", ".join(s.name for s in sites) or "no site"
    made = share.make(
        cohort.select(start=first, end=last),
        active_pack(),
        label=label or name,
        min_cell=min_cell,
        cluneal_version=version("cluneal"),
        start=first,
        end=last,
    )
    try:
        write_atomically(out, share.dumps(made))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    if sites:
        _audit(sites, made, out)
    patients = made["patients"] if made["patients"] is not None else f"<{min_cell}"
    click.echo(
        f"Share of {made['installation']} written to {out}: {patients} patients, {made['digest']}"
    )


def _audit(sites: list[Any], made: dict[str, Any], out: Path) -> None:
    from cluneal.web.audit.log import record
    from cluneal.web.audit.models import Action

    changes = {
        "registry": "network share",
        **made["period"],
        "min_cell": made["min_cell"],
        "digest": made["digest"],
        "to_file": str(out),
    }
    for site in sites:
        record(None, Action.EXPORT, site=site, actor=ACTOR, changes=changes)


@click.command("pool")
@click.argument("shares", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every pooled table (CSV) and figure (PNG, PDF, SVG) into this directory.",
)
def pool_command(shares: tuple[Path, ...], out: Path) -> None:
    """Pool the shares of several installations: total flow, block response with a
    random-effects meta-analysis, Kaplan-Meier curves of the merged life tables, the
    Mantel-Haenszel odds ratio of claim E6 and questionnaire change. Every share is checked
    (format, digest, definitions) first; one that fails stops the pooling with exit 2."""
    if out.exists() and not out.is_dir():
        fail("nothing was pooled", [Problem("--out", f"{out} exists and is not a directory")])
    from cluneal.knowledge.loader import active_pack
    from cluneal.registry.network import check, report

    read: list[check.Share] = []
    problems: list[str] = []
    for path in shares:
        try:
            if path.stat().st_size > check.MAX_BYTES:
                raise check.ShareError([f"{path}: larger than {check.MAX_BYTES:,} bytes"])
            read.append(check.parse(path.read_bytes(), str(path)))
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror or exc})")
        except check.ShareError as exc:
            problems += exc.problems
    if not problems:
        try:
            check.compatible(read)
        except check.ShareError as exc:
            problems += exc.problems
    if problems:
        fail("nothing was pooled: a share was refused", problems)
    result = report.build(read, active_pack())
    try:
        written = report.write(result, out)
    except OSError as exc:
        fail(f"cannot write to {out}: {exc.strerror or exc}")
    click.echo(report.summary(result), nl=False)
    click.echo(f"\n{len(written)} files written to {out}")
