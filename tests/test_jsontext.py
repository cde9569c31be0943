"""One reader of JSON text from outside: the whole family of faults gets the same problems."""

from __future__ import annotations

import pytest

from cluneal.jsontext import JsonTextError, loads


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "not valid JSON: line 1 column 2"),
        (b'{"a": 1,}', "not valid JSON: line 1 column 9"),
        (b'{"a":\n  [1, 2', "not valid JSON: line 2 column"),
        (b"", "not valid JSON: line 1 column 1"),
        (b"NaN", "not valid JSON (NaN is not a JSON value)"),
        (b'{"a": -Infinity}', "not valid JSON (-Infinity is not a JSON value)"),
        ("{'a': 1}", "not valid JSON: line 1 column 2"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        (b'{"a": "caf\xe9"}', "not UTF-8 text (byte 10)"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (b"1" * 5000, "not valid JSON (Exceeds the limit"),
    ],
)
def test_every_fault_is_named(raw: bytes | str, problem: str) -> None:
    with pytest.raises(JsonTextError) as caught:
        loads(raw)
    assert caught.value.problem.startswith(problem)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
        ('{"a": "é"}', {"a": "é"}),
        (b'\xef\xbb\xbf{"bom": 1}', {"bom": 1}),
        (b'"\\ud800"', "\ud800"),  # a lone surrogate: orjson refuses it, the standard library not
        (b"36.0", 36.0),
    ],
)
def test_what_is_json_is_read(raw: bytes | str, value: object) -> None:
    assert loads(raw) == value
