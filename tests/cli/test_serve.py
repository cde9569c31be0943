"""``cluneal serve`` prepares each worker before its first request."""

from __future__ import annotations

import gc

from cluneal.cli import serve
from cluneal.interop.fhir_codes import CodeIndex
from cluneal.knowledge.loader import active_pack
from cluneal.nlp import pipeline as notes_pipeline


def test_a_worker_is_warmed_and_its_startup_objects_frozen(settings):
    settings.CLUNEAL_CDS_NOTES_MAX_BYTES = 1_000
    threshold = gc.get_threshold()
    try:
        serve.worker_ready(None)
        assert gc.get_threshold() == serve.GC_THRESHOLD
        assert gc.get_freeze_count() > 0
        pack = active_pack()
        assert id(pack) in CodeIndex._built
        assert (pack.origin, pack.name, pack.version) in notes_pipeline._built
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
