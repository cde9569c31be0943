"""Reading a Bulk Data export's notes (DocumentReference) with the notes pipeline.

Each engine hands over the rows of the ``screening_note`` view (id, patient, content type and
the attachment's base64 data) in batches; :func:`read_batch` decodes the plain-text ones, runs
the pipeline over the whole batch with ``nlp.pipe`` and turns findings into screening hits by
the pack's ``screening.notes`` rules, each quoting the words that matched. A finding of the
red-flag concept becomes the hit ``red_flag_note:<red flag>`` when the note was written within
that red flag's window before the screening date. The same function
runs in the DuckDB process and, on Spark, inside ``mapInPandas`` on the executors, so both
engines find the same hits.

A note that is not plain text, not valid base64 or not UTF-8 is skipped and counted, never a
failed run: a health system's export holds PDFs and scanned letters too.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice

from cluneal.core.dates import day_of
from cluneal.core.red_flags import note_flag, still_counts
from cluneal.core.screening import RED_FLAG_NOTE
from cluneal.knowledge.model import KnowledgePack, NoteRule
from cluneal.nlp.finding import Finding, NoteError
from cluneal.nlp.pipeline import pipeline
from cluneal.nlp.text import check_text, decode_note

#: The rows a batch holds: note id, patient id, content type, base64 data, the note's date.
NoteRow = tuple[str | None, str | None, str | None, str | None, str | None]
#: What a batch yields: patient id, feature (None: the note was skipped), reference, quote or
#: the reason it was skipped.
HitRow = tuple[str, str | None, str, str]
#: The columns of the ``screening_note`` view a batch reads, in :data:`NoteRow` order.
NOTE_COLUMNS = "id, patient_id, content_type, data, date"
#: The columns of :data:`HitRow`, and their Spark schema.
HIT_COLUMNS = ("patient_id", "feature", "reference", "quote")
HIT_SCHEMA = ", ".join(f"{name} string" for name in HIT_COLUMNS)
QUOTE_CHARS = 80
BATCH = 256
#: Below this many notes one process reads them: a worker process takes some two seconds to
#: start (the imports and the pipeline), the time one process reads several thousand notes in.
PARALLEL_FROM = 64 * BATCH


@dataclass(frozen=True)
class NoteCounts:
    read: int
    skipped: int
    examples: tuple[str, ...]


def counts(rows: Iterable[HitRow], notes: int) -> NoteCounts:
    """How many notes were read and skipped, from the skipped rows a batch yields (a note is
    skipped when an attachment of it could not be read)."""
    why: dict[str, str] = {}
    for _, feature, ref, reason in rows:
        if feature is None:
            why.setdefault(ref, reason)
    skipped = sorted(why.items())
    return NoteCounts(
        notes - len(skipped), len(skipped), tuple(f"{r}: {w}" for r, w in skipped[:5])
    )


def decode(content_type: str | None, data: str | None) -> str:
    """The note's text; raises :class:`NoteError` saying why it cannot be read."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind != "text/plain":
        raise NoteError(f"not plain text ({kind or 'no content type'})")
    if not data:
        raise NoteError("no inline data")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("the data is not valid base64") from None
    charset = _charset(content_type or "")
    if charset in ("utf-8", "utf8"):
        return decode_note(raw, "the text")
    try:
        return check_text(raw.decode(charset), "the text")
    except (UnicodeDecodeError, LookupError):
        raise NoteError(f"the text is not valid {charset}") from None


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return "utf-8"


def counts_as(finding: Finding, rule: NoteRule) -> bool:
    """Whether a finding shows the rule's feature (``when`` in :class:`NoteRule`)."""
    if finding.concept != rule.concept or finding.negated or finding.family:
        return False
    if rule.when == "planned":
        return finding.hypothetical and not finding.uncertain
    if finding.hypothetical or finding.uncertain:
        return False
    return rule.when == "past_or_current" or not finding.historical


def _quote(finding: Finding) -> str:
    text = " ".join(finding.text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "\u2026"


def _feature(
    rule: NoteRule, finding: Finding, written: dt.date | None, as_of: dt.date, pack: KnowledgePack
) -> str | None:
    """The hit a counting finding makes: the rule's feature, or for the red-flag concept the
    red flag it names if the note is recent enough for it to count (else None)."""
    if rule.concept != pack.red_flag_rules.note_concept:
        return rule.feature
    flag = note_flag(pack, finding.text)
    return RED_FLAG_NOTE + flag if still_counts(pack.red_flags[flag], written, as_of) else None


def read_batch(
    rows: list[NoteRow], pack: KnowledgePack, as_of: dt.date | None = None
) -> Iterator[HitRow]:
    """Hits (and skipped notes) of one batch of note rows, on the screening date ``as_of``."""
    day = as_of or dt.date.today()
    texts: list[str] = []
    owners: list[tuple[str, str, dt.date | None]] = []
    for note_id, patient_id, content_type, data, date in rows:
        if note_id is None or patient_id is None:
            continue
        reference = f"DocumentReference/{note_id}"
        try:
            texts.append(decode(content_type, data))
        except NoteError as exc:
            yield patient_id, None, reference, str(exc)
            continue
        owners.append((patient_id, reference, day_of(date)))
    if not texts:
        return
    rules = pack.screening.notes
    found_in = pipeline(pack).find(texts)
    for (patient_id, reference, written), found in zip(owners, found_in, strict=True):
        for finding in found:
            for rule in rules:
                if counts_as(finding, rule):
                    feature = _feature(rule, finding, written, day, pack)
                    if feature is not None:
                        yield patient_id, feature, reference, _quote(finding)


def _batches(rows: Iterable[NoteRow]) -> Iterator[list[NoteRow]]:
    batch: list[NoteRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def read_all(
    rows: Iterable[NoteRow],
    pack: KnowledgePack,
    as_of: dt.date | None = None,
    workers: int = 1,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[HitRow]:
    """:func:`read_batch` over an iterable of rows, :data:`BATCH` at a time; with ``workers``
    > 1 and at least ``parallel_from`` notes, in that many processes (each builds the
    pipeline once), a bounded number of batches in flight so that memory stays flat. The hits
    are the same, in the same order."""
    batches = _batches(rows)
    enough = max(1, -(-parallel_from // BATCH))  # batches
    first = list(islice(batches, enough))
    if workers <= 1 or len(first) < enough:
        for batch in chain(first, batches):
            yield from read_batch(batch, pack, as_of)
        return
    context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(pack, as_of)
    ) as pool:
        pending: deque[Future[list[HitRow]]] = deque()
        for batch in chain(first, batches):
            pending.append(pool.submit(_read_list, batch))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


_worker: tuple[KnowledgePack, dt.date | None] | None = None


def _start_worker(pack: KnowledgePack, as_of: dt.date | None) -> None:
    """A worker process keeps the pack and builds its pipeline once."""
    global _worker
    _worker = (pack, as_of)
    pipeline(pack)


def _read_list(rows: list[NoteRow]) -> list[HitRow]:
    assert _worker is not None, "the pool's initializer sets the pack"
    return list(read_batch(rows, *_worker))
