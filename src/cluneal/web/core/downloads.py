"""Every file Cluneal sends as a download gets its headers here.

``Content-Disposition`` is built from a safe name (control, format and separator characters
removed), as RFC 6266 describes: ``filename*`` carries the name in UTF-8, percent-encoded
(RFC 5987/8187), and ``filename`` an ASCII-only fallback for old clients. Whatever a record
number or another name holds, the header is then plain ASCII with exactly these two parameters:
no line break to split the header, no quote to end the parameter, and no RFC 2047 encoding.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

MAX_NAME = 120
FALLBACK = "download"
_UNSAFE = re.compile(r"[\\/:*?\"'<>|;,=%\s]+")
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """``name`` without what a file name must not hold: control and format characters
    (line breaks, bidirectional overrides), path separators, quotes and parameter delimiters
    (each run replaced by ``_``), leading dots; at most ``MAX_NAME`` characters, keeping the
    extension. Never empty."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE.sub("_", name).lstrip("._")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = dot + ext if dot and len(ext) <= 10 else ""
        name = (stem if keep else name)[: MAX_NAME - len(keep)] + keep
    return name or FALLBACK


def ascii_filename(name: str) -> str:
    """The safe name in ASCII letters, digits and ``._-`` (for ``filename=``)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_ASCII_NAME.sub("_", plain).strip("_.") or FALLBACK


def content_disposition(filename: str, kind: str = "attachment") -> str:
    name = safe_filename(filename)
    return f"{kind}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A response that the browser saves as ``filename``, never kept in a cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response
