"""A generated population shared by the synth tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.screening.synth import Summary, generate
from cluneal.screening.synth import transcriptions as mts
from cluneal.screening.synth.reading import Export


@pytest.fixture(scope="session")
def sample(synthea_dir: Path) -> Path:
    """The Synthea sample the populations are copied from."""
    return synthea_dir


@pytest.fixture(scope="session")
def as_of() -> dt.date:
    return dt.date(2024, 6, 1)


@pytest.fixture(scope="session")
def generated(
    tmp_path_factory: pytest.TempPathFactory, sample: Path, as_of: dt.date
) -> tuple[Summary, Export]:
    """300 patients, a fifth of them planted and as many near misses, screened on 2024-06-01."""
    out = tmp_path_factory.mktemp("synth") / "export"
    summary = generate(sample, out, 300, 11, planted_share=0.2, as_of=as_of)
    return summary, Export.read(out)


@pytest.fixture(scope="session")
def export(generated: tuple[Summary, Export]) -> Export:
    return generated[1]


@pytest.fixture(scope="session")
def summary(generated: tuple[Summary, Export]) -> Summary:
    return generated[0]


@pytest.fixture(scope="session")
def mtsamples(shared: Path) -> Path:
    """The MTSamples transcriptions beside the checkout (external/mtsamples/mtsamples.rda)."""
    return shared / "external" / "mtsamples"


@pytest.fixture(scope="session")
def transcriptions(mtsamples: Path) -> mts.Transcriptions:
    """The MTSamples transcriptions read by the notes pipeline (once: about a minute)."""
    return mts.load(mtsamples, default_pack())
