"""The default pack's wording against docs/clinical-evidence.md: figures that the evidence grades
as expert opinion or as hedged are never stated as established, wherever in the pack they occur.

Each test walks every data file of the pack (sources.json aside: a source's own citation quotes
the statement it is the source of) and checks every entry that states the figure, so that a new
mention elsewhere is held to the same rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cluneal.knowledge.loader import default_pack

DATA = resources.files("cluneal.knowledge").joinpath("data")
FILES = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".json"))


@dataclass(frozen=True)
class Entry:
    """A JSON object of the pack: its own strings, and the source ids cited by it, by the
    objects it sits in and by the objects inside it."""

    where: str
    text: str
    cited: frozenset[str]


def _ids(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = set(node.get("sources", []) if isinstance(node.get("sources"), list) else [])
        return own.union(*(_ids(v) for k, v in node.items() if k != "sources"))
    if isinstance(node, list):
        return set().union(*(_ids(v) for v in node))
    return set()


def _own_strings(node: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for value in node.values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out += [v for v in value if isinstance(v, str)]
    return out


def _walk(node: Any, where: str, above: frozenset[str]) -> Iterator[Entry]:
    if isinstance(node, dict):
        own = node.get("sources")
        here = above | frozenset(own if isinstance(own, list) else ())
        yield Entry(where, " ".join(_own_strings(node)), here | frozenset(_ids(node)))
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}", here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}[{i}]", above)


def entries() -> list[Entry]:
    out: list[Entry] = []
    for name in FILES:
        if name != "sources.json":
            out += _walk(json.loads(DATA.joinpath(name).read_text("utf-8")), name, frozenset())
    return out


def stating(pattern: str) -> list[Entry]:
    found = [e for e in entries() if re.search(pattern, e.text)]
    assert found, f"nothing in the pack states {pattern!r}: is the test still needed?"
    return found


def test_the_walk_sees_every_data_file_of_the_pack():
    assert {"criteria.json", "differentials.json", "pack.json", "landmarks.json"} <= set(FILES)
    walked = {name for name in FILES if any(e.where.startswith(name) for e in entries())}
    assert walked == set(FILES) - {"sources.json"}


def test_the_40_mm_mcn_point_is_called_expert_opinion_wherever_the_pack_states_it():
    # clinical-evidence 0 (E2) and 8, item 2: attributed to Aota by WikiMSK only.
    for entry in stating(r"\b40 ?mm\b"):
        assert "expert opinion" in entry.text.lower(), entry.where
        assert "E2" in entry.cited, entry.where


def test_kuniyas_14_percent_comes_with_the_published_range_and_says_suspected():
    # S1: 113 of 834 met the criteria for *suspected* SCN disorder; S3: 1.6%-14%.
    for entry in stating(r"\b14 ?%"):
        assert "1.6" in entry.text and "suspected" in entry.text, entry.where
        assert {"S1", "S3"} <= entry.cited, entry.where


def test_the_interviews_12_percent_is_called_expert_opinion():
    for entry in stating(r"\b12 ?%"):
        assert "expert opinion" in entry.text.lower(), entry.where
        assert "E3" in entry.cited, entry.where


def test_no_pack_text_makes_a_cost_claim_the_evidence_does_not_hold():
    for entry in entries():
        assert not re.search(r"\b(cheap|cheaper|cost|costs|inexpensive)\b", entry.text), entry.where


def test_lus_64_7_mm_is_only_ever_a_distance_from_the_psis():
    # S24: medial branch 64.7 +/- 5.3 mm from the PSIS, 81.0 +/- 9.2 mm from the midline; the
    # midline figures of the three studies run 65.3-81.0 mm (S27, S26, S24).
    for entry in stating(r"\b64\.7\b"):
        assert "from the PSIS" in entry.text, entry.where
    for entry in entries():
        assert not re.search(r"\b64(\.7)? ?(-|to) ?81", entry.text), entry.where


def test_the_default_block_definition_rests_on_gautams_diagnostic_cut_off_alone():
    # S1's > 50 % VAS decrease is an outcome after up to three blocks, not a diagnostic cut-off.
    relief50 = default_pack().block_definitions["relief50"]
    assert relief50.sources == ("S11",)
    assert relief50.note and "Gautam 2022" in relief50.note and "2 h" in relief50.note


def test_konnos_l4_l5_branches_only_may_explain_the_leg_symptoms():
    # S20: the L4/L5 branches "may explain why patients with SCN entrapment often evince leg
    # pain or tingling that mimics sciatica": a hypothesis from cadavers, not an established cause.
    for entry in stating(r"L4 ?/ ?L5"):
        assert "S20" in entry.cited, entry.where
        assert re.search(r"\bmay explain\b", entry.text), entry.where
        assert not re.search(r"L4 ?/ ?L5[^.;]*(?<!may )\bexplain", entry.text), entry.where
