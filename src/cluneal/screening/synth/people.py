"""New demographics for each copy: names, identifiers, telephone and address.

Names come from ``names.json`` with a number appended, as Synthea does. Addresses reuse the
towns of the sample (city, state, postal code, coordinates) with a new house number and a street
from the sample, so every copy lives somewhere the sample's patients do.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cluneal.screening.synth.source import SourcePatient


@dataclass(frozen=True)
class Town:
    city: str
    state: str
    postal_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Places:
    towns: tuple[Town, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True)
class Names:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


@lru_cache(maxsize=1)
def names() -> Names:
    raw = json.loads(
        resources.files("cluneal.screening.synth").joinpath("names.json").read_text("utf-8")
    )
    return Names(tuple(raw["female"]), tuple(raw["male"]), tuple(raw["family"]))


def _geo(address: dict[str, Any]) -> tuple[float, float]:
    values = {}
    for ext in address.get("extension", []):
        for part in ext.get("extension", []):
            if part.get("url") in ("latitude", "longitude"):
                values[part["url"]] = float(part.get("valueDecimal", 0.0))
    return values.get("latitude", 0.0), values.get("longitude", 0.0)


def places(patients: Sequence[SourcePatient]) -> Places:
    towns: dict[tuple[str, str, str], Town] = {}
    streets: set[str] = set()
    for sp in patients:
        for address in sp.patient.get("address", [])[:1]:
            lat, lon = _geo(address)
            key = (address.get("city", ""), address.get("state", ""), address.get("postalCode", ""))
            towns.setdefault(key, Town(*key, lat, lon))
            for line in address.get("line", []):
                number, _, street = str(line).partition(" ")
                if number.isdigit() and street:
                    streets.add(street)
    return Places(
        tuple(towns[k] for k in sorted(towns)) or (Town("Boston", "MA", "02110", 42.36, -71.05),),
        tuple(sorted(streets)) or ("Main Street",),
    )


def _numbered(rng: random.Random, choices: Sequence[str]) -> str:
    return f"{rng.choice(choices)}{rng.randint(10, 999)}"


def name_values(rng: random.Random, gender: str, roles: Sequence[str]) -> list[str]:
    """A value for each name role the profile uses (``{t[n]}``)."""
    pool = names()
    own = pool.female if gender == "female" else pool.male
    family = _numbered(rng, pool.family)
    drawn = {
        "given": _numbered(rng, own),
        "given2": _numbered(rng, own),
        "family": family,
        "maiden": _numbered(rng, pool.family) if gender == "female" else family,
        "mother_given": _numbered(rng, pool.female),
        "mother_family": _numbered(rng, pool.family),
    }
    return [drawn[role] for role in roles]


def field_values(rng: random.Random, where: Places) -> tuple[list[str], list[str]]:
    """The Patient's identifiers, telephone and address (``{f[n]}``) and coordinates
    (``{n[n]}``), in the order of :data:`~cluneal.screening.synth.profile.FIELDS`."""
    town = rng.choice(where.towns)
    digits = f"{rng.randrange(10**8):08d}"
    fields = [
        f"999-{digits[:2]}-{digits[2:6]}",
        f"S999{digits[:5]}",
        f"X{digits}X",
        f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        f"{rng.randint(1, 999)} {rng.choice(where.streets)}",
        town.city,
        town.state,
        town.postal_code,
    ]
    jitter = rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02)
    numbers = [f"{town.latitude + jitter[0]:.6f}", f"{town.longitude + jitter[1]:.6f}"]
    return fields, numbers
