"""Every page, for every role, at phone width (390 px): nothing scrolls sideways and axe-core
(vendored, see tests/browser/vendor/) finds no serious or critical violation. The main steps work
with the keyboard alone, and the focused control is visibly marked.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import (
    AXE_VERSION,
    PHONE,
    axe_violations,
    focus_ring,
    problems_on,
    tab_to,
    vendored_axe_version,
)
from tests.browser.conftest import Live
from tests.browser.world import WebWorld

pytestmark = pytest.mark.browser

# The pages of each role, as paths built from the seeded world's ids.
PAGES: dict[str, list[Callable[[WebWorld], str]]] = {
    "anonymous": [
        lambda w: "/ui/login",
        lambda w: "/ui/cases/999999999",
        lambda w: "/ui/public/calls",
        lambda w: f"/ui/public/calls/{w.match_case_id}",
    ],
    "manager": [
        lambda w: "/ui/overview",
        lambda w: "/ui/deadlines",
        lambda w: "/ui/needs",
        lambda w: f"/ui/needs/{w.match_case_id}",
        lambda w: "/ui/cases",
        lambda w: "/ui/cases?q=rolige",
        lambda w: "/ui/cases/new",
        lambda w: f"/ui/cases/{w.need_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}/assessment",
        lambda w: f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}",
        lambda w: "/ui/cases/999999999",
        lambda w: "/ui/admin/requests",
        lambda w: "/ui/leaders",
        lambda w: "/ui/leaders?from=2026-13-01",
    ],
    "staff": [
        lambda w: "/ui/overview",
        lambda w: "/ui/leaders",
        lambda w: "/ui/cases",
        lambda w: f"/ui/cases/{w.need_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}",
    ],
    "partner_a": [
        lambda w: "/ui/overview",
        lambda w: "/ui/calls",
        lambda w: "/ui/proposals",
        lambda w: "/ui/deadlines",
        lambda w: "/ui/needs",
        lambda w: "/ui/cases",
        lambda w: f"/ui/cases/{w.match_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}",
        lambda w: f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}/edit",
    ],
    "partner_b": [
        lambda w: "/ui/calls",
        lambda w: f"/ui/cases/{w.match_case_id}/propose",
    ],
    "auditor": [
        lambda w: "/ui/overview",
        lambda w: "/ui/audit",
        lambda w: "/ui/leaders",
        lambda w: "/ui/cases",
        lambda w: f"/ui/cases/{w.match_case_id}",
    ],
}


def sign_in_as(page: Page, live: Live, who: str) -> None:
    """Sign in through the form (the anonymous visitor stays signed out)."""
    if who == "anonymous":
        return
    page.goto(f"{live.url}/ui/login")
    page.get_by_label("Token").fill(live.world.tokens[who])
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("main")).to_be_visible()


def test_the_vendored_axe_is_the_noted_version() -> None:
    assert vendored_axe_version() == AXE_VERSION


def test_axe_runs_and_reports_what_it_finds(page: Page) -> None:
    """The harness is not vacuous: a field without a label and pale grey text are found."""
    page.set_content(
        '<html lang="da"><head><title>x</title></head><body><main>'
        '<input type="text"><p style="color:#bbb;background:#fff">svag tekst</p>'
        "</main></body></html>"
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= found


@pytest.mark.parametrize("who", sorted(PAGES))
def test_every_page_fits_a_phone_and_passes_axe(browser: Browser, live: Live, who: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_as(page, live, who)
        problems: list[str] = []
        for path_of in PAGES[who]:
            problems += problems_on(page, live.url, path_of(live.world))
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_the_main_steps_work_with_the_keyboard_alone(page: Page, live: Live) -> None:
    """Sign in, open a case, fill a section and try to advance: Tab, typing and Enter only."""
    page.goto(f"{live.url}/ui/login")
    expect(page.locator("#token")).to_be_focused()  # the form's only field has the focus
    page.keyboard.type(live.world.tokens["manager"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mit overblik")).to_be_visible()

    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    expect(page.locator("a.skip")).to_be_focused()
    assert focus_ring(page)
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0
    tab_to(page, "nav.mainnav a[href$='/ui/cases']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("board")).to_be_visible()

    tab_to(page, f"a[href$='/cases/{live.world.need_case_id}']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("case-title")).to_be_visible()

    # Open the need's edit form with Enter on its summary, fill one field, save with Enter.
    tab_to(page, "[data-testid=section-need] details.edit > summary")
    page.keyboard.press("Enter")
    tab_to(page, "[data-testid=section-need] #f-owner_name")
    page.keyboard.type("Hanne Lund")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flash")).to_have_text("Ændringerne er gemt.")

    # The advance is refused in place; the refusal is announced (role=alert) and listed.
    tab_to(page, "button[data-trigger=advance]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("refusal-list")).to_be_visible()
    expect(page.get_by_test_id("flash")).to_have_attribute("role", "alert")
