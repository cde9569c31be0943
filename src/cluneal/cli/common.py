"""What several commands share: options that may come from the environment, reading JSON input
and reporting bad input with exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import click

from cluneal import jsontext
from cluneal.knowledge.loader import PackError, active_pack, load_pack
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Problem

BAD_INPUT = 2


def env_option(*decls: str, envvar: str, help: str, **attrs: Any) -> Callable[[Any], Any]:
    """A click option that may also come from the environment variable ``envvar``, as its help
    says."""
    return click.option(*decls, envvar=envvar, help=f"{help} [env: {envvar}]", **attrs)


knowledge_option = env_option(
    "--knowledge",
    "knowledge_file",
    metavar="FILE",
    envvar="CLUNEAL_KNOWLEDGE",
    help="A site's knowledge pack (JSON) instead of the default one.",
)


def fail(message: str, problems: Iterable[Problem | str] = ()) -> NoReturn:
    click.echo(f"cluneal: {message}", err=True)
    for p in problems:
        click.echo(f"  {p}", err=True)
    sys.exit(BAD_INPUT)


def read_json(source: str) -> Any:
    """Parse JSON from a file path, or from standard input when ``source`` is ``-``."""
    name = "standard input" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}")
    if not text.strip():
        fail(f"{name} is empty: expected a JSON object")
    try:
        return jsontext.loads(text)
    except jsontext.JsonTextError as exc:
        fail(f"{name}: {exc.problem}")


def pack_from(path: str | None) -> KnowledgePack:
    try:
        return load_pack(path) if path else active_pack()
    except PackError as exc:
        fail("the knowledge pack is invalid", exc.problems)
