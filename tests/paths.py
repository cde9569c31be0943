"""The layout the tests rely on, known in this one place: the checkout, the tests' own data, and
the real data written by others beside the checkout. Test functions reach these through the
fixtures of conftest.py; a module imports them only for a path it needs at collection time."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent
#: The tests' own data (the example case, the annotated note sentences).
DATA = TESTS / "data"
#: Real data written by others (CDS Hooks examples, Synthea, SQL-on-FHIR tests), read in place.
SHARED = ROOT.parent / "shared"
