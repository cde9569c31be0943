"""Turning input into note text, or a clear :class:`NoteError` saying why it is none."""

from __future__ import annotations

import re

from cluneal.nlp.finding import NoteError

#: spaCy's own default ``max_length``; a longer note is refused rather than cut silently.
MAX_CHARS = 1_000_000
#: UTF-8 takes at most 4 bytes a character: more bytes than this cannot be a note we accept.
MAX_BYTES = 4 * MAX_CHARS
# Control characters other than tab, line feed, vertical tab, form feed, carriage return, escape.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def check_text(text: object, what: str = "the note") -> str:
    """``text`` itself when it is a note we can read; raises :class:`NoteError` otherwise."""
    if not isinstance(text, str):
        raise NoteError(f"{what}: expected text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise NoteError(f"{what}: {len(text):,} characters; the limit is {MAX_CHARS:,}")
    if _BINARY.search(text):
        raise NoteError(f"{what}: binary data (control characters), not text")
    return text


def decode_note(data: bytes, what: str = "the note") -> str:
    """The text of a note given as bytes: UTF-8 (a byte-order mark is allowed), not binary."""
    if len(data) > MAX_BYTES:
        raise NoteError(f"{what}: {len(data):,} bytes; the limit is {MAX_CHARS:,} characters")
    if b"\x00" in data:
        raise NoteError(f"{what}: binary data (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NoteError(f"{what}: not UTF-8 text (byte {exc.start} is invalid)") from None
    return check_text(text, what)
