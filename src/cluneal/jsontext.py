"""JSON text from outside (a request body, an upload, a file, a setting) read in one place, so
that every door says the same thing about the same fault.

:func:`loads` reads bytes or text with orjson (several times faster than the standard library
on large bodies); what orjson refuses is read again by the standard library, which accepts a
few things orjson does not (a lone surrogate in a string, a byte-order mark) and says where
the text goes wrong. A fault is a :class:`JsonTextError` whose ``problem`` is one of:

- ``not UTF-8 text (byte N)``
- ``not valid JSON: line L column C (what was expected)``
- ``JSON nested too deeply``
- ``not valid JSON (...)`` for the rest: ``NaN`` and ``Infinity`` (JavaScript, not JSON), an
  integer of more than 4,300 digits.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class JsonTextError(ValueError):
    """JSON text that cannot be read; ``problem`` says why, without naming the source."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


def loads(raw: bytes | str) -> Any:
    """The value of the JSON text ``raw`` (UTF-8 bytes, a byte-order mark allowed, or str)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonTextError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: line {exc.lineno} column {exc.colno} ({exc.msg})"
    except RecursionError:
        problem = "JSON nested too deeply"
    except ValueError as exc:  # NaN or Infinity; an integer longer than int() reads
        problem = f"not valid JSON ({exc})"
    raise JsonTextError(problem)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")
