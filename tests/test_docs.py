"""The README says what the code does: its settings table and its command list are checked
against the code, so that a setting or a command added, renamed or removed shows up here."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cluneal.cli import cli

from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: A setting's name as the code reads it: a quoted string literal.
SETTING = re.compile(r"""["']((?:CLUNEAL_[A-Z0-9_]+)|DATABASE_URL)["']""")


def section(title: str) -> str:
    """The README's text under ``## title``, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match[1]


def settings_in_code() -> set[str]:
    return {
        name
        for path in (ROOT / "src" / "cluneal").rglob("*.py")
        for name in SETTING.findall(path.read_text(encoding="utf-8"))
    }


def settings_in_readme() -> set[str]:
    rows = [line for line in section("Configuration").splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_the_settings_table_names_every_setting_the_code_reads_and_no_other() -> None:
    in_code, in_readme = settings_in_code(), settings_in_readme()
    assert len(in_code) > 30
    assert {
        "missing from the README": in_code - in_readme,
        "not read by the code": in_readme - in_code,
    } == {
        "missing from the README": set(),
        "not read by the code": set(),
    }


def commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> dict[tuple[str, ...], click.Command]:
    """Every command that does something, by its words after ``cluneal``."""
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= commands(command, (*prefix, name))
        else:
            found[(*prefix, name)] = command
    return found


def readme_command_lines() -> list[list[str]]:
    block = re.search(r"```sh\n(.*?)```", section("The command line"), re.S)
    assert block
    lines = [line.split("#", 1)[0].strip() for line in block[1].splitlines()]
    return [shlex.split(line.replace("|", " ")) for line in lines if line.startswith("cluneal ")]


def command_of(words: list[str], known: dict[tuple[str, ...], click.Command]) -> tuple[str, ...]:
    for size in (2, 1):
        key = tuple(words[1 : 1 + size])
        if key in known:
            return key
    raise AssertionError(f"README names a command cluneal does not have: {' '.join(words)}")


def test_the_command_list_shows_every_command_and_no_other() -> None:
    known = commands(cli)
    shown = {command_of(words, known) for words in readme_command_lines()}
    assert len(known) > 10
    assert set(known) - shown == set()


@pytest.mark.parametrize("words", readme_command_lines(), ids=lambda words: " ".join(words[:4]))
def test_every_option_the_command_list_shows_exists(words: list[str]) -> None:
    known = commands(cli)
    command = known[command_of(words, known)]
    options = {flag for param in command.params for flag in (*param.opts, *param.secondary_opts)}
    shown = {
        re.sub(r"[\[\]]", "", w).split("=")[0] for w in words if w.lstrip("[").startswith("--")
    }
    assert shown - options == set()


def test_options_are_read_from_the_environment_only_where_declared(example_path: Path) -> None:
    """With ``auto_envvar_prefix`` any ``CLUNEAL_<COMMAND>_<OPTION>`` would set an option (so
    ``CLUNEAL_RESTORE_YES=1`` would skip the restore confirmation): only the variables declared
    on an option are read, and each is in the settings table."""
    env = {**os.environ, "CLUNEAL_ASSESS_TEXT": "1", "CLUNEAL_RESTORE_YES": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "cluneal", "assess", str(example_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout)["format"] == "cluneal-assessment/1"
    declared = {
        param.envvar
        for command in commands(cli).values()
        for param in command.params
        if isinstance(param.envvar, str)
    }
    assert len(declared) > 5
    assert declared - settings_in_readme() == set()
