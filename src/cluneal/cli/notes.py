"""``cluneal notes FILE``: the concepts found in a clinical note, as JSON or marked in the text."""

from __future__ import annotations

import json
import sys

import click

from cluneal.cli.common import fail
from cluneal.nlp.finding import NoteError, notes_document
from cluneal.nlp.render import highlight
from cluneal.nlp.text import MAX_BYTES, decode_note


def _read(source: str) -> bytes:
    name = "standard input" if source == "-" else source
    try:
        if source == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        with open(source, "rb") as f:
            return f.read(MAX_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read {name}: {exc.strerror or exc}")


@click.command(name="notes")
@click.argument("source", metavar="FILE")
@click.option(
    "--text",
    "as_text",
    is_flag=True,
    help="Show the note with the findings marked, instead of JSON (read whole, as --full).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read the whole note with spaCy, without the prefilter that reads only the parts "
    "that can hold a finding (the findings are the same; this is the reference path).",
)
def notes_command(source: str, as_text: bool, full: bool) -> None:
    """Find cluneal-relevant concepts in the clinical note FILE (- for standard input).

    Prints {"format": "cluneal-notes/1", "findings": [...]}: each finding has its concept,
    text, character offsets, side and the ConText attributes (negated, historical,
    hypothetical, uncertain, family) and its section. An empty note has no findings;
    binary, non-UTF-8 or over-long input exits with status 2.
    """
    from cluneal.nlp.pipeline import pipeline

    name = "standard input" if source == "-" else source
    try:
        text = decode_note(_read(source), name)
        read = pipeline().find_full if full or as_text else pipeline().find
        findings = read([text])[0]
    except NoteError as exc:
        fail(str(exc))
    if as_text:
        click.echo(highlight(text, findings), nl=False)
    else:
        click.echo(json.dumps(notes_document(findings), indent=2, ensure_ascii=False))
