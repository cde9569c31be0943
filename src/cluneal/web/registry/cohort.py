"""The sites' records as a registry cohort: read by :mod:`cluneal.web.records.mapping`, turned
into the registry's values by :mod:`cluneal.registry.records`."""

from __future__ import annotations

from collections.abc import Sequence

from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import Cohort
from cluneal.registry.records import cohort_of
from cluneal.web.accounts.models import Site
from cluneal.web.records.mapping import records_of
from cluneal.web.records.models import Patient


def cohort_for(sites: Sequence[Site], pack: KnowledgePack) -> Cohort:
    """Every patient of ``sites`` as registry values (select a period with
    :meth:`Cohort.select`)."""
    names = {str(s.pk): s.name for s in sites}
    records = records_of(Patient.objects.filter(site__in=[s.pk for s in sites]))
    return cohort_of(records, names, pack)
