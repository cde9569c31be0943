"""Registry analytics in Chromium against a real server with the demo clinic: the figures are
drawn (inline SVG under the site's Content-Security-Policy), the numbers at risk are shown,
and the downloads and bad filters behave."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

FIGURES = [
    "flow",
    "block_relief",
    "relief_duration",
    "km_block",
    "km_surgery",
    "km_radiofrequency",
    "questionnaires",
]


def sign_in_as_admin(page: Page, server: str, creds: dict[str, str]) -> None:
    page.goto(server + "/accounts/login")
    page.fill("#id_username", creds["admin"])
    page.fill("#id_password", creds["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/records/$"))


def test_the_analytics_page_draws_its_figures(page: Page, server_with_demo):
    server, creds = server_with_demo
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    sign_in_as_admin(page, server, creds)
    page.click("nav >> text=Registry")
    expect(page.locator("h1")).to_have_text("Registry analytics")
    expect(page.locator("#patients")).to_have_text(re.compile(r"^\d+$"))
    for name in FIGURES:
        svg = page.locator(f"#figure-{name} svg")
        expect(svg).to_be_visible()
        assert svg.locator("path").count() > 5, name
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, name
    # The Kaplan-Meier step line keeps its colour: CSP blocks inline styles, so colours must
    # arrive as SVG attributes, or the curve would be drawn black.
    curve_colour = page.eval_on_selector(
        '#figure-km_block svg path[stroke="#1f6f8b"]', "e => getComputedStyle(e).stroke"
    )
    assert curve_colour == "rgb(31, 111, 139)"
    assert not [m for m in console if "Content Security Policy" in m], console


def test_the_numbers_at_risk_are_shown_under_each_curve(page: Page, server_with_demo):
    server, creds = server_with_demo
    sign_in_as_admin(page, server, creds)
    page.goto(server + "/registry/")
    at_risk = page.locator("#table-km_block_at_risk table")
    expect(at_risk).to_be_visible()
    expect(at_risk.locator("tr").nth(1).locator("th")).to_have_text("At risk")
    first = at_risk.locator("tr").nth(1).locator("td").first.inner_text()
    assert int(first) >= 1
    expect(page.locator("#table-km_surgery_at_risk table")).to_be_visible()
    expect(page.locator("#e6-verdict")).to_be_visible()


def test_a_figure_downloads_as_png(page: Page, server_with_demo):
    server, creds = server_with_demo
    sign_in_as_admin(page, server, creds)
    page.goto(server + "/registry/")
    with page.expect_download() as info:
        page.locator("#figure-km_block figcaption a", has_text="PNG").click()
    download = info.value
    assert download.suggested_filename == "cluneal-registry-km_block.png"
    with open(download.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_bad_date_is_refused_naming_the_field(page: Page, server_with_demo):
    server, creds = server_with_demo
    sign_in_as_admin(page, server, creds)
    response = page.goto(server + "/registry/?from=2025-02-30")
    assert response is not None and response.status == 400
    expect(page.locator("#error-from")).to_contain_text("YYYY-MM-DD")


def _shares(directory) -> list[str]:
    from cluneal.knowledge.loader import default_pack
    from cluneal.registry.network import share
    from cluneal.registry.synth import generate

    paths = []
    for seed in (1, 2):
        made = share.make(
            generate(500, seed).cohort,
            default_pack(),
            label=f"Synthetic installation {seed}",
            min_cell=5,
            cluneal_version="0.1.0",
        )
        path = directory / f"share-{seed}.json"
        path.write_bytes(share.dumps(made))
        paths.append(str(path))
    return paths


def test_two_uploaded_shares_show_the_forest_plot_and_the_pooled_curve(
    page: Page, server_with_demo, tmp_path, axe
):
    server, creds = server_with_demo
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    sign_in_as_admin(page, server, creds)
    page.click("nav >> text=Registry")
    page.click("#share-link >> text=network page")
    expect(page.locator("h1")).to_have_text("Registry network")
    expect(page.locator("#no-shares")).to_be_visible()
    assert not (found := axe(page)), str(found)
    page.set_input_files("#share", _shares(tmp_path))
    page.click("#upload button[type=submit]")
    expect(page).to_have_url(re.compile(r"/registry/network$"))
    expect(page.locator("#table-installations tbody tr")).to_have_count(2)
    forest = page.locator("#figure-forest_scn svg")
    expect(forest).to_be_visible()
    assert forest.locator("path").count() > 5
    pooled = page.locator("#figure-km_block svg")
    expect(pooled).to_be_visible()
    colour = page.eval_on_selector(
        '#figure-km_block svg path[stroke="#1f6f8b"]', "e => getComputedStyle(e).stroke"
    )
    assert colour == "rgb(31, 111, 139)"
    expect(page.locator("#figure-km_block_installations svg")).to_be_visible()
    expect(page.locator("#e6-verdict")).to_contain_text("Mantel-Haenszel")
    assert not [m for m in console if "Content Security Policy" in m], console
    assert not (found := axe(page)), str(found)
