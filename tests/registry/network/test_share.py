"""A share holds the analyses' counts, life tables and summaries, withholds small counts, and
is the same bytes for the same data."""

from __future__ import annotations

import json

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.registry import blocks, comparison, flow, questionnaires, survival
from cluneal.registry.network import share
from cluneal.registry.network.check import Share
from cluneal.registry.network.pool import withheld_counts

PACK = default_pack()


def test_a_share_holds_the_analyses_of_its_cohort(net):
    cohort = net.installation(1).cohort
    s = net.make(1)
    f = flow.cohort_flow(cohort, PACK)
    assert s["patients"] == 1500
    assert s["flow"]["scn"]["operated"] == f.n("scn", "operated")
    assert s["flow"]["any"]["treated_unconfirmed"] == f.n("any", "treated_unconfirmed")
    counts = blocks.counts_of(blocks.block_response(cohort, PACK))
    assert s["blocks"]["relief"]["mcn"] == list(counts.relief["mcn"])
    kuniya = dict(zip(share.KUNIYA_KEYS, counts.kuniya["scn"], strict=True))
    assert s["blocks"]["kuniya"]["scn"] == kuniya
    curve = survival.curves(cohort, PACK)["surgery"]
    assert s["recurrence"]["surgery"]["life_table"] == [list(r) for r in curve.life_table]
    assert s["recurrence"]["surgery"]["nerve_sides"] == curve.n
    t = comparison.compare(cohort, PACK).table
    assert list(s["surgery_by_relief"]["cells"].values()) == [t.a, t.b, t.c, t.d]
    (nrs, *_) = questionnaires.changes(cohort, PACK)
    assert s["questionnaires"]["nrs"]["patients"] == nrs.n
    assert s["questionnaires"]["nrs"]["change_mean"] == pytest.approx(nrs.mean_change()[0])


def test_it_names_the_pack_the_block_definition_and_the_version(net):
    s = net.make(1)
    assert s["format"] == "cluneal-registry-share/1"
    assert s["made_with"]["knowledge_pack"] == {"name": PACK.name, "version": PACK.version}
    assert s["made_with"]["block_definition"] == PACK.block_definition.label
    assert s["made_with"]["cluneal"] == "0.1.0"
    assert s["definitions"]["block_definition"]["id"] == "relief50"
    assert s["definitions"]["favourable_relief_days"] == 3


def test_the_digest_covers_the_content_and_the_same_data_gives_the_same_bytes(net):
    s = net.make(2)
    assert s["digest"] == share.digest(s)
    assert share.dumps(net.make(2)) == share.dumps(s)
    changed = json.loads(share.dumps(s))
    changed["flow"]["scn"]["assessed"] += 1
    assert share.digest(changed) != s["digest"]


def test_small_counts_are_withheld_and_a_small_curve_is_not_shared(net):
    s = net.make(3, n=120, min_cell=5)
    assert withheld_counts(Share(s, "x")) > 0

    def walk(value, path=""):
        if isinstance(value, dict):
            for k, x in value.items():
                if k not in ("life_table", "definitions", "made_with", "min_cell"):
                    yield from walk(x, f"{path}.{k}")
        elif isinstance(value, list):
            for i, x in enumerate(value):
                yield from walk(x, f"{path}[{i}]")
        elif isinstance(value, int) and not isinstance(value, bool):
            yield path, value

    small = [(p, x) for p, x in walk(s) if 0 < x < 5]
    assert small == []
    for kind, c in s["recurrence"].items():
        n = survival.curves(net.installation(3, 120).cohort, PACK)[kind].n
        assert (c["life_table"] is None) == (0 < n < 5), kind


def test_withheld_questionnaire_numbers_take_their_statistics_with_them(net):
    s = net.make(4, n=6, min_cell=5)
    for q in s["questionnaires"].values():
        if q["patients"] is None:
            assert q["change_mean"] is None and q["change_sd"] is None


def test_the_period_is_recorded(net):
    import datetime as dt

    s = net.make(1, start=dt.date(2020, 1, 1), end=dt.date(2020, 6, 30))
    assert s["period"] == {"from": "2020-01-01", "to": "2020-06-30"}
