"""The network page's shares: uploaded, checked, kept per user, pooled.

Shares are kept in the database (:class:`NetworkShare`, one row per share and user), not in the
session: they are aggregates, they outlive a session that ends after 30 idle minutes, and the
session is saved on every request. An upload is all or nothing: every file is read and checked
(size, JSON, shape, digest, definitions against the user's other shares) before any is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction

from cluneal.knowledge.loader import active_pack
from cluneal.registry.network import check
from cluneal.registry.network import report as network_report
from cluneal.registry.network.report import NetworkReport
from cluneal.web.registry.models import NetworkShare

#: At most this many files in one upload, this many bytes in one request, and this many shares
#: kept per user (the page pools them all on each visit).
MAX_FILES = 20
MAX_REQUEST_BYTES = 20_000_000
MAX_SHARES = 200
FIGURE_SECONDS = 3600


def stored(user: Any, problems: list[str] | None = None) -> list[check.Share]:
    """The user's shares, read and checked again; one that no longer passes (kept by an
    earlier version) is left out and named in ``problems``."""
    found = []
    for row in NetworkShare.objects.filter(owner=user):
        try:
            found.append(check.parse(row.content.encode("utf-8"), row.installation))
        except check.ShareError as exc:
            if problems is not None:
                problems += [*exc.problems, f"{row.installation}: remove it and upload it again"]
    return found


def add(user: Any, files: Sequence[tuple[str, bytes]]) -> list[check.Share]:
    """Check ``files`` (name, content) and keep them all, or raise :class:`check.ShareError`
    naming every problem and keep none."""
    problems: list[str] = []
    if not files:
        raise check.ShareError(["share: choose one or more share files (JSON)"])
    if len(files) > MAX_FILES:
        raise check.ShareError([f"share: at most {MAX_FILES} files at a time"])
    new: list[check.Share] = []
    for name, content in files:
        try:
            new.append(check.parse(content, name))
        except check.ShareError as exc:
            problems += exc.problems
    if problems:
        raise check.ShareError(problems)
    existing = stored(user)
    if len(existing) + len(new) > MAX_SHARES:
        raise check.ShareError([f"share: at most {MAX_SHARES} shares can be pooled here"])
    check.compatible([*existing, *new])
    try:
        with transaction.atomic():
            for s, (_, content) in zip(new, files, strict=True):
                NetworkShare.objects.create(
                    owner=user,
                    digest=s.digest,
                    installation=s.label,
                    content=content.decode("utf-8"),
                )
    except IntegrityError:
        raise check.ShareError(["share: this share was just added"]) from None
    return new


def remove(user: Any, digest: str) -> NetworkShare | None:
    row = NetworkShare.objects.filter(owner=user, digest=digest).first()
    if row is not None:
        row.delete()
    return row


def build(shares: Sequence[check.Share]) -> NetworkReport:
    """The pooled report, kept in the cache under :func:`key`: pooling 100 shares of large
    installations takes seconds (a Kaplan-Meier fit per installation and curve)."""
    full = f"network-report:{key(shares)}"
    found: NetworkReport | None = cache.get(full)
    if found is None:
        found = network_report.build(shares, active_pack())
        cache.set(full, found, FIGURE_SECONDS)
    return found


def key(shares: Sequence[check.Share]) -> str:
    """What the pooled figures depend on: the shares (their digests) and the pack's citations."""
    pack = active_pack()
    text = ":".join(sorted(s.digest for s in shares)) + f":{pack.origin}:{pack.version}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def svg(report: NetworkReport, name: str, cache_key: str) -> str:
    full = f"network-svg:{cache_key}:{name}"
    found: str | None = cache.get(full)
    if found is None:
        found = report.svg(name)
        cache.set(full, found, FIGURE_SECONDS)
    return found
