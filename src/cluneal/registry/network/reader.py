"""Reading JSON strictly, naming each problem by its path (``flow.scn.assessed: ...``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

MAX_LABEL = 200
#: No count of a registry comes near a billion; a larger one is a damaged or forged file.
MAX_COUNT = 1_000_000_000


class Reader:
    def __init__(self, min_cell: int = 0) -> None:
        self.problems: list[str] = []
        self.min_cell = min_cell

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def obj(self, value: Any, path: str, keys: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        missing = [k for k in keys if k not in value]
        unknown = sorted(set(value) - set(keys))
        for k in missing:
            self.fail(join(path, k), "missing")
        for k in unknown:
            self.fail(join(path, k), "unknown member")
        return None if missing or unknown else value

    def each(
        self, value: Any, path: str, keys: Sequence[str], inner: Sequence[str]
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """The members of an object with fixed ``keys``, each itself an object of ``inner``
        keys; only those that are well formed."""
        outer = self.obj(value, path, keys)
        if outer is None:
            return []
        found = [(k, self.obj(outer[k], join(path, k), inner)) for k in keys]
        return [(k, x) for k, x in found if x is not None]

    def count(self, value: Any, path: str, withheld: bool = True) -> int | None:
        """A count: a whole number >= 0, or null where small-cell suppression withheld it."""
        if value is None and withheld and self.min_cell > 1:
            return None
        if not whole(value) or value > MAX_COUNT:
            nullable = withheld and self.min_cell > 1
            self.fail(
                path,
                f"must be a whole number from 0 to {MAX_COUNT:,}"
                + (" or null" if nullable else ""),
            )
            return None
        if withheld and 0 < value < self.min_cell:
            self.fail(path, f"{value} is below min_cell {self.min_cell} and should be withheld")
        return int(value)

    def counts(self, value: Any, path: str, length: int) -> None:
        if not isinstance(value, list) or len(value) != length:
            self.fail(path, f"must be a list of {length} counts")
            return
        for i, x in enumerate(value):
            self.count(x, f"{path}[{i}]")

    def number(
        self,
        value: Any,
        path: str,
        nullable: bool = False,
        low: float = -1e9,
        high: float = 1e9,
    ) -> float | None:
        if value is None and nullable:
            return None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not low <= value <= high:
            bounds = f" from {low:g} to {high:g}" + (" or null" if nullable else "")
            self.fail(path, "must be a number" + bounds)
            return None
        return float(value)

    def text(self, value: Any, path: str, limit: int = MAX_LABEL) -> str | None:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            self.fail(path, f"must be a non-empty string of at most {limit} characters")
            return None
        return value


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
