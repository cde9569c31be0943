"""Strict reading of JSON data with every problem reported by its path: the validation toolkit
of every layer (the knowledge packs, the case and notes formats, FHIR and CDS Hooks input, the
SQL-on-FHIR views), at the bottom of the package, importing nothing of Cluneal.

Data are read with :class:`Node`: each accessor returns the
typed value or ``None`` and records a :class:`Problem` instead of raising, so that one pass lists
every problem in the input rather than stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Problem:
    """One problem in the input: where (``file``, JSON ``path``) and what."""

    path: str
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.path) if part)
        return f"{where}: {self.message}" if where else self.message

    def to_json(self) -> dict[str, str]:
        out = {"path": self.path, "message": self.message}
        if self.file:
            out["file"] = self.file
        return out


class Invalid(ValueError):
    """The input was rejected as a whole; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem], what: str = "input") -> None:
        self.problems = tuple(problems)
        self.what = what
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid {what} ({len(self.problems)} problem(s)):\n{lines}")


@dataclass
class Problems:
    """Collects problems while a document is read."""

    file: str | None = None
    found: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message, self.file))

    def raise_if_any(self, what: str) -> None:
        if self.found:
            raise Invalid(self.found, what)


def join_key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Node:
    """A JSON value found at ``path``; absent keys and ``null`` are both ``None``."""

    __slots__ = ("path", "problems", "value")

    def __init__(self, value: Any, path: str, problems: Problems) -> None:
        self.value = value
        self.path = path
        self.problems = problems

    def fail(self, message: str) -> None:
        self.problems.add(self.path, message)

    @property
    def missing(self) -> bool:
        return self.value is None

    def required(self) -> bool:
        """Record a problem when the value is absent or null; True when present."""
        if self.value is None:
            self.fail("is required")
            return False
        return True

    # -- containers -------------------------------------------------------------------------

    def obj(self, allowed: Collection[str]) -> bool:
        """True when the value is an object whose keys are all in ``allowed``."""
        if self.value is None:
            return False
        if not isinstance(self.value, dict):
            self.fail("must be an object")
            return False
        for key in self.value:
            if key not in allowed:
                self.problems.add(join_key(self.path, str(key)), "unknown field")
        return True

    def mapping(self) -> dict[str, Node]:
        """An object whose keys are free (ids), each value as a node."""
        if self.value is None:
            return {}
        if not isinstance(self.value, dict):
            self.fail("must be an object")
            return {}
        return {k: Node(v, join_key(self.path, k), self.problems) for k, v in self.value.items()}

    def get(self, key: str) -> Node:
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(value, join_key(self.path, key), self.problems)

    def items(self, *, min_len: int = 0, max_len: int | None = None) -> list[Node]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            self.fail("must be a list")
            return []
        n = len(self.value)
        if max_len is not None and min_len == max_len and n != min_len:
            self.fail(f"must have exactly {min_len} items (has {n})")
        elif n < min_len:
            self.fail(f"must have at least {min_len} items (has {n})")
        elif max_len is not None and n > max_len:
            self.fail(f"must have at most {max_len} items (has {n})")
        return [Node(v, f"{self.path}[{i}]", self.problems) for i, v in enumerate(self.value)]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items())

    # -- scalars ----------------------------------------------------------------------------

    def integer(self, low: int | None = None, high: int | None = None) -> int | None:
        if self.value is None:
            return None
        value = self.value
        # As in JSON Schema, 36.0 is the integer 36; 36.5 is not an integer.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and (low is None or value >= low) and (high is None or value <= high):
            return int(value)
        self.fail(_range_message("an integer", low, high))
        return None

    def number(self, low: float | None = None, high: float | None = None) -> float | None:
        if self.value is None:
            return None
        finite = _is_number(self.value) and math.isfinite(self.value)
        if finite and (low is None or self.value >= low) and (high is None or self.value <= high):
            # Returned as given (an int stays an int) so that data round-trips unchanged.
            return self.value  # type: ignore[no-any-return]
        self.fail(_range_message("a number", low, high))
        return None

    def boolean(self) -> bool | None:
        if self.value is None:
            return None
        if isinstance(self.value, bool):
            return self.value
        self.fail("must be true, false or null")
        return None

    def string(self, *, non_empty: bool = False) -> str | None:
        if self.value is None:
            return None
        if isinstance(self.value, str) and (self.value.strip() or not non_empty):
            return self.value
        self.fail("must be a non-empty string" if non_empty else "must be a string")
        return None

    def enum(self, allowed: Collection[str]) -> str | None:
        if self.value is None:
            return None
        if isinstance(self.value, str) and self.value in allowed:
            return self.value
        self.fail("must be one of " + ", ".join(allowed))
        return None

    def date(self) -> dt.date | None:
        if self.value is None:
            return None
        if isinstance(self.value, str) and DATE_PATTERN.fullmatch(self.value):
            try:
                return dt.date.fromisoformat(self.value)
            except ValueError:
                pass
        self.fail("must be a date YYYY-MM-DD")
        return None

    def strings(self, *, allowed: Collection[str] | None = None) -> list[str] | None:
        """A list of strings (each one of ``allowed`` when given); ``None`` when absent."""
        if self.value is None:
            return None
        out: list[str] = []
        for item in self.items():
            got = item.enum(allowed) if allowed is not None else item.string(non_empty=True)
            if got is None and item.value is None:
                item.fail("must not be null")
            if got is not None:
                out.append(got)
        return out


def _range_message(kind: str, low: float | None, high: float | None) -> str:
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if low is not None and high is not None:
        return f"must be {kind} from {fmt(low)} to {fmt(high)}"
    if low is not None:
        return f"must be {kind} >= {fmt(low)}"
    if high is not None:
        return f"must be {kind} <= {fmt(high)}"
    return f"must be {kind}"
