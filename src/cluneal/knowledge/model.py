"""Typed, immutable contents of a knowledge pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from cluneal.knowledge.lexicon import Lexicon

Grade = Literal[
    "primary_verbatim", "primary_paraphrase", "secondary", "expert_opinion", "project_policy"
]

GRADE_LABELS: Mapping[str, str] = {
    "primary_verbatim": "primary source, quoted",
    "primary_paraphrase": "primary source, paraphrased",
    "secondary": "secondary source",
    "expert_opinion": "expert opinion",
    "project_policy": "Cluneal safety policy",
}


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    citation: str
    grade: Grade
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    urls: tuple[str, ...] = ()
    note: str | None = None
    #: Found by the Cluneal project (not in the evidence compilation the pack started from).
    added_by_project: bool = False

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.grade]


@dataclass(frozen=True)
class Statement:
    """A sentence shown to a clinician, with the sources it rests on."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Landmark:
    id: str
    nerve: str
    what: str
    sources: tuple[str, ...]
    reference: str | None = None
    value_mm: float | None = None
    mean_mm: float | None = None
    sd_mm: float | None = None
    min_mm: float | None = None
    max_mm: float | None = None
    percent: float | None = None
    count: int | None = None
    text: str | None = None
    sample: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class CriterionItem:
    id: str
    check: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    nerve: str
    title: str
    note: str
    sources: tuple[str, ...]
    items: tuple[CriterionItem, ...]


@dataclass(frozen=True)
class BlockDefinition:
    """When a diagnostic block counts as positive."""

    id: str
    label: str
    min_relief_percent: float
    inclusive: bool
    sources: tuple[str, ...]
    min_minutes_after: float | None = None
    max_minutes_after: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Step:
    text: str
    sources: tuple[str, ...]
    nerve: str | None = None


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PathwayWarning:
    """A warning of the pathway (before a planned procedure), not Python's ``Warning``."""

    id: str
    text: str
    sources: tuple[str, ...]
    planned_procedures: tuple[str, ...]


@dataclass(frozen=True)
class Pathway:
    stages: Mapping[str, Stage]
    warnings: tuple[PathwayWarning, ...]
    favourable: Mapping[str, Statement]


@dataclass(frozen=True)
class RedFlag:
    id: str
    title: str
    text: str
    sources: tuple[str, ...]
    #: How long after it was recorded a red flag still counts in EHR data and notes.
    within_years: float | None = None
    #: Words of a notes ``red_flag`` finding that say it is this red flag.
    note_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedFlagRule:
    """How a red flag is recognised in EHR data: codes and words of a Condition."""

    id: str
    label: str
    flag: str
    match: Matcher
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RedFlagRules:
    """The red flags recognised in EHR data and notes (the rule itself is policy P1)."""

    rules: tuple[RedFlagRule, ...]
    #: Condition clinical statuses that mean the red flag is no longer present.
    ignored_statuses: tuple[str, ...]
    #: Words that stop a keyword match ("family history of cancer", "screening for cancer").
    ignored_words: tuple[str, ...]
    #: The notes concept whose findings are red flags.
    note_concept: str
    #: The red flag of a notes finding whose words name none of the red flags' ``note_words``.
    note_default_flag: str


@dataclass(frozen=True)
class Trigger:
    """When a differential applies: any one clause that matches is enough."""

    conditions: tuple[str, ...] = ()
    prior_procedures: tuple[str, ...] = ()
    planned_procedures: tuple[str, ...] = ()
    pain_sites: tuple[str, ...] = ()
    aggravated_by: tuple[str, ...] = ()
    leg_numbness_or_tingling: bool = False
    min_age: int | None = None
    always: bool = False


