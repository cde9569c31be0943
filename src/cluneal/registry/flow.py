"""The cohort flow, in the shape of the seed's study (E12) and Kuniya 2014 (S1): back-pain
patients assessed -> suspected -> block-confirmed -> repeated blocks -> operated ->
radiofrequency, counted per nerve (either side) and for either nerve.

The funnel is nested by definition, so every percentage is at most 100 %: each step counts
only patients who are also at its parent step. Treatments recorded on a nerve and side that no
block confirmed are counted separately, as a data-quality row, instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cluneal.core import pathway
from cluneal.core.case import Block
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import BlockDefinition, KnowledgePack
from cluneal.registry.cohort import BlockRecord, Cohort, PatientRecord
from cluneal.registry.tables import Column, Table, percent, small_count

ANY = "any"
GROUPS = (*v.NERVES, ANY)
GROUP_LABELS = {**{n: v.LABELS[n] for n in v.NERVES}, ANY: "either nerve"}


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    definition: str
    parent: str | None


STEPS = (
    Step(
        "assessed",
        "Assessed",
        "tender point of the nerve examined (either side), or a block or treatment on it",
        None,
    ),
    Step(
        "suspected",
        "Suspected",
        "an examination met the suspected-disorder criteria (maximal tender point in the "
        "pack's window, reproducing the chief complaint), or a block was given on the nerve",
        "assessed",
    ),
    Step(
        "confirmed",
        "Block-confirmed",
        "at least one block met the active block definition",
        "suspected",
    ),
    Step(
        "repeated_blocks",
        "Repeated blocks",
        "two or more blocks on a block-confirmed nerve and side",
        "confirmed",
    ),
    Step(
        "operated",
        "Operated",
        "surgical release or neurectomy on a block-confirmed nerve and side",
        "confirmed",
    ),
    Step(
        "radiofrequency",
        "Radiofrequency",
        "radiofrequency treatment on a block-confirmed nerve and side",
        "confirmed",
    ),
)
STEP_IDS = tuple(s.id for s in STEPS)
UNCONFIRMED_TREATED = "treated_unconfirmed"


def core_block(b: BlockRecord) -> Block:
    return Block(
        date=b.date,
        nerve=b.nerve,
        side=b.side,
        nrs_before=b.nrs_before,
        nrs_after=b.nrs_after,
        minutes_after=b.minutes_after,
        relief_days=b.relief_days,
    )


def positive(b: BlockRecord, definition: BlockDefinition) -> bool:
    """The engine's own test, so that the registry and the record never disagree."""
    return pathway.block_positive(core_block(b), definition)


def nerve_steps(p: PatientRecord, nerve: str, pack: KnowledgePack) -> set[str]:
    """The flow steps one patient reached for one nerve (either side), plus the data-quality
    marker when a treatment sits on a nerve and side no block confirmed."""
    exams = [e for e in p.exams if e.nerve == nerve]
    blocks = [b for b in p.blocks if b.nerve == nerve]
    treatments = [t for t in p.treatments if t.nerve == nerve]
    reached: set[str] = set()
    if not (any(e.finding.tender is not None for e in exams) or blocks or treatments):
        return reached
    reached.add("assessed")
    definition = pack.block_definition
    window = pathway.window_for(nerve, pack.settings)
    if blocks or any(
        pathway.status_of(e.finding, [], window, definition) == "suspected" for e in exams
    ):
        reached.add("suspected")
    confirmed = {b.side for b in blocks if positive(b, definition)}
    if confirmed:
        reached.add("confirmed")
        if any(sum(1 for b in blocks if b.side == side) >= 2 for side in confirmed):
            reached.add("repeated_blocks")
        on_confirmed = [t for t in treatments if t.side in confirmed]
        if any(t.kind in v.SURGICAL_KINDS for t in on_confirmed):
            reached.add("operated")
        if any(t.kind == "radiofrequency" for t in on_confirmed):
            reached.add("radiofrequency")
    if any(t.side not in confirmed for t in treatments):
        reached.add(UNCONFIRMED_TREATED)
    return reached


@dataclass(frozen=True)
class Flow:
    patients: int
    #: ``counts[group][step]``: patients per nerve group ("scn", "mcn", "any") and step.
    counts: dict[str, dict[str, int]]

    def n(self, group: str, step: str) -> int:
        return self.counts[group][step]


def cohort_flow(cohort: Cohort, pack: KnowledgePack) -> Flow:
    keys = (*STEP_IDS, UNCONFIRMED_TREATED)
    counts = {g: dict.fromkeys(keys, 0) for g in GROUPS}
    for p in cohort.patients:
        either: set[str] = set()
        for nerve in v.NERVES:
            reached = nerve_steps(p, nerve, pack)
            either |= reached
            for step in reached:
                counts[nerve][step] += 1
        for step in either:
            counts[ANY][step] += 1
    return Flow(patients=len(cohort.patients), counts=counts)


def flow_table(flow: Flow, min_cell: int = 0) -> Table:
    columns = [Column("step", "Step"), Column("definition", "Definition")]
    for g in GROUPS:
        label = GROUP_LABELS[g]
        columns += [
            Column(f"{g}_n", f"{label}: n", "count"),
            Column(f"{g}_pct_assessed", f"{label}: % of assessed", "percent", of=f"{g}_n"),
            Column(f"{g}_pct_parent", f"{label}: % of parent step", "percent", of=f"{g}_n"),
        ]
    columns.append(Column("parent_step", "Parent step"))
    rows = []
    for step in STEPS:
        row: list[str | int | float | None] = [step.label, step.definition]
        for g in GROUPS:
            n = flow.n(g, step.id)
            parent = flow.n(g, step.parent) if step.parent else None
            row += [
                n,
                percent(n, flow.n(g, "assessed")),
                percent(n, parent) if parent is not None else None,
            ]
        row.append(next((s.label for s in STEPS if s.id == step.parent), ""))
        rows.append(tuple(row))
    quality: list[str | int | float | None] = [
        "Treated without block confirmation",
        "data quality: a treatment on a nerve and side that no recorded block confirmed "
        "(not part of the flow)",
    ]
    for g in GROUPS:
        quality += [flow.n(g, UNCONFIRMED_TREATED), None, None]
    quality.append("")
    rows.append(tuple(quality))
    return Table(
        name="flow",
        title="Cohort flow",
        columns=tuple(columns),
        rows=tuple(rows),
        notes=(
            f"Patients who entered the registry in the period: "
            f"{small_count(flow.patients, min_cell)}. A patient counts once per nerve (either "
            "side) and once under 'either nerve'.",
            "For comparison, Kuniya 2014 (prospective, SCN): 834 patients with low back "
            "and/or leg symptoms, 113 (14 %) met the suspected-SCN criteria and received "
            "blocks, 19 were operated [S1]. The seed interview gives the same study as 834 / "
            "113 / 19 (expert opinion) [E12].",
        ),
        sources=("S1", "E12"),
    )
