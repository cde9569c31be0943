"""``generate``: a synthetic FHIR Bulk Data export with planted cluneal-like patients."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cluneal.knowledge.loader import default_pack
from cluneal.knowledge.model import KnowledgePack
from cluneal.screening.synth import population as pop_
from cluneal.screening.synth.kinds import BACKGROUND, KINDS
from cluneal.screening.synth.transcriptions import NOTES_PER_PATIENT, Transcriptions
from cluneal.screening.synth.truth import TIERS
from cluneal.screening.synth.writer import NdjsonWriter, manifest, staging, write_json

REQUEST = "https://synth.cluneal.invalid/fhir/Patient/$export?_type="
EXTENSION = "https://cluneal.org/fhir/StructureDefinition/synth"


@dataclass(frozen=True)
class Summary:
    """What :func:`generate` wrote."""

    out_dir: Path
    patients: int
    seed: int
    as_of: dt.date
    resources: dict[str, int]  # per resource type
    kinds: dict[str, int]  # per kind, ``background`` included
    tiers: dict[str, int]  # per expected tier
    files: int
    notes: dict[str, Any] | None = None  # the attached transcriptions, when asked for

    @property
    def planted(self) -> int:
        return sum(n for kind, n in self.kinds.items() if kind != BACKGROUND)

    def to_json(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "patients": self.patients,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "resources": self.resources,
            "kinds": self.kinds,
            "tiers": self.tiers,
            "files": self.files,
        } | ({"notes": self.notes} if self.notes is not None else {})


def _check(
    patients: int, planted_share: float, max_encounters: int, notes_per_patient: tuple[int, int]
) -> None:
    if isinstance(patients, bool) or not isinstance(patients, int) or patients < 1:
        raise ValueError(f"patients must be a whole number of at least 1, not {patients!r}")
    if not 0 <= planted_share <= 0.5:
        raise ValueError(f"planted_share must be between 0 and 0.5, not {planted_share!r}")
    if max_encounters < 1:
        raise ValueError(f"max_encounters must be at least 1, not {max_encounters!r}")
    least, most = notes_per_patient
    if not 0 <= least <= most:
        raise ValueError(
            f"notes_per_patient must be two whole numbers 0 <= least <= most, "
            f"not {notes_per_patient!r}"
        )


def _chunks(population: pop_.Population) -> Iterator[pop_.Chunk]:
    for index in range(-(-population.size // pop_.CHUNK)):
        yield pop_.print_chunk(population, index)


def generate(
    source_dir: Path,
    out_dir: Path,
    patients: int,
    seed: int,
    *,
    planted_share: float = 0.05,
    as_of: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    compress: bool = False,
    lines_per_file: int = 100_000,
    max_encounters: int = 3,
    overwrite: bool = False,
    pack: KnowledgePack | None = None,
    notes: Transcriptions | None = None,
    notes_per_patient: tuple[int, int] = NOTES_PER_PATIENT,
) -> Summary:
    """Write a synthetic Bulk Data export of ``patients`` patients into ``out_dir``.

    Each patient is a Synthea patient of ``source_dir`` re-keyed (new UUIDs throughout), shifted
    in time (one offset per patient) and given new demographics; ``planted_share`` of them are
    planted cluneal-like kinds and as many again near-miss negatives (:mod:`.kinds`). Beside the
    NDJSON files go ``manifest.json`` and ``truth.csv``. The same arguments give the same bytes.

    ``as_of`` is the screening date (default: the day after the sample's latest date); every
    record ends before it. ``progress`` is called with the number of patients just written.
    ``max_encounters`` bounds how many of a source patient's latest encounters a copy keeps.
    ``notes`` (:func:`.transcriptions.load`) attaches to every patient between the two numbers
    of ``notes_per_patient`` of its transcriptions, beside the patient's own notes; they change
    no tier (they show no screening finding), so ``truth.csv`` is the same with or without.
    Raises :class:`~.source.SourceError` for an unusable sample,
    :class:`~.writer.OutputExistsError` when ``out_dir`` is not empty (unless ``overwrite``),
    and ``ValueError`` for bad arguments.
    """
    _check(patients, planted_share, max_encounters, notes_per_patient)
    out_dir = Path(out_dir)
    pack = pack or default_pack()
    population = pop_.build(
        Path(source_dir),
        patients,
        seed,
        planted_share,
        as_of,
        max_encounters,
        pack,
        notes,
        notes_per_patient,
    )
    attached = None if notes is None else notes.describe(notes_per_patient)
    resources: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    with staging(out_dir, overwrite) as tmp:
        writer = NdjsonWriter(tmp, lines_per_file, compress)
        try:
            with (tmp / "truth.csv").open("w", encoding="utf-8", newline="") as truth:
                truth.write(",".join(pop_.TRUTH_COLUMNS) + "\n")
                for chunk in _chunks(population):
                    for rtype in pop_.OUTPUT_TYPES:
                        if chunk.counts[rtype]:
                            writer.write(rtype, chunk.data[rtype], chunk.counts[rtype])
                    truth.write(chunk.truth.getvalue())
                    resources.update(chunk.counts)
                    kinds.update(chunk.kinds)
                    tiers.update(chunk.tiers)
                    if progress is not None:
                        progress(sum(chunk.kinds.values()))
        finally:
            files = writer.close()
        day = population.as_of.isoformat()
        types = ",".join(t for t in pop_.OUTPUT_TYPES if resources[t])
        extension = {
            EXTENSION: {
                "seed": seed,
                "patients": patients,
                "plantedShare": planted_share,
                "asOf": day,
                "truth": "truth.csv",
                "kinds": {k.id: {"tier": k.tier, "rule": k.rule} for k in KINDS},
            }
            | ({"notes": attached} if attached is not None else {})
        }
        write_json(
            tmp / "manifest.json", manifest(files, f"{day}T00:00:00Z", REQUEST + types, extension)
        )
    return Summary(
        out_dir=out_dir,
        patients=patients,
        seed=seed,
        as_of=population.as_of,
        resources={t: resources[t] for t in pop_.OUTPUT_TYPES if resources[t]},
        kinds=dict(sorted(kinds.items())),
        tiers={t: tiers[t] for t in TIERS if tiers[t]},
        files=len(files),
        notes=attached,
    )
