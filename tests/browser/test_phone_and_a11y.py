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
    assert_accessible,
    axe_violations,
    describe,
    sideways_overflow,
    vendored_axe_version,
    widest_elements,
)
from tests.browser.conftest import Live
from tests.browser.world import WebWorld

pytestmark = pytest.mark.browser

# The pages of each role, as paths built from the seeded world's ids.
PAGES: dict[str, list[Callable[[WebWorld], str]]] = {
    "anonymous": [lambda w: "/ui/login", lambda w: "/ui/cases/999999999"],
    "manager": [
        lambda w: "/ui/cases",
        lambda w: "/ui/cases?q=rolige",
        lambda w: "/ui/cases/new",
        lambda w: f"/ui/cases/{w.need_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}/assessment",
        lambda w: f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}",
        lambda w: "/ui/cases/999999999",
    ],
    "staff": [
        lambda w: "/ui/cases",
        lambda w: f"/ui/cases/{w.need_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}",
    ],
    "partner_a": [
        lambda w: "/ui/cases",
        lambda w: f"/ui/cases/{w.match_case_id}",
        lambda w: f"/ui/cases/{w.match_case_id}/proposals/{w.proposal_a_id}",
    ],
    "auditor": [
        lambda w: "/ui/audit",
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
        '<input type="text"><p style="color:#bbb;background:#fff">svag tekst</p></main></body></html>'
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
            path = path_of(live.world)
            page.goto(f"{live.url}{path}")
            overflow = sideways_overflow(page)
            if overflow:
                problems.append(f"{path} scrolls {overflow}px sideways: {widest_elements(page)}")
            violations = axe_violations(page)
            if violations:
                problems.append(f"{path} axe:\n{describe(violations)}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
