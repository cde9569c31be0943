"""The patients' self-check in Chromium: fill it in, see the result and the way on; a red flag
gives the urgent message; it works without JavaScript and leaves no cookie behind."""

from __future__ import annotations

from playwright.sync_api import Page, expect

FLAGS = [
    "saddle_anaesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "suspected_infection",
    "suspected_malignancy",
    "suspected_fracture",
]


def fill_typical(page: Page) -> None:
    """Low back and buttock pain, the crest spot reproduces it, worse on walking, long-lasting."""
    page.get_by_label("Low back").check()
    page.get_by_label("Buttock", exact=True).check()
    page.check('input[name="press_crest"][value="yes"]')
    page.check('input[name="press_sacrum"][value="unsure"]')
    page.get_by_label("Walking").check()
    page.get_by_label("3 months or more").check()
    for flag in FLAGS:
        page.check(f'input[name="flag_{flag}"][value="no"]')


def test_a_typical_pattern_leads_to_the_clinician_and_the_directory(page: Page, server: str):
    page.goto(server + "/learn/self-check")
    fill_typical(page)
    page.get_by_role("button", name="See my result").click()

    result = page.locator("#result")
    expect(result).to_have_attribute("data-outcome", "ask")
    expect(result.get_by_role("heading")).to_have_text("This is worth asking your clinician about")
    directory = result.get_by_role("link", name="Find a clinician who knows this condition")
    expect(directory).to_be_visible()
    expect(directory).to_have_attribute("href", "/directory/")
    # The answers stay on the page to change, and the address carries none of them.
    expect(page.locator('input[name="press_crest"][value="yes"]')).to_be_checked()
    assert page.url == server + "/learn/self-check"


def test_a_red_flag_answer_shows_the_urgent_message(page: Page, server: str):
    page.goto(server + "/learn/self-check")
    fill_typical(page)
    page.check('input[name="flag_saddle_anaesthesia"][value="yes"]')
    page.get_by_role("button", name="See my result").click()

    result = page.locator("#result")
    expect(result).to_have_attribute("data-outcome", "urgent")
    expect(result.get_by_role("heading")).to_have_text("Please get medical help urgently")
    expect(result).to_contain_text("Go to an emergency department now")
    expect(result).to_contain_text("numbness around your bottom, genitals or inner thighs")
    expect(page.get_by_text("This is worth asking your clinician about")).to_have_count(0)


def test_an_atypical_pattern_says_so(page: Page, server: str):
    page.goto(server + "/learn/self-check")
    fill_typical(page)
    page.get_by_label("Low back").uncheck()
    page.get_by_label("Buttock", exact=True).uncheck()
    page.get_by_label("Leg (thigh, calf or foot)").check()
    page.check('input[name="press_crest"][value="no"]')
    page.check('input[name="press_sacrum"][value="no"]')
    page.get_by_role("button", name="See my result").click()
    expect(page.locator("#result")).to_have_attribute("data-outcome", "atypical")
    expect(page.locator("#result h2")).to_contain_text("does not sound like the typical pattern")


def test_the_self_check_works_without_javascript_and_sets_no_cookie(browser, server: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + "/learn/")
        page.get_by_role("link", name="Take the self-check").click()
        fill_typical(page)
        page.get_by_role("button", name="See my result").click()
        expect(page.locator("#result")).to_have_attribute("data-outcome", "ask")
        assert context.cookies() == []
    finally:
        context.close()


def test_a_missing_answer_is_named_and_nothing_else_is_lost(page: Page, server: str):
    page.goto(server + "/learn/self-check")
    fill_typical(page)
    # The browser asks for an unanswered radio question itself; remove that check to see the
    # server's own message, as an old browser would.
    page.evaluate("document.querySelector('form.self-check').noValidate = true")
    page.evaluate(
        "document.querySelectorAll('input[name=duration]').forEach(e => e.checked = false)"
    )
    page.get_by_role("button", name="See my result").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("How long have you had this pain?")
    expect(problems).to_contain_text("Please answer this question.")
    expect(page.locator("#result")).to_have_count(0)
    expect(page.get_by_label("Walking")).to_be_checked()


def test_every_control_of_the_self_check_has_a_label(page: Page, server: str):
    page.goto(server + "/learn/self-check")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                           && !(el.tagName === 'BUTTON' && el.textContent.trim()))
             .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
