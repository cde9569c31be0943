"""The public calculator in Chromium: live updates, the diagram, phone size, accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def cell(page: Page, nerve: str, side: str):
    return page.locator(f'#result td[data-nerve="{nerve}"][data-side="{side}"]')


def marker(page: Page, nerve: str, side: str):
    return page.locator(f'#result g.marker[data-nerve="{nerve}"][data-side="{side}"]')


def examine(page: Page, side: str, nerve: str, tender: str, distance: str, reproduces: str) -> None:
    page.select_option(f"#{side}_{nerve}_tender", tender)
    page.fill(f"#{side}_{nerve}_distance", distance)
    page.select_option(f"#{side}_{nerve}_reproduces", reproduces)


def test_filling_both_sides_changes_the_stage_and_marks_the_diagram(page: Page, server: str):
    page.goto(server + "/")
    expect(page.locator("#result .result-inner")).to_have_attribute("data-ready", "empty")
    expect(marker(page, "scn", "left")).to_have_attribute("data-finding", "not_examined")

    examine(page, "left", "scn", "yes", "70", "yes")
    expect(cell(page, "scn", "left")).to_have_attribute("data-stage", "diagnostic_block")
    expect(marker(page, "scn", "left")).to_have_attribute("data-finding", "positive")
    expect(cell(page, "scn", "right")).to_have_attribute("data-stage", "examine")

    examine(page, "right", "scn", "no", "", "")
    examine(page, "right", "mcn", "yes", "20", "no")
    expect(cell(page, "scn", "right")).to_have_attribute("data-stage", "other_causes")
    expect(marker(page, "scn", "right")).to_have_attribute("data-finding", "not_tender")
    expect(marker(page, "mcn", "right")).to_have_attribute("data-finding", "tender")

    # A positive block on the left SCN confirms it: the ladder moves on to repeat blocks.
    page.fill("#b0_date", "2026-11-02")
    page.select_option("#b0_nerve", "scn")
    page.select_option("#b0_side", "left")
    page.fill("#b0_before", "8")
    page.fill("#b0_after", "2")
    expect(cell(page, "scn", "left")).to_have_attribute("data-stage", "repeat_blocks")
    expect(cell(page, "scn", "left")).to_have_attribute("data-status", "confirmed")
    # The state is in the address: reloading shows the same result without typing.
    expect(page).to_have_url(re.compile(r"b0_before=8"))
    page.reload()
    expect(cell(page, "scn", "left")).to_have_attribute("data-stage", "repeat_blocks")


def test_a_planned_fusion_raises_the_warning_live(page: Page, server: str):
    page.goto(server + "/")
    examine(page, "left", "mcn", "yes", "25", "yes")
    page.check('input[name="planned"][value="si_joint_fusion"]')
    expect(page.locator('[data-warning="cluneal_before_surgery"]')).to_be_visible()
    page.uncheck('input[name="planned"][value="si_joint_fusion"]')
    expect(page.locator('[data-warning="cluneal_before_surgery"]')).to_have_count(0)


def test_invalid_entries_are_explained(page: Page, server: str):
    page.goto(server + "/")
    page.fill("#current_nrs", "14")
    expect(page.locator("#result .problems")).to_contain_text(
        "current_nrs: must be an integer from 0 to 10"
    )


def test_every_form_control_has_a_label(page: Page, server: str):
    page.goto(server + "/")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
             .filter(el => !el.closest('[hidden]'))
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                           && !(el.tagName === 'BUTTON' && el.textContent.trim()))
             .map(el => el.name || el.id)"""
    )
    assert unlabelled == []


def test_it_is_usable_by_keyboard(page: Page, server: str):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.focus("#left_scn_tender")
    page.keyboard.press("ArrowDown")  # "Yes"
    expect(page.locator("#left_scn_tender")).to_have_value("yes")


def test_it_fits_a_phone_screen(browser, server: str):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(server + "/?left_scn_tender=yes&left_scn_distance=70&left_scn_reproduces=yes")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.locator("svg[role=img]")).to_be_visible()
    context.close()


def test_citations_show_the_source_on_hover(page: Page, server: str):
    page.goto(server + "/?left_scn_tender=yes&left_scn_distance=70&left_scn_reproduces=yes")
    link = page.locator('#result a.cite[href="/evidence#S1"]').first
    expect(link).to_have_attribute("title", re.compile(r"Kuniya 2014"))
    link.click()
    expect(page.locator("dt#S1")).to_be_visible()
