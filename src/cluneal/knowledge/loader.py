"""Loading knowledge packs: the default one shipped in the package, or a site's own file.

A pack is one JSON object whose top-level keys are its sections (``sources``, ``criteria_sets``,
``pathway`` ...). The default pack keeps each section in a file of its own under ``data/``; a
site pack is a single file that may say ``"extends": "cluneal-default"`` and then replaces only
the sections it gives (``settings`` are merged key by key). Both go through the same strict
reading, so an unknown key, a bad enum value or a dangling source id is an error naming the file
and the JSON path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cluneal.knowledge import sections
from cluneal.knowledge.model import KnowledgePack, Settings
from cluneal.validation import Invalid, Node, Problem, Problems

DEFAULT_NAME = "cluneal-default"
ENV_VAR = "CLUNEAL_KNOWLEDGE"
DEFAULT_FILES = (
    "pack.json",
    "sources.json",
    "landmarks.json",
    "criteria.json",
    "blocks.json",
    "pathway.json",
    "red_flags.json",
    "differentials.json",
    "instruments.json",
    "codes.json",
    "ehr.json",
    "screening.json",
    "lexicon.json",
)


class PackError(Invalid):
    """A knowledge pack could not be loaded; every problem names its file and path."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "knowledge pack")


def _parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Problem("", f"line {exc.lineno} column {exc.colno}: {exc.msg}", file)
        raise PackError([problem]) from None


def _default_raw() -> tuple[dict[str, Any], dict[str, str]]:
    """The default pack's sections, and the file each section came from."""
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    data = resources.files("cluneal.knowledge").joinpath("data")
    for name in DEFAULT_FILES:
        content = _parse_json(data.joinpath(name).read_text(encoding="utf-8"), name)
        if not isinstance(content, dict):
            raise PackError([Problem("", "must be a JSON object", name)])
        for key, value in content.items():
            raw[key] = value
            origin[key] = name
    return raw, origin


def _merge_settings(base: Any, override: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    merged = dict(base)
    for key, value in override.items():
        entry = value if isinstance(value, dict) else {"value": value}
        previous = merged.get(key)
        merged[key] = {**previous, **entry} if isinstance(previous, dict) else entry
    return merged


def build_pack(raw: Mapping[str, Any], origin: Mapping[str, str], label: str) -> KnowledgePack:
    """Read a whole pack from its raw sections, or raise :class:`PackError`."""
    found: list[Problem] = []
    by_file: dict[str, Problems] = {}

    def node(section: str) -> Node:
        file = origin.get(section, label)
        problems = by_file.setdefault(file, Problems(file=file, found=found))
        return Node(raw.get(section), section, problems)

    for key in raw:
        if key not in sections.TOP_LEVEL:
            file = origin.get(key, label)
            found.append(Problem(key, "unknown section", file))
    pack = sections.read_pack(node, label)
    if found:
        raise PackError(found)
    assert pack is not None
    return pack


@lru_cache(maxsize=1)
def default_pack() -> KnowledgePack:
    raw, origin = _default_raw()
    return build_pack(raw, origin, "cluneal-default")


def load_pack(path: str | os.PathLike[str]) -> KnowledgePack:
    """Load a site's pack from a JSON file (complete, or ``extends`` the default)."""
    file = Path(path)
    label = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError([Problem("", f"cannot read the file: {exc}", label)]) from None
    site = _parse_json(text, label)
    if not isinstance(site, dict):
        raise PackError([Problem("", "must be a JSON object", label)])
    extends = site.get("extends")
    if extends is None:
        return build_pack(site, dict.fromkeys(site, label), label)
    if extends != DEFAULT_NAME:
        raise PackError([Problem("extends", f'must be "{DEFAULT_NAME}" or absent', label)])
    own = [
        Problem(k, "is required (a site pack names itself)", label)
        for k in ("name", "version")
        if not site.get(k)
    ]
    if site.get("name") == DEFAULT_NAME:
        own.append(Problem("name", "must differ from the pack it extends", label))
    if own:
        raise PackError(own)
    raw, origin = _default_raw()
    for key, value in site.items():
        if key == "extends":
            continue
        raw[key] = _merge_settings(raw.get(key), value) if key == "settings" else value
        origin[key] = label
    return build_pack(raw, origin, label)


def active_pack(environ: Mapping[str, str] | None = None) -> KnowledgePack:
    """The pack named by ``CLUNEAL_KNOWLEDGE``, or the default one."""
    env = os.environ if environ is None else environ
    path = env.get(ENV_VAR, "").strip()
    return _load_cached(path) if path else default_pack()


@lru_cache(maxsize=8)
def _load_cached(path: str) -> KnowledgePack:
    return load_pack(path)


def with_settings(pack: KnowledgePack, changes: Mapping[str, Any]) -> KnowledgePack:
    """The same pack with some thresholds changed (e.g. ``{"block_definition": "kiral2024"}``).

    Values are read as strictly as in a pack file; a bad one raises :class:`PackError`.
    """
    if not changes:
        return pack
    problems = Problems(file="settings")
    current = {key: getattr(pack.settings, key) for key in sections.SETTING_IDS}
    for key, value in changes.items():
        node = Node(list(value) if isinstance(value, tuple) else value, key, problems)
        if key not in sections.SETTING_IDS:
            node.fail("unknown setting; known: " + ", ".join(sections.SETTING_IDS))
            continue
        read = sections.setting_value(key, node, dict(pack.block_definitions))
        if read is not None:
            current[key] = read
    if problems.found:
        raise PackError(problems.found)
    return replace(pack, settings=Settings(**current))
