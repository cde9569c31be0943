"""Writing a file so that it is either untouched or complete: never half-written."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = 0o600) -> Iterator[Path]:
    """A temporary file beside ``path`` (new, empty, readable by its owner only unless ``mode``
    says otherwise) for the caller, or a program it runs, to write; when the block ends without
    an error the file is flushed to disk and renamed over ``path``, and on any error it is
    removed, so ``path`` is either as it was or complete."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        yield temp
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def write_atomically(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` through :func:`atomic_path`."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode) as temp:
        temp.write_bytes(content)
