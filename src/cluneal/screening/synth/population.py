"""Who is in the synthetic population, and printing them chunk by chunk.

The plan fixes, from the seed alone, which patients are planted and of which kind. Patients are
then printed in chunks of :data:`CHUNK`; each chunk has its own random generator seeded from the
seed and the chunk's number, so a chunk prints the same bytes in whatever order or process it
is printed (the output does not depend on how the work is split).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth import people
from cluneal.screening.synth.fhir import Chart
from cluneal.screening.synth.kinds import BACKGROUND, KINDS, Person, allocate
from cluneal.screening.synth.profile import TYPES, Profile, compile_profile
from cluneal.screening.synth.source import SourceError, load_source
from cluneal.screening.synth.transcriptions import HISTORY_DAYS, Transcriptions
from cluneal.screening.synth.truth import Facts, expected_tier, facts_of, features_at

CHUNK = 1000
#: Each copy's record ends between 2 days and 3 years before the screening date.
SPREAD_DAYS = (2, 3 * 365)
ADULT_DAYS = 20 * 365
OUTPUT_TYPES = (*TYPES[:-1], "ServiceRequest", "Observation", TYPES[-1])
TRUTH_COLUMNS = ("patient_id", "kind", "expected_tier", "features", "description")


class _Dates(dict[int, str]):
    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text


_DATES = _Dates()


_VARIANT = str.maketrans("0123456789abcdef", "89ab89ab89ab89ab")


def new_uuids(rng: random.Random, n: int) -> list[str]:
    """``n`` random (version 4) UUIDs drawn from ``rng``."""
    h = rng.randbytes(16 * n).hex()
    v = h.translate(_VARIANT)
    return [
        f"{h[j : j + 8]}-{h[j + 8 : j + 12]}-4{h[j + 13 : j + 16]}-"
        f"{v[j + 16]}{h[j + 17 : j + 20]}-{h[j + 20 : j + 32]}"
        for j in range(0, 32 * n, 32)
    ]


@dataclass
class Population:
    seed: int
    size: int
    as_of: dt.date
    pack: KnowledgePack
    profiles: list[list[Profile]]  # per source patient, per number of encounters kept
    clean: list[int]  # source patients the kinds are planted into
    places: people.Places
    plan: bytearray  # per patient: 0 background, else 1 + index into KINDS
    notes: Transcriptions | None = None  # attached to every patient when given
    notes_per_patient: tuple[int, int] = (0, 0)


def build(
    source_dir: Path,
    size: int,
    seed: int,
    planted_share: float,
    as_of: dt.date | None,
    max_encounters: int,
    pack: KnowledgePack,
    notes: Transcriptions | None = None,
    notes_per_patient: tuple[int, int] = (0, 0),
) -> Population:
    sources = load_source(source_dir)
    profiles = [
        [compile_profile(sp, k, pack) for k in range(1, max_encounters + 1)] for sp in sources
    ]
    if as_of is None:
        as_of = dt.date.fromordinal(max(p[-1].end_ord for p in profiles) + 1)
    clean = []
    for i, sp in enumerate(sources):
        facts = facts_of((r for rs in sp.resources.values() for r in rs), pack)
        full = profiles[i][-1]
        adult = full.end_ord - full.birth_ord >= ADULT_DAYS
        if adult and not full.deceased and facts == Facts():
            clean.append(i)
    if not clean:
        raise SourceError(source_dir, "no living adult patient without back pain to plant into")
    planted = round(size * planted_share)
    plan = bytearray(size)
    kinds = [(k, n) for group in ("planted", "negative") for k, n in allocate(planted, group)]
    codes = [KINDS.index(k) + 1 for k, n in kinds for _ in range(n)]
    positions = random.Random(f"cluneal-synth:{seed}:plan").sample(range(size), len(codes))
    for position, code in zip(positions, codes, strict=True):
        plan[position] = code
    return Population(
        seed,
        size,
        as_of,
        pack,
        profiles,
        clean,
        people.places(sources),
        plan,
        notes,
        notes_per_patient,
    )


@dataclass
class Chunk:
    """Printed patients: NDJSON per type (text while printing, UTF-8 when done), counts, and
    truth.csv rows."""

    text: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in OUTPUT_TYPES})
    data: dict[str, bytes] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)
    truth: io.StringIO = field(default_factory=io.StringIO)


def _dump(resource: dict[str, object]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def _attach_notes(
    pop: Population, rng: random.Random, prof: Profile, offset: int, patient_id: str, out: Chunk
) -> None:
    """The patient's transcriptions, dated within the last years of the copied record."""
    if pop.notes is None:
        return
    last = prof.end_ord + offset
    first = max(prof.birth_ord + offset, last - HISTORY_DAYS)
    n = rng.randint(*pop.notes_per_patient)
    pop.notes.attach(rng, patient_id, first, last, n, new_uuids, out.text["DocumentReference"])
    out.counts["DocumentReference"] += n


