"""The public call pages in Chromium at phone width (issue 17, item 5): an unregistered
company finds the call without signing in and asks to take part with JavaScript switched off,
sees a refusal beside the field, and the lead municipality's manager approves it on
"Anmodninger", which passes axe and fits 390 px. (The public pages themselves are checked with
axe in test_phone_and_a11y.py: axe needs JavaScript, which this visitor has switched off.)"""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import PHONE, axe_violations, describe, sideways_overflow
from tests.browser.conftest import Live
from tests.browser.pages import fill
from tests.browser.test_phone_and_a11y import sign_in_as

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    assert sideways_overflow(page) == 0, page.url
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_company_asks_and_the_manager_approves(browser: Browser, live: Live) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live.url}/ui/public/calls")
        expect(page.get_by_role("heading", name="Åbne opslag")).to_be_visible()
        page.get_by_role("link", name="Rolige dage for borgere med demens").click()
        expect(page.get_by_role("heading", name="Vil din virksomhed deltage?")).to_be_visible()
        fill(
            page,
            {
                "Virksomhedens navn": "Nordlys Robotics ApS",
                "CVR-nummer": "1234",
                "Kontaktperson": "Karen Vestergaard",
                "E-mail": "karen@nordlys.example",
            },
        )
        page.get_by_role("button", name="Send anmodning").click()
        expect(page.locator("#r-cvr-error")).to_have_text("Et CVR-nummer er 8 cifre, fx 12345678.")
        expect(page.get_by_label("Virksomhedens navn")).to_have_value("Nordlys Robotics ApS")
        page.get_by_label("CVR-nummer").fill("12345678")
        page.get_by_role("button", name="Send anmodning").click()
        expect(page.get_by_test_id("flash")).to_contain_text("afventer kommunens godkendelse")
    finally:
        context.close()

    context = browser.new_context(viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_as(page, live, "manager")
        page.goto(f"{live.url}/ui/admin/requests")
        expect(page.get_by_test_id("org-request")).to_contain_text("Nordlys Robotics ApS")
        _fits(page)
        page.get_by_role("button", name="Godkend").click()
        expect(page.get_by_test_id("flash")).to_contain_text("virksomheden er oprettet")
        expect(page.get_by_test_id("org-request")).to_contain_text("Godkendt")
    finally:
        context.close()
