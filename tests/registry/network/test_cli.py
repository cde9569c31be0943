"""``cluneal research share --synthetic`` and ``cluneal research pool``: a share per
installation, the pooled tables and figures, and exit status 2 with the reason for every share
that cannot be pooled (nothing is written then)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from cluneal.cli import cli
from cluneal.knowledge.loader import with_settings
from cluneal.registry.network import share


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, ["research", *args], catch_exceptions=False)


@pytest.fixture
def two_shares(run, tmp_path):
    paths = []
    for seed in (1, 2):
        path = tmp_path / f"share-{seed}.json"
        result = run("share", "--synthetic", "600", "--seed", str(seed), "--min-cell", "0",
                     "--out", str(path))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert f"Share of Synthetic installation, seed {seed} written to {path}" in result.output
        paths.append(path)
    return paths


def test_two_shares_pool_into_tables_figures_and_a_summary(run, two_shares, tmp_path):
    out = tmp_path / "pooled"
    result = run("pool", *map(str, two_shares), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Cluneal registry network: 2 installations" in result.output
    assert "Mantel-Haenszel odds ratio" in result.output
    names = {p.name for p in out.iterdir()}
    for name in ("forest_scn", "forest_e6", "km_block", "km_surgery_installations", "flow"):
        assert {f"{name}.svg", f"{name}.png", f"{name}.pdf"} <= names, name
    assert {"installations.csv", "surgery_by_relief.csv", "block_response_meta.csv"} <= names
    with (out / "flow.csv").open() as f:
        flow = {row["step"]: row for row in csv.DictReader(f)}
    shares = [json.loads(p.read_text()) for p in two_shares]
    assert int(flow["Operated"]["scn_n"]) == sum(s["flow"]["scn"]["operated"] for s in shares)


def test_an_edited_share_is_refused_with_exit_2_and_nothing_is_written(run, two_shares, tmp_path):
    data = json.loads(two_shares[0].read_text())
    data["surgery_by_relief"]["cells"]["long_good"] += 3
    two_shares[0].write_text(json.dumps(data))
    out = tmp_path / "pooled"
    result = run("pool", *map(str, two_shares), "--out", str(out))
    assert result.exit_code == 2
    assert f"{two_shares[0]}: digest: does not match the content" in result.output
    assert not out.exists()


def test_a_share_of_another_block_definition_is_refused_with_exit_2(run, two_shares, tmp_path, net):
    other = with_settings(net.pack, {"block_definition": "kiral2024"})
    path = tmp_path / "kiral.json"
    path.write_bytes(share.dumps(net.make(3, n=300, pack=other)))
    result = run("pool", str(two_shares[0]), str(path), "--out", str(tmp_path / "pooled"))
    assert result.exit_code == 2
    assert f"{path}: definitions.block_definition is " in result.output
    assert "cannot be pooled" in result.output


def test_unreadable_shares_exit_2_naming_the_file(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("pool", str(bad), str(tmp_path / "missing.json"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert f"{bad}: not a JSON file" in result.output
    assert f"{tmp_path / 'missing.json'}: cannot read" in result.output


def test_bad_share_options_exit_2_naming_the_option(run, tmp_path):
    cases = [
        (("--out", str(tmp_path / "no" / "dir" / "s.json")), "--out"),
        (("--out", str(tmp_path)), "--out"),
        (("--out", str(tmp_path / "s.json"), "--from", "2020-13-01"), "--from"),
        (("--out", str(tmp_path / "s.json"), "--site", "Nowhere"), "--site"),
        (("--out", str(tmp_path / "s.json"), "--min-cell", "-1"), "--min-cell"),
    ]
    for args, option in cases:
        result = run("share", "--synthetic", "10", *args)
        assert result.exit_code == 2, (args, result.output)
        assert option in result.output, (args, result.output)
    assert not (tmp_path / "s.json").exists()


def test_the_default_min_cell_is_the_registry_setting(run, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUNEAL_REGISTRY_MIN_CELL", "7")
    path = tmp_path / "s.json"
    assert run("share", "--synthetic", "50", "--out", str(path)).exit_code == 0
    assert json.loads(path.read_text())["min_cell"] == 7
