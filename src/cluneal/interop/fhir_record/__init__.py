"""One patient's record as a FHIR R4 Bundle, and back (pure: no web framework, no database).

:func:`to_bundle` writes a :class:`cluneal.core.record.Record` (the record as plain data,
field for field the database's patient, visits, blocks, treatments and patient links) as a
Bundle; :func:`from_bundle` reads a Bundle back, strictly: it
raises :class:`~cluneal.validation.Invalid` listing every problem by its JSON path
(``entry[3].resource.valueInteger: must be an integer from 0 to 10``) and returns nothing of an
invalid bundle. ``from_bundle(to_bundle(r)) == r`` for every record ``to_bundle`` accepts.

Resources (all references are the ``urn:uuid:`` fullUrls of entries in the same bundle):

* ``Patient``: the site's record number as the identifier, under
  ``urn:cluneal:site:<site uuid>:record-number``; gender; ``birthDate`` as the year only; the
  optional name (``name[0].text``) and contact (``telecom[0]``, system ``other``).
* ``Encounter`` per visit (``period.start`` is the visit date), and a ``QuestionnaireResponse``
  per visit (:data:`.codes.VISIT_QUESTIONNAIRE`) whose items hold the visit's history, body map,
  exam, questionnaire items and notes; linkIds are the JSON paths
  (``history.duration_months``, ``exam.left.scn.tender``, ``questionnaires.odi.3``). An item
  without an answer is ``null``.
* ``Observation`` of pain (LOINC 72514-3, always ``valueInteger``) for each visit's current NRS,
  each block's NRS before and after, and each diary day; the second category (a Cluneal code:
  ``nrs-visit``, ``nrs-before-block``, ``nrs-after-block``, ``nrs-diary``) says which.
* ``Procedure`` per block (CPT 64450 and Cluneal ``cluneal-nerve-block``; the block's figures in
  extensions under :data:`EXTENSION`) and per treatment (Cluneal code of the kind, plus CPT 64640
  for radiofrequency; the outcome in ``Procedure.outcome``; the recurrence and last follow-up
  dates in the ``recurrence-date`` and ``last-follow-up`` extensions, ``valueDate``, since R4's
  Procedure has no element for either). ``bodySite`` is the nerve (Cluneal code) then the side
  (SNOMED CT laterality qualifier).
* ``QuestionnaireResponse`` per answered patient link (``.../Questionnaire/<instrument>``); diary
  observations and answers carry the link's id in the ``patient-link`` extension and point at the
  link's block with ``partOf``.

Derived data is exported for readers and **ignored on import**: a ``Condition`` per nerve and
side the engine finds confirmed or suspected (passed in as ``statuses``), questionnaire-score
``Observation`` resources (RMDQ score, ODI percent, STarT Back total; computed when a knowledge
pack is given), and the NRS observations of blocks, which repeat the Procedure's extensions and
are checked against them.

What is not exchanged: link tokens (secrets), when a link expires or was completed, who created
a visit or link, and the created/updated/recorded timestamps. Database ids may be re-keyed on
import; the grouping they express (which diary entries belong to which link, which link follows
which block) is kept. Within the visit's JSON, ``null`` and absent are the same for objects and
lists (a ``null`` scalar is kept, as an item without an answer).

The package, by responsibility: :mod:`.status` (the engine's status, derived), :mod:`.codes` (the
terminology both directions share), :mod:`.items` (the visit's JSON as questionnaire items),
:mod:`.writer` and :mod:`.derived` (export), :mod:`.reader` with :mod:`.procedures`,
:mod:`.responses` and :mod:`.observations` (import, sharing the state of :mod:`.reading` and the
value checks of :mod:`.checks`).
"""

from cluneal.interop.fhir_record.codes import (
    BLOCK_EXTENSIONS,
    BODY_REGIONS,
    CLUNEAL,
    EXTENSION,
    G58_8,
)
from cluneal.interop.fhir_record.reader import from_bundle
from cluneal.interop.fhir_record.status import NerveStatus
from cluneal.interop.fhir_record.writer import to_bundle

__all__ = [
    "BLOCK_EXTENSIONS",
    "BODY_REGIONS",
    "CLUNEAL",
    "EXTENSION",
    "G58_8",
    "NerveStatus",
    "from_bundle",
    "to_bundle",
]
