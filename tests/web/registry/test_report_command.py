"""``cluneal report`` on the database: site by name or slug, audited, bad input exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cluneal.cli import cli
from cluneal.web.audit.models import AuditEvent


@pytest.fixture
def run(cast):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["report", *args], catch_exceptions=False)

    return invoke


def test_it_reports_every_site_by_default(run):
    result = run()
    assert result.exit_code == 0, result.output
    assert "Site A, Site B, Site C" in result.output
    assert "Patients: 9" in result.output


def test_a_site_is_chosen_by_name_or_by_slug(run):
    for name in ("Site B", "site-b"):
        result = run("--site", name)
        assert result.exit_code == 0, result.output
        assert "Cluneal registry report: Site B;" in result.output
        assert "Patients: 6" in result.output


def test_it_writes_the_files_and_audits_the_export(run, tmp_path):
    before = AuditEvent.objects.count()
    result = run("--site", "Site A", "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "km_surgery.pdf").read_bytes().startswith(b"%PDF-")
    (event,) = AuditEvent.objects.order_by("id")[before:]
    assert (event.action, event.actor, event.site.name) == ("export", "command line", "Site A")


def test_an_unknown_site_exits_2_naming_the_option(run):
    result = run("--site", "Nowhere")
    assert result.exit_code == 2
    assert "--site: no site is named 'Nowhere'" in result.output
    assert "'Site A' (site-a)" in result.output
