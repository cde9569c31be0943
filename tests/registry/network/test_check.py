"""A share is read strictly: an edited share, one of another format, one with an unknown member
or inconsistent numbers is refused, each problem named by its path; shares made with other
definitions, the same share twice and two shares of one installation are not pooled."""

from __future__ import annotations

import json

import pytest

from cluneal.knowledge.loader import with_settings
from cluneal.registry.network import check, share


def problems(data: dict | bytes, name: str = "s.json") -> list[str]:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(check.ShareError) as caught:
        check.parse(content, name)
    return caught.value.problems


def redigest(data: dict) -> dict:
    data["digest"] = share.digest(data)
    return data


def test_a_share_reads_back(net):
    s = net.shared(1, n=300)
    assert s.label == "Synthetic 1" and s.digest.startswith("sha256:")


def test_an_edited_share_is_refused_by_its_digest(net):
    data = net.make(1, n=300)
    data["flow"]["scn"]["operated"] += 1
    assert problems(data) == [
        "s.json: digest: does not match the content: the share was changed after it was made"
    ]


def test_a_share_that_is_not_json_or_not_one_is_refused(net):
    assert "not a JSON file" in problems(b"{flow: 1")[0]
    assert problems(b"[]") == ["s.json: a share is a JSON object"]
    assert "format: must be 'cluneal-registry-share/1'" in problems({"format": "x/2"})[0]
    assert "larger than" in problems(b" " * (check.MAX_BYTES + 1))[0]


def test_unknown_and_missing_members_are_named_by_their_path(net):
    data = net.make(1, n=300)
    data["flow"]["scn"]["notes"] = "free text"
    del data["blocks"]["kuniya"]["mcn"]
    data["recurrence"]["block"]["excluded"]["the patient moved to Boston"] = 1
    found = problems(redigest(data))
    assert "s.json: flow.scn.notes: unknown member" in found
    assert "s.json: blocks.kuniya.mcn: missing" in found
    assert any(
        "recurrence.block.excluded.the patient moved to Boston: unknown reason" in p for p in found
    )


def test_counts_must_be_whole_numbers_and_life_tables_must_add_up(net):
    data = net.make(1, n=600)
    data["flow"]["mcn"]["assessed"] = 2.5
    data["blocks"]["relief"]["scn"] = [1, 2]
    data["blocks"]["kuniya"]["scn"]["over_50pct"] = data["blocks"]["kuniya"]["scn"]["blocked"] + 1
    data["questionnaires"]["odi"]["change_sd"] = -1.0
    table = data["recurrence"]["surgery"]["life_table"]
    table[1][1] += 1
    found = problems(redigest(data))
    assert "s.json: flow.mcn.assessed: must be a whole number from 0 to 1,000,000,000" in found
    assert "s.json: blocks.relief.scn: must be a list of 6 counts" in found
    assert any(p.startswith("s.json: blocks.kuniya.scn.over_50pct: more than the") for p in found)
    assert "s.json: questionnaires.odi.change_sd: must be a number from 0 to 1e+06 or null" in found
    assert any(
        p.startswith("s.json: recurrence.surgery.life_table[1]: times must rise") for p in found
    )


def test_a_small_count_shown_under_suppression_is_refused(net):
    data = net.make(1, n=300, min_cell=5)
    data["flow"]["scn"]["radiofrequency"] = 2
    assert any("2 is below min_cell 5" in p for p in problems(redigest(data)))


def test_a_withheld_count_is_refused_without_suppression(net):
    data = net.make(1, n=300)
    data["flow"]["scn"]["radiofrequency"] = None
    assert (
        "s.json: flow.scn.radiofrequency: must be a whole number from 0 to 1,000,000,000"
        in problems(redigest(data))
    )


def test_shares_made_with_another_block_definition_are_not_pooled(net):
    other = with_settings(net.pack, {"block_definition": "kiral2024"})
    a = net.shared(1, n=300)
    b = check.parse(share.dumps(net.make(2, n=300, pack=other)), "kiral.json")
    with pytest.raises(check.ShareError) as caught:
        check.compatible([a, b])
    (problem,) = caught.value.problems
    assert problem.startswith("kiral.json: definitions.block_definition is ")
    assert '"id": "kiral2024"' in problem and "cannot be pooled" in problem


def test_the_same_share_twice_and_two_shares_of_one_installation_are_refused(net):
    a = net.shared(1, n=300)
    with pytest.raises(check.ShareError, match=r"the same share as share-1\.json"):
        check.compatible([a, a])
    b = net.shared(2, n=300, label="Synthetic 1")
    with pytest.raises(check.ShareError, match="a second share of installation 'Synthetic 1'"):
        check.compatible([a, b])
    check.compatible([a, net.shared(2, n=300)])
