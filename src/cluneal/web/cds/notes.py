"""The patient's recent notes in a CDS request: which are read, and what they show.

The services ask for ``notes`` in prefetch (:data:`cluneal.interop.cds.NOTES_TEMPLATE`). When
the EHR leaves the key out, the notes are fetched from its FHIR server if it gave one this
issuer may be sent the token for; failing that the request is answered from the rest of the
chart, as before notes were read (never a 412 for notes). A search's ``next`` page is followed,
from the FHIR server only, while pages and the budget last.

Notes are read newest first (by ``date``; undated ones last) until their text reaches the byte
budget ``CLUNEAL_CDS_NOTES_MAX_BYTES``: a note whose text does not fit in what is left is
skipped and the next tried. Only inline plain text is read (``attachment.data``, base64, of
``contentType`` ``text/plain``); an attachment given only by ``url`` is not fetched, and PDFs,
images and other types are skipped; so are notes entered in error. Every skipped note is named,
with the reason, in the response's ``extension`` and the service log.

Each note goes through the notes pipeline (:mod:`cluneal.nlp.pipeline`, its prefiltered fast
path); its findings count by the pack's ``screening.notes`` rules (:func:`counts_as`), and those
that count go to the card logic as :class:`~cluneal.interop.fhir_case.NoteEvidence`. A note's
findings depend on its text alone, so they are kept per text (its BLAKE2 digest) for the
process's life, up to :data:`KEPT_NOTES` notes: an EHR sends a patient's same notes each time
the chart is opened. What is read, and so the cards, never depends on what was kept.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from cluneal.core.dates import day_of
from cluneal.interop import cds
from cluneal.interop.fhir_case import NOTE_TYPE, NoteEvidence
from cluneal.knowledge.model import KnowledgePack
from cluneal.nlp.finding import Finding, NoteError
from cluneal.nlp.pipeline import pipeline
from cluneal.screening.notes import counts_as, decode
from cluneal.web.cds.checks import Check
from cluneal.web.cds.fetch import FhirServer, MissingData, Refused, fhir_server, fill, next_link
from cluneal.web.cds.fhir_shape import check_prefetch
from cluneal.web.cds.schema import HookRequest

log = logging.getLogger(__name__)

#: Notes whose findings a process keeps (a few hundred bytes each).
KEPT_NOTES = 20_000
#: Pages of a notes search followed at most (the first included).
MAX_PAGES = 5
_kept: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
#: The pipeline is run by one thread of a process at a time (spaCy's objects are shared).
_reading = threading.Lock()
VOID = ("entered-in-error",)


@dataclass
class NotesRead:
    """What was read of the notes, and what was not and why (the response's log)."""

    budget: int
    evidence: list[NoteEvidence] = field(default_factory=list)
    read: int = 0
    read_bytes: int = 0
    pages: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def skip(self, reference: str, reason: str) -> None:
        self.skipped.append((reference, reason))

    def log_entry(self) -> dict[str, Any]:
        """The ``org.cluneal.notes`` extension of the response."""
        entry: dict[str, Any] = {
            "read": self.read,
            "readBytes": self.read_bytes,
            "budgetBytes": self.budget,
            "skipped": [{"reference": r, "reason": why} for r, why in self.skipped],
        }
        if self.pages > 1:
            entry["pages"] = self.pages
        if self.problems:
            entry["problems"] = self.problems
        return entry


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle.get("entry") or []
        if isinstance(e.get("resource"), dict) and e["resource"].get("resourceType") == NOTE_TYPE
    ]


def gather(
    first: dict[str, Any], more: Callable[[str], Any] | None, found: NotesRead
) -> list[dict[str, Any]]:
    """The notes of a search Bundle and, when ``more`` can fetch them, of its next pages, while
    :data:`MAX_PAGES` and the budget last (pages of notes whose data already fill it are not
    asked for). A page that cannot be had or is malformed ends the paging, with the reason."""
    notes, page, found.pages = _entries(first), first, 1
    while more is not None and (link := next_link(page)) is not None:
        if found.pages >= MAX_PAGES:
            found.problems.append(f"more pages than {MAX_PAGES}; the rest not fetched")
            break
        if _inline_bytes(notes) >= found.budget:
            found.problems.append("the budget is used; further pages not fetched")
            break
        try:
            page = more(link)
        except MissingData as exc:  # Refused too: notes are optional, the reason is reported
            found.problems.append(f"the next page could not be had: {exc}")
            break
        check = Check()
        if not check_prefetch(check, page, "notes", "Bundle"):
            why = "; ".join(str(p) for p in check.found[:3]) or "not a Bundle"
            found.problems.append(f"the next page is not a Bundle of notes: {why}")
            break
        found.pages += 1
        notes += _entries(page)
    return notes


def _inline_bytes(notes: Iterable[dict[str, Any]]) -> int:
    return sum(
        _text_bytes(a.get("data") or "")
        for n in notes
        for c in n.get("content") or []
        if isinstance(a := c.get("attachment"), dict)
    )


