"""Shares of seeded synthetic installations, made as ``cluneal research share`` makes them
(the ``net`` fixture)."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.registry.network import check, share
from cluneal.registry.synth import Synthetic, generate

PACK = default_pack()


@functools.cache
def installation(seed: int, n: int = 1500) -> Synthetic:
    return generate(n, seed)


def make(seed: int, n: int = 1500, min_cell: int = 0, pack=PACK, **kw) -> dict:
    return share.make(
        installation(seed, n).cohort,
        pack,
        label=kw.pop("label", f"Synthetic {seed}"),
        min_cell=min_cell,
        cluneal_version="0.1.0",
        **kw,
    )


def shared(seed: int, n: int = 1500, min_cell: int = 0, **kw) -> check.Share:
    """A share as pooling receives it: written to bytes and read back strictly."""
    return check.parse(share.dumps(make(seed, n, min_cell, **kw)), f"share-{seed}.json")


@pytest.fixture
def net() -> SimpleNamespace:
    return SimpleNamespace(pack=PACK, installation=installation, make=make, shared=shared)
