"""What the reader has found so far in one bundle, and the checks that need it.

Resources refer to each other by ``urn:uuid:`` fullUrl, so every resource reader
(:mod:`.reader`, :mod:`.procedures`, :mod:`.responses`, :mod:`.observations`) shares one
:class:`Reading`: the index of entries, the Patient, and the visits, blocks, treatments and
links read so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from cluneal.core.record import AnswerData, BlockData, DiaryDay, TreatmentData
from cluneal.interop.fhir_record.checks import fixed
from cluneal.interop.fhir_record.codes import LINK_EXTENSION, LOWER_UUID
from cluneal.validation import Node, Problems

#: Elements every resource may have besides its own.
COMMON: Final = ("resourceType", "id", "meta", "text")


@dataclass
class VisitDraft:
    """A visit while its Encounter, questionnaire response and NRS are being read."""

    id: str
    date: dt.date | None
    content: dict[str, Any] | None = None
    current_nrs: int | None = None
    nrs_seen: bool = False


@dataclass
class LinkDraft:
    """A patient link gathered from the diary observations or the answer naming it."""

    id: str
    kind: str
    block_url: str | None
    where: str
    entries: list[DiaryDay] = field(default_factory=list)
    answer: AnswerData | None = None


class Reading:
    """The state of one bundle's reading; problems go to ``problems``."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.index: dict[str, tuple[str, Node]] = {}
        self.patient_url: str | None = None
        self.block_urls: set[str] = set()
        self.visits: dict[str, VisitDraft] = {}
        self.blocks: dict[str, BlockData] = {}
        self.treatments: list[TreatmentData] = []
        self.links: dict[str, LinkDraft] = {}
        self.visit_responses: set[str] = set()
        self.block_nrs: set[tuple[str, str]] = set()

    # -- references -------------------------------------------------------------------------

    def target(self, node: Node, kind: str, what: str, within: Any = None) -> str | None:
        """The fullUrl a Reference names, if it is an entry of ``kind`` (and in ``within``)."""
        if not node.required() or not node.obj(("reference",)):
            return None
        ref = node.get("reference")
        url = ref.string(non_empty=True) if ref.required() else None
        if url is None:
            return None
        found = self.index.get(url)
        if found is None or found[0] != kind or (within is not None and url not in within):
            ref.fail(f"must refer to {what} in the bundle")
            return None
        return url

    def subject(self, resource: Node) -> None:
        if self.patient_url is None:
            return  # no valid Patient: said once, not on every resource
        node = resource.get("subject")
        url = self.target(node, "Patient", "the Patient")
        if url is not None and url != self.patient_url:
            node.get("reference").fail("must refer to the bundle's first Patient")

    def only_block(self, node: Node) -> tuple[bool, str | None]:
        """``partOf``: absent, or one reference to a block Procedure; (valid, url)."""
        if node.value is None:
            return True, None
        parts = node.items(min_len=1, max_len=1)
        if len(parts) != 1:
            return False, None
        url = self.target(parts[0], "Procedure", "a block Procedure", self.block_urls)
        return url is not None, url

    # -- patient links ----------------------------------------------------------------------

    def link_id(self, res: Node) -> str | None:
        """The patient link's id in the resource's only extension."""
        node = res.get("extension")
        if not node.required():
            return None
        items = node.items(min_len=1, max_len=1)
        if len(items) != 1:
            return None
        ext = items[0]
        if not ext.obj(("url", "valueId")):
            ext.fail("must be an object (an Extension)")
            return None
        if not fixed(ext.get("url"), LINK_EXTENSION):
            return None
        value = ext.get("valueId")
        link_id = value.string() if value.required() else None
        if link_id is not None and not LOWER_UUID.fullmatch(link_id):
            value.fail("must be a lower-case UUID")
            return None
        return link_id

    def add_to_link(self, res: Node, link_id: str, kind: str, block_url: str | None) -> LinkDraft:
        """The link ``link_id``; every resource naming it must agree on its kind and block."""
        link = self.links.get(link_id)
        if link is None:
            link = LinkDraft(link_id, kind, block_url, res.path)
            self.links[link_id] = link
        elif link.kind != kind:
            res.get("extension").fail(f"names a {link.kind} link ({link.where}) as a {kind} link")
        elif link.block_url != block_url:
            res.get("partOf").fail(f"must refer to the same block as {link.where}")
        return link
