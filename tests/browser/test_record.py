"""The clinical record end to end in Chromium: a clinician and a patient, each in their own
browser context, against a real server."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect


def sign_in(page: Page, server: str, username: str, password: str) -> None:
    page.goto(server + "/accounts/login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/records/$"))


def stage(page: Page, nerve: str, side: str):
    return page.locator(f'#result td[data-nerve="{nerve}"][data-side="{side}"]')


def test_exam_block_and_diary_move_the_stage(page: Page, browser, server_with_demo):
    server, creds = server_with_demo
    sign_in(page, server, creds["clinician"], creds["password"])
    page.click("text=New patient")
    page.fill("#id_record_number", "E2E-001")
    page.fill("#id_birth_year", "1962")
    page.select_option("#id_sex", "female")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_have_text("Patient E2E-001")

    page.click("text=New visit")
    yesterday = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    page.fill("#date", yesterday)
    page.click('rect.region[data-view="back"][data-side="left"][data-region="buttock"]')
    page.select_option("#left_scn_tender", "yes")
    page.fill("#left_scn_distance", "70")
    page.select_option("#left_scn_reproduces", "yes")
    page.click("button:has-text('Save visit')")
    expect(stage(page, "scn", "left")).to_have_attribute("data-stage", "diagnostic_block")
    patient_url = page.url.split("/visits/")[0] + "/"

    page.goto(patient_url + "blocks/new")
    page.fill("#id_date", yesterday)
    page.select_option("#id_nerve", "scn")
    page.select_option("#id_side", "left")
    page.select_option("#id_guidance", "ultrasound")
    page.fill("#id_nrs_before", "8")
    page.fill("#id_nrs_after", "2")
    page.click("button:has-text('Save')")

    page.click("text=Send a diary or questionnaire link")
    page.select_option("#id_kind", "diary")
    page.select_option("#id_block", index=1)
    page.click("button:has-text('Create link')")
    link = page.locator("#patient-url").get_attribute("href")
    assert link and "/p/" in link

    # The patient, on a phone, with no account.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    patient = phone.new_page()
    patient.goto(link)
    expect(patient.locator("h1")).to_have_text("Your pain diary")
    patient.select_option("#date", index=0)
    patient.check('input[name="nrs"][value="3"]')
    patient.click("button:has-text('Save')")
    expect(patient.locator(".saved")).to_be_visible()
    phone.close()

    page.goto(patient_url)
    expect(stage(page, "scn", "left")).to_have_attribute("data-stage", "repeat_blocks")
    expect(stage(page, "scn", "left")).to_have_attribute("data-status", "confirmed")
    expect(page.locator(".blocks-table .relief-days").first).to_contain_text("(diary)")


def test_the_timeline_chart_and_the_pdf(page: Page, server_with_demo, tmp_path):
    server, creds = server_with_demo
    sign_in(page, server, creds["clinician"], creds["password"])
    page.fill("#q", "DEMO-012")
    page.click("button:has-text('Search')")
    page.click("text=DEMO-012")
    chart = page.locator("svg.timeline-chart")
    expect(chart).to_be_visible()
    expect(chart.locator('[data-series="nrs"]')).to_have_count(1)
    expect(chart.locator('[data-series="rmdq"]')).to_have_count(1)
    expect(chart.locator('[data-series="odi"]')).to_have_count(1)
    expect(chart.locator('[data-event="block"]')).to_have_count(4)
    with page.expect_download() as download:
        page.click("text=Summary / referral letter (PDF)")
    path = tmp_path / "summary.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")


def test_a_pasted_note_fills_a_visit_that_the_clinician_confirms(page: Page, server_with_demo):
    server, creds = server_with_demo
    sign_in(page, server, creds["clinician"], creds["password"])
    page.click("text=New patient")
    page.fill("#id_record_number", "E2E-NOTE")
    page.click("button:has-text('Save')")
    page.click("text=Read a note")
    note = "Right buttock pain for a year. Status post L5-S1 fusion in 2018. No fever."
    page.fill("#text", note)
    page.click("button:has-text('Find the findings')")
    expect(page.locator(".note-text mark")).to_have_count(2)  # fever alone is no red flag
    expect(page.locator('.note-text mark[title="buttock_pain right"]')).to_have_text(
        "buttock pain1"
    )
    fusion = page.locator('input[name=fill][value="prior=lumbar_fusion"]')
    expect(fusion).to_be_checked()
    page.uncheck('input[name=fill][value="bm_back_right=buttock"]')
    page.click("button:has-text('Open the visit form with these')")
    expect(page.locator("#notes")).to_have_value(note)
    expect(page.locator('input[name=prior][value="lumbar_fusion"]')).to_be_checked()
    page.click("button:has-text('Save visit')")
    expect(page.locator("h1")).to_contain_text("Visit of")
    expect(page.locator("main")).to_contain_text("Status post L5-S1 fusion in 2018.")
