"""``cluneal assess`` and ``cluneal knowledge``."""

from __future__ import annotations

import json
from typing import Any

import click

from cluneal.cli.common import fail, knowledge_option, pack_from, read_json
from cluneal.core import assess, parse_case
from cluneal.core.summary import describe_pack, render_text
from cluneal.knowledge.loader import PackError, with_settings
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Invalid


def _window(value: str | None, name: str) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        low, high = (float(x) for x in value.split(","))
    except ValueError:
        fail(f"{name}: expected two numbers LOW,HIGH in mm (for example 50,90), got {value!r}")
    return (low, high)


def configured_pack(
    knowledge_file: str | None,
    block_definition: str | None = None,
    scn_window: str | None = None,
    mcn_window: str | None = None,
) -> KnowledgePack:
    pack = pack_from(knowledge_file)
    changes: dict[str, Any] = {}
    if block_definition:
        changes["block_definition"] = block_definition
    if (scn := _window(scn_window, "--scn-window")) is not None:
        changes["scn_window_mm"] = scn
    if (mcn := _window(mcn_window, "--mcn-window")) is not None:
        changes["mcn_window_mm"] = mcn
    try:
        return with_settings(pack, changes)
    except PackError as exc:
        fail("invalid threshold option", exc.problems)


@click.command("assess")
@click.argument("case_file", metavar="CASE.json")
@click.option("--text", is_flag=True, help="Print a readable summary instead of JSON.")
@click.option(
    "--block-definition",
    metavar="ID",
    help="When a block counts as positive: relief50 (default), gautam2022, kiral2024, iwamoto. "
    "`cluneal knowledge` lists them with their sources.",
)
@click.option(
    "--scn-window", metavar="LOW,HIGH", help="SCN tender-point window, mm from the midline."
)
@click.option(
    "--mcn-window", metavar="LOW,HIGH", help="MCN tender-point window, mm below the PSIS."
)
@knowledge_option
def assess_command(
    case_file: str,
    text: bool,
    block_definition: str | None,
    scn_window: str | None,
    mcn_window: str | None,
    knowledge_file: str | None,
) -> None:
    """Assess one case and print the assessment.

    CASE.json is a cluneal-case/1 document (see docs/case-format.md), or - to read standard
    input. The output is cluneal-assessment/1 JSON: criteria status per nerve and side, the stage
    on the treatment ladder with next steps, red flags, warnings, differentials and questionnaire
    scores, each statement with its source ids.

    An invalid case is rejected as a whole: every problem is printed with its JSON path, and the
    exit status is 2.

    \b
    Examples:
      cluneal assess case.json
      cluneal assess --text case.json
      cat case.json | cluneal assess - --block-definition kiral2024
    """
    pack = configured_pack(knowledge_file, block_definition, scn_window, mcn_window)
    data = read_json(case_file)
    try:
        case = parse_case(data)
    except Invalid as exc:
        name = "the case on standard input" if case_file == "-" else case_file
        fail(f"{name} is not a valid case ({len(exc.problems)} problem(s)):", exc.problems)
    assessment = assess(case, pack)
    if text:
        click.echo(render_text(assessment, pack), nl=False)
    else:
        click.echo(json.dumps(assessment.to_json(), indent=2, ensure_ascii=False))


@click.command("knowledge")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@knowledge_option
def knowledge_command(as_json: bool, knowledge_file: str | None) -> None:
    """List the criteria sets, block definitions, active thresholds and sources.

    Shows the pack in use (the default, or the file named by --knowledge / CLUNEAL_KNOWLEDGE),
    so a site can check what its own pack changes.
    """
    pack = pack_from(knowledge_file)
    summary = describe_pack(pack)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    click.echo(f"Knowledge pack {pack.name} {pack.version} ({pack.origin})")
    click.echo("\nActive thresholds:")
    for s in summary["thresholds"]:
        click.echo(f"  {s['id']} = {s['value']}  ({s['label']}) [{', '.join(s['sources'])}]")
    click.echo("\nBlock definitions (select with --block-definition or the pack's settings):")
    for d in summary["block_definitions"]:
        mark = "*" if d["active"] else " "
        click.echo(f" {mark} {d['id']:<11} {d['label']} [{', '.join(d['sources'])}]")
    click.echo("\nCriteria sets:")
    for c in summary["criteria_sets"]:
        click.echo(f"  {c['id']:<15} {c['title']} [{', '.join(c['sources'])}]")
        for item in c["items"]:
            click.echo(f"      - {item}")
    click.echo(f"\nSources ({len(summary['sources'])}):")
    for src in summary["sources"]:
        click.echo(f"  {src['id']:<5} {src['short']} ({src['grade']})")
