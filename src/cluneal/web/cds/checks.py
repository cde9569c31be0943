"""Problems found in what an EHR sends, each reported at its JSON path, and the checks of one
JSON value's type that find them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cluneal.validation import Invalid, Problem

#: Problems reported at most; a body of thousands of bad entries gets a short answer.
MAX_PROBLEMS = 50
JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return JSON_TYPES.get(type(value), type(value).__name__)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def plain(value: Any) -> bool:
    """The common case, decided fast: a string of ASCII without NUL (always well-formed)."""
    return type(value) is str and value.isascii() and "\x00" not in value


class Check:
    """Problems found so far, each at a JSON path."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(path, message))
        elif len(self.found) == MAX_PROBLEMS:
            self.found.append(Problem("", f"more than {MAX_PROBLEMS} problems; the rest omitted"))

    def raise_if_any(self, what: str) -> None:
        if self.found:
            raise Invalid(self.found, what)

    def typed(self, value: Any, path: str, kind: type, name: str, *, required: bool) -> bool:
        """True when ``value`` is of ``kind``; a problem when it is not (or is missing while
        required). ``null`` counts as missing."""
        if value is None:
            if required:
                self.add(path, "is required")
            return False
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return True
        self.add(path, f"must be {name}, not {json_type(value)}")
        return False

    def obj(self, value: Any, path: str, *, required: bool = False) -> bool:
        return self.typed(value, path, dict, "an object", required=required)

    def array(self, value: Any, path: str, *, required: bool = False) -> bool:
        return self.typed(value, path, list, "a list", required=required)

    def string(
        self, value: Any, path: str, *, required: bool = False, non_empty: bool = False
    ) -> bool:
        if not self.typed(value, path, str, "a string", required=required):
            return False
        if "\x00" in value:
            self.add(path, "must not contain NUL characters")
            return False
        if not _utf8(value):
            self.add(path, "must be valid Unicode (it holds a lone surrogate)")
            return False
        if non_empty and not value.strip():
            self.add(path, "must not be empty")
            return False
        return True

    def strings(self, node: Mapping[str, Any], path: str, *keys: str) -> None:
        """Optional string members of ``node``; the path is built only for a problem."""
        for key in keys:
            value = node.get(key)
            if value is not None and not plain(value):
                self.string(value, f"{path}.{key}")