def _attachment(note: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The note's plain-text attachment with inline data, or None and why there is none."""
    reasons = []
    for content in note.get("content") or []:
        attachment = content.get("attachment")
        if not isinstance(attachment, dict):
            continue
        kind = (attachment.get("contentType") or "").split(";")[0].strip().lower()
        if kind == "text/plain" and attachment.get("data"):
            return attachment, ""
        if attachment.get("data"):
            reasons.append(f"not plain text ({kind or 'no content type'})")
        elif attachment.get("url"):
            reasons.append("attachment by URL only (not fetched)")
        else:
            reasons.append("an attachment with no data")
    return None, reasons[0] if reasons else "no attachment"


def _text_bytes(data: str) -> int:
    """The bytes that base64 ``data`` holds, known before decoding it."""
    return len(data) * 3 // 4 - (len(data) - len(data.rstrip("=")))


def _newest_first(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dated = [(day_of(n.get("date")), i, n) for i, n in enumerate(notes)]
    dated.sort(key=lambda x: (x[0] is None, -(x[0].toordinal() if x[0] else 0), x[1]))
    return [n for *_, n in dated]


def choose(notes: list[dict[str, Any]], found: NotesRead) -> list[tuple[str, str, Any]]:
    """(reference, text, day written) of the notes to read, newest first, within the budget;
    the others recorded in ``found`` as skipped, with the reason."""
    chosen: list[tuple[str, str, Any]] = []
    for note in _newest_first(notes):
        reference = f"{NOTE_TYPE}/{note.get('id', '?')}"
        if note.get("status") in VOID:
            found.skip(reference, "entered in error")
            continue
        attachment, why = _attachment(note)
        if attachment is None:
            found.skip(reference, why)
            continue
        size = _text_bytes(attachment["data"])
        left = found.budget - found.read_bytes
        if size > left:
            found.skip(
                reference,
                f"{size:,} bytes, over what is left of the budget ({left:,} of "
                f"{found.budget:,} bytes, CLUNEAL_CDS_NOTES_MAX_BYTES)",
            )
            continue
        try:
            text = decode(attachment.get("contentType"), attachment["data"])
        except NoteError as exc:
            found.skip(reference, str(exc))
            continue
        found.read += 1
        found.read_bytes += size
        chosen.append((reference, text, day_of(note.get("date"))))
    return chosen


def findings_of(texts: list[str], pack: KnowledgePack) -> list[tuple[Finding, ...]]:
    """Each text's findings, from those kept or by running the pipeline on the others."""
    keys = [(pack.origin, pack.name, pack.version, _digest(t)) for t in texts]
    out: list[tuple[Finding, ...] | None] = [_kept.get(k) for k in keys]
    todo = [i for i, f in enumerate(out) if f is None]
    if todo:
        with _reading:  # the store is changed under the lock too: one thread at a time
            found = pipeline(pack).find([texts[i] for i in todo])
            for i, findings in zip(todo, found, strict=True):
                out[i] = kept = tuple(findings)
                while len(_kept) >= KEPT_NOTES:
                    del _kept[next(iter(_kept))]  # the oldest first
                _kept[keys[i]] = kept
    return [f or () for f in out]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def evidence_of(chosen: list[tuple[str, str, Any]], pack: KnowledgePack) -> list[NoteEvidence]:
    """The findings that count, by the pack's note rules, once per feature and note."""
    rules = pack.screening.notes
    out: list[NoteEvidence] = []
    seen: set[tuple[str, str]] = set()
    for (reference, _, written), findings in zip(
        chosen, findings_of([t for _, t, _ in chosen], pack), strict=True
    ):
        for finding in findings:
            for rule in rules:
                if (rule.feature, reference) in seen or not counts_as(finding, rule):
                    continue
                seen.add((rule.feature, reference))
                words = " ".join(finding.text.split())
                out.append(NoteEvidence(rule.feature, reference, words, written))
    return out


def read_notes(
    bundle: dict[str, Any], pack: KnowledgePack, budget: int, more: Callable[[str], Any] | None
) -> NotesRead:
    """The notes of a (checked) search Bundle, with its next pages when ``more`` can fetch
    them: what they show and what was skipped."""
    found = NotesRead(budget)
    chosen = choose(gather(bundle, more, found), found)
    found.evidence = evidence_of(chosen, pack)
    return found


def request_notes(hook_request: HookRequest, issuer: str, pack: KnowledgePack) -> NotesRead | None:
    """The notes of the request, prefetched or fetched; None when there are none to read (the
    key not prefetched and no FHIR server this issuer's token may go to)."""
    key, path = cds.NOTES, f"prefetch.{cds.NOTES}"
    bundle = hook_request.prefetch.get(key)
    server: FhirServer | None = None
    timeout = settings.CLUNEAL_CDS_FHIR_TIMEOUT
    budget = settings.CLUNEAL_CDS_NOTES_MAX_BYTES
    if budget == 0:
        return None
    try:
        server = fhir_server(hook_request, issuer, timeout, path)
    except MissingData as exc:  # Refused too
        if bundle is None:
            if isinstance(exc, Refused):
                log.warning("CDS notes not fetched for %s: %s", issuer, exc)
            return None
    more = None if server is None else (lambda url: server.get(url, path))
    if bundle is None:
        assert server is not None
        try:
            query = fill(cds.PREFETCH[key], hook_request.context)
            bundle = server.get(f"{server.base}/{query}", path)
        except MissingData as exc:
            found = NotesRead(budget, problems=[f"the notes could not be fetched: {exc}"])
            log.warning("CDS notes not fetched for %s: %s", issuer, exc)
            return found
        check = Check()
        if not check_prefetch(check, bundle, path, "Bundle"):
            why = "; ".join(str(p) for p in check.found[:3]) or "not a Bundle"
            return NotesRead(budget, problems=[f"the FHIR server's notes are not usable: {why}"])
    return read_notes(bundle, pack, budget, more)
