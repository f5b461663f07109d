"""A company's main steps in headless Chromium against a real server (issue 14 item 2):
sign in to "Mit overblik", find the open call, show interest, see the deadline, submit a
proposal (a refused form keeps what was typed), edit it and withdraw it. Only the pages."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.conftest import Live
from tests.browser.pages import opened
from tests.browser.world import PROPOSAL_A, PROPOSAL_B
from tests.factories import make_org
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.core.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def new_company(live: Live) -> str:
    """A company that has not yet looked at the call; its token."""
    with Session(live.db.engine) as s:
        org = make_org(s, "NyVirk ApS", "company", email="hej@nyvirk.example")
        work = UnitOfWork(s)
        _, token = create_token(
            work, SYSTEM_CLI, name="Nina Vang (NyVirk)", role="partner", organisation_id=org.id
        )
        work.commit()
    live.db.engine.dispose()
    return token


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def test_a_company_bids_edits_and_withdraws_through_the_pages(page: Page, live: Live) -> None:
    token = new_company(live)
    page.set_viewport_size(PHONE)
    page.goto(f"{live.url}/ui/")
    expect(page).to_have_url(f"{live.url}/ui/login?next=%2Fui%2Foverview")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mit overblik")).to_be_visible()
    no_sideways_scroll(page)

    # Åbne opslag: the call with its criteria and the time left, in Danish.
    page.get_by_test_id("nav-calls").click()
    call = page.get_by_test_id("call")
    expect(call).to_have_count(1)
    expect(call.get_by_test_id("time-left")).to_contain_text("lukker om")
    expect(call).to_contain_text("%")
    no_sideways_scroll(page)
    call.get_by_role("button", name="Vis interesse").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Jeres interesse er registreret")

    # Mine frister: the call's submission deadline is the company's now.
    page.get_by_test_id("nav-deadlines").click()
    expect(page.get_by_test_id("deadline")).to_contain_text("Frist for forslag")
    expect(page.get_by_test_id("nav-deadlines")).to_contain_text("1")
    no_sideways_scroll(page)

    # Indsend forslag: a missing title is refused beside the field, the text survives.
    page.get_by_test_id("nav-calls").click()
    page.get_by_role("link", name="Indsend forslag").first.click()
    summary = "Rolige rum med lys, lyd og duft til eftermiddagen."
    page.get_by_label("Beskrivelse af løsningen").fill(summary)
    page.get_by_role("button", name="Indsend forslag").click()
    expect(page.locator("#p-title-error")).to_have_text("Skal udfyldes.")
    expect(page.get_by_label("Beskrivelse af løsningen")).to_have_value(summary)
    no_sideways_scroll(page)
    page.get_by_label("Forslagets titel").fill("Ro-rum")
    page.get_by_role("button", name="Indsend forslag").click()
    expect(page.get_by_test_id("flash")).to_have_text("Forslaget er indsendt.")
    expect(page.get_by_test_id("proposal")).to_contain_text("Ro-rum")

    # Ret forslaget, with the keyboard alone.
    page.get_by_role("link", name="Ret forslaget").focus()
    page.keyboard.press("Enter")
    title = page.get_by_label("Forslagets titel")
    title.fill("Ro-rum med duft")
    title.press("Enter")
    expect(page.get_by_test_id("flash")).to_have_text("Forslaget er rettet.")
    expect(page.get_by_test_id("proposal")).to_contain_text("Ro-rum med duft")

    # Træk forslaget tilbage: it is listed as withdrawn under Mine forslag.
    opened(page, "Træk forslaget tilbage")
    page.get_by_role("button", name="Træk forslaget tilbage").click()
    expect(page.get_by_test_id("flash")).to_have_text("Forslaget er trukket tilbage.")
    mine = page.get_by_test_id("my-proposal")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Trukket tilbage")

    # No page the company saw names a competitor's proposal.
    for path in ("/ui/overview", "/ui/calls", "/ui/proposals", "/ui/deadlines"):
        page.goto(f"{live.url}{path}")
        expect(page.locator("body")).not_to_contain_text(PROPOSAL_A)
        expect(page.locator("body")).not_to_contain_text(PROPOSAL_B)