def _print_patient(
    pop: Population, rng: random.Random, code: int, out: Chunk, notes_rng: random.Random
) -> None:
    source = rng.randrange(len(pop.profiles)) if code == 0 else rng.choice(pop.clean)
    prof = rng.choice(pop.profiles[source])
    offset = pop.as_of.toordinal() - prof.end_ord - rng.randint(*SPREAD_DAYS)
    ids = new_uuids(rng, prof.n_ids)
    names = people.name_values(rng, prof.gender, prof.name_roles)
    fields, numbers = people.field_values(rng, pop.places)
    values = ids + [_DATES[o + offset] for o in prof.date_ords] + names + fields + numbers
    values += [
        base64.b64encode((text % gather(values)).encode("utf-8")).decode("ascii")
        for text, gather in prof.notes
    ]
    for rtype in TYPES:
        if prof.counts[rtype]:
            text, gather = prof.templates[rtype]
            out.text[rtype].append(text % gather(values))
            out.counts[rtype] += prof.counts[rtype]
    facts = prof.facts.shifted(offset)
    patient_id = ids[prof.patient_slot]
    if code == 0:
        kind = BACKGROUND
        what = "no back pain coded" if not facts.back_pain else "back pain coded"
        description = f"Synthea patient {prof.source_id[:8]} re-keyed: {what}"
    else:
        kind = KINDS[code - 1].id
        person = Person(
            names[prof.name_roles.index("given")],
            names[prof.name_roles.index("family")],
            prof.gender,
            dt.date.fromordinal(prof.birth_ord + offset),
        )
        chart = Chart(rng, pop.as_of, patient_id, lambda: new_uuids(rng, 1)[0])
        description, only_in_note = KINDS[code - 1].build(chart, person, pop.pack)
        for resource in chart.resources:
            rtype = str(resource["resourceType"])
            out.text[rtype].append(_dump(resource))
            out.counts[rtype] += 1
        planted = facts_of(chart.resources, pop.pack)
        in_notes = Facts(red_flags=tuple((f, day, None) for f, day in chart.note_red_flags))
        facts = facts.merged(planted, only_in_note).merged(in_notes)
    _attach_notes(pop, notes_rng, prof, offset, patient_id, out)
    tier = expected_tier(facts, pop.as_of, pop.pack)
    features = ";".join(sorted(features_at(facts, pop.as_of, pop.pack)))
    csv.writer(out.truth, lineterminator="\n").writerow(
        (patient_id, kind, tier, features, description)
    )
    out.kinds[kind] += 1
    out.tiers[tier] += 1


def print_chunk(pop: Population, index: int) -> Chunk:
    """Patients ``index * CHUNK`` up to the next chunk, as NDJSON text per type."""
    rng = random.Random(f"cluneal-synth:{pop.seed}:chunk:{index}")
    # The notes draw from their own generator: with or without them, the rest is the same bytes.
    notes_rng = random.Random(f"cluneal-synth:{pop.seed}:notes:{index}")
    out = Chunk()
    for i in range(index * CHUNK, min(pop.size, (index + 1) * CHUNK)):
        _print_patient(pop, rng, pop.plan[i], out, notes_rng)
    out.data = {t: "".join(lines).encode("utf-8") for t, lines in out.text.items() if lines}
    out.text = {}
    return out