@dataclass(frozen=True)
class Differential:
    id: str
    title: str
    text: str
    distinguishing: tuple[str, ...]
    sources: tuple[str, ...]
    when: Trigger


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    items: int
    scoring: str
    licence: str
    sources: tuple[str, ...]
    item_labels: tuple[str, ...] = ()
    mic: str | None = None
    bands: tuple[tuple[float, float, str], ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    status: str
    sources: tuple[str, ...]
    display: str | None = None
    use: str | None = None
    note: str | None = None
    #: The code stands for itself and every code below it in the classification (S32.0: S32.000A).
    descendants: bool = False


@dataclass(frozen=True)
class CodeList:
    id: str
    title: str
    purpose: str
    codes: tuple[Code, ...]

    def codes_in(self, system: str) -> frozenset[str]:
        return frozenset(c.code for c in self.codes if c.system == system)


@dataclass(frozen=True)
class Setting:
    """One configurable threshold, with the evidence for its default."""

    id: str
    value: object
    label: str
    rationale: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """The thresholds the engine uses; each has a default in the pack and can be overridden."""

    block_definition: str
    scn_window_mm: tuple[float, float]
    mcn_window_mm: tuple[float, float]
    blocks_before_surgery: int
    maintenance_max_nrs: int
    escalate_min_nrs: int
    favourable_relief_days: float


@dataclass(frozen=True)
class KnowledgePack:
    name: str
    version: str
    description: str
    origin: str
    settings: Settings
    setting_notes: Mapping[str, Setting]
    sources: Mapping[str, Source]
    landmarks: tuple[Landmark, ...]
    criteria: tuple[CriteriaSet, ...]
    block_definitions: Mapping[str, BlockDefinition]
    pathway: Pathway
    red_flags: Mapping[str, RedFlag]
    red_flag_rules: RedFlagRules
    differentials: tuple[Differential, ...]
    instruments: Mapping[str, Instrument]
    code_lists: Mapping[str, CodeList]
    ehr: EhrRules
    screening: Screening
    lexicon: Lexicon

    @property
    def block_definition(self) -> BlockDefinition:
        return self.block_definitions[self.settings.block_definition]

    def cite(self, ids: tuple[str, ...] | list[str]) -> list[Source]:
        return [self.sources[i] for i in ids]


@dataclass(frozen=True)
class Matcher:
    """Codes (by code list) and words that identify something in EHR data."""

    code_lists: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class EhrFeature:
    id: str
    label: str
    match: Matcher
    sources: tuple[str, ...]
    excluded_by: Matcher | None = None
    adds_condition: str | None = None
    adds_prior_procedure: str | None = None


@dataclass(frozen=True)
class SurgeryOrder:
    procedure: str
    match: Matcher


@dataclass(frozen=True)
class CardText:
    summary: str
    detail: str
    sources: tuple[str, ...]
    requires_any_feature: tuple[str, ...]
    suggestion: str | None = None
    override_reasons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EhrRules:
    """How EHR data (FHIR) is read for the CDS Hooks cards; the decisions stay the engine's."""

    back_pain: Matcher
    back_pain_sources: tuple[str, ...]
    evaluation: Matcher
    features: tuple[EhrFeature, ...]
    surgery_orders: tuple[SurgeryOrder, ...]
    patient_view: CardText
    order_sign: CardText


@dataclass(frozen=True)
class ScreeningFeature:
    id: str
    label: str
    resource_types: tuple[str, ...]
    match: Matcher
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ScreeningRule:
    feature: str
    weight: int
    reason: str
    sources: tuple[str, ...]
    rationale: str


@dataclass(frozen=True)
class NoteRule:
    """A notes concept that shows a screening feature, and which of its findings count.

    ``when`` is ``current`` (asserted, present: not negated, historical, hypothetical,
    uncertain or a relative's), ``past_or_current`` (historical too: a fusion in 2015) or
    ``planned`` (hypothetical only: "we will consider fusion").
    """

    concept: str
    feature: str
    when: str


@dataclass(frozen=True)
class Screening:
    """Population screening as data: SQL-on-FHIR views, features, weighted rules, tiers."""

    chronic_months: int
    chronic_note: Setting
    views: tuple[Mapping[str, object], ...]
    features: tuple[ScreeningFeature, ...]
    rules: tuple[ScreeningRule, ...]
    tiers: tuple[tuple[str, int], ...]
    notes: tuple[NoteRule, ...] = ()

    def view(self, name: str) -> Mapping[str, object]:
        return next(v for v in self.views if v.get("name") == name)
