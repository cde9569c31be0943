"""What the CDS services build once per process, built before the first request instead of
during it (``cluneal serve`` calls :func:`warm_up` in each worker as it starts)."""

from __future__ import annotations

from django.conf import settings

from cluneal.interop.fhir_codes import CodeIndex
from cluneal.knowledge.loader import active_pack
from cluneal.nlp.pipeline import pipeline


def warm_up() -> None:
    """The knowledge pack and its code index; the notes pipeline too when notes are read
    (``CLUNEAL_CDS_NOTES_MAX_BYTES`` above 0): a second or two, instead of a first request that
    an EHR would see time out."""
    pack = active_pack()
    CodeIndex.of(pack)
    if settings.CLUNEAL_CDS_NOTES_MAX_BYTES > 0:
        pipeline(pack)
