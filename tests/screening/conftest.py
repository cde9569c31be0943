"""A small synthetic population shared by the screening tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluneal.screening.synth import generate


@pytest.fixture(scope="session")
def population(tmp_path_factory: pytest.TempPathFactory, synthea_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("population") / "export"
    generate(synthea_dir, out, 2000, seed=11)
    return out
