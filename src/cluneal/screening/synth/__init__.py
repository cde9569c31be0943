"""Synthetic FHIR Bulk Data populations for testing the screening (``cluneal synth``).

:func:`generate` copies the patients of a Synthea sample as many times as asked, each re-keyed,
shifted in time and renamed, plants cluneal-like patients and near misses of known kinds among
them, and writes the export with its manifest and a ``truth.csv`` of what a correct screener
should find.
"""

from cluneal.screening.synth.generate import Summary, generate
from cluneal.screening.synth.kinds import KINDS, Kind
from cluneal.screening.synth.source import SourceError
from cluneal.screening.synth.writer import OutputExistsError

__all__ = ["KINDS", "Kind", "OutputExistsError", "SourceError", "Summary", "generate"]
