"""End-to-end tests of the web pages in headless Chromium against a real server.

Each test runs on SQLite and on PostgreSQL (the `db` fixture), against uvicorn in a
subprocess, driven through the pages exactly as a user would: no API calls, no shortcuts.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.web.forms import LOCAL_TZ
from tests.browser.conftest import Live
from tests.browser.pages import fill, opened
from tests.browser.world import MATCH_CASE_TITLE, NEED_CASE_TITLE, PROPOSAL_A, PROPOSAL_B
from workflow.core.timeutil import utcnow

pytestmark = pytest.mark.browser


def sign_in(page: Page, live: Live, who: str) -> None:
    """Sign in through the form with the token of `who`."""
    page.goto(f"{live.url}/ui/cases")
    expect(page).to_have_url(f"{live.url}/ui/login?next=%2Fui%2Fcases")
    page.get_by_label("Token").fill(live.world.tokens[who])
    page.get_by_role("button", name="Log ind").click()


def test_manager_fills_the_need_and_advances_the_case(page: Page, live: Live) -> None:
    sign_in(page, live, "manager")
    expect(page.get_by_role("heading", name="Sager")).to_be_visible()

    # Find the case with the search box.
    page.get_by_label("Søg").fill("rolige eftermiddage")
    page.get_by_role("button", name="Filtrér").click()
    expect(page.get_by_test_id("case-card")).to_have_count(1)
    page.get_by_role("link", name=NEED_CASE_TITLE).click()
    expect(page.get_by_test_id("case-title")).to_have_text(NEED_CASE_TITLE)
    expect(page.get_by_test_id("stepper").locator("[aria-current=step]")).to_contain_text("Behov")

    # The checklist of the next step shows what is missing, in Danish.
    owner = page.locator("[data-testid=checklist] li[data-code='need.owner']")
    expect(owner).to_have_class("unmet")
    expect(owner).to_contain_text("Behovet mangler en behovsejer med navn og e-mail.")

    # Advancing now is refused on the page itself, listing every unmet requirement.
    page.locator("button[data-trigger=advance]").click()
    refusal = page.get_by_test_id("refusal-list")
    expect(refusal).to_contain_text("Behovet mangler en behovsejer med navn og e-mail.")
    expect(refusal).to_contain_text("Opslaget er ikke klar")
    expect(page.get_by_test_id("case-state")).to_have_text("Behov")

    # Fill the need.
    need = opened(page.get_by_test_id("section-need"), "Redigér")
    fill(
        need,
        {
            "Behovsejer (navn)": "Hanne Lund",
            "Behovsejer (e-mail)": "svanepunktet@furesoe.dk",
            "Forventet værdi": "Roligere dage og et bedre arbejdsmiljø.",
        },
    )
    need.get_by_label("Juridisk spor").select_option("opi_without_tender")
    need.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("flash")).to_have_text("Ændringerne er gemt.")
    expect(owner).to_have_class("met")

    # Fill the call: title, text, weighted criteria and a deadline five weeks ahead.
    deadline = (utcnow() + timedelta(days=35)).astimezone(LOCAL_TZ)
    call = opened(page.get_by_test_id("section-call"), "Redigér")
    fill(
        call,
        {
            "Opslagets titel": "Rolige dage for borgere med demens",
            "Opslagstekst": "Vi søger løsninger, der skaber ro og tryghed.",
        },
    )
    call.locator("#f-criteria-0-name").fill("Effekt for borgerne")
    call.locator("#f-criteria-0-weight").fill("70")
    call.locator("#f-criteria-1-name").fill("Pris")
    call.locator("#f-criteria-1-weight").fill("30")
    call.get_by_label("Frist for forslag").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    call.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("flash")).to_have_text("Ændringerne er gemt.")
    expect(page.locator("[data-testid=checklist] li.unmet")).to_have_count(0)

    # Advance: the case is in match, the stepper says so and the audit trail records it.
    page.locator("button[data-trigger=advance]").click()
    expect(page.get_by_test_id("flash")).to_have_text("Sagen er nu i fasen Match.")
    expect(page.get_by_test_id("case-state")).to_have_text("Match")
    expect(page.get_by_test_id("stepper").locator("[aria-current=step]")).to_contain_text("Match")
    newest = page.get_by_test_id("timeline").locator("li.event").first
    expect(newest).to_have_attribute("data-action", "case.transition")
    expect(newest).to_contain_text("Behov → Match")
    expect(newest).to_contain_text("Mette Madsen")
    refused = page.get_by_test_id("timeline").locator("li[data-action='case.transition_refused']")
    expect(refused).to_contain_text("Faseskift afvist")


def test_auditor_sees_the_verification_and_exports(page: Page, live: Live, tmp_path: Path) -> None:
    sign_in(page, live, "auditor")
    expect(page).to_have_url(f"{live.url}/ui/audit")
    expect(page.get_by_test_id("verification-ok")).to_contain_text("er intakte")
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tr[data-action='case.transition']")).to_have_count(1)

    page.get_by_label("Handling").select_option("proposal.submitted")
    page.get_by_role("button", name="Filtrér").click()
    expect(table.locator("tbody tr")).to_have_count(2)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    target = tmp_path / "audit.csv"
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,chain,case_id,seq,at,")
    assert len(lines) == 3 and all("proposal.submitted" in line for line in lines[1:])


def test_partner_cannot_open_a_competitors_proposal(page: Page, live: Live) -> None:
    world = live.world
    sign_in(page, live, "partner_a")

    # The board shows the published call, not the municipality's case still in need.
    expect(page.get_by_role("link", name=MATCH_CASE_TITLE)).to_be_visible()
    expect(page.get_by_role("link", name=NEED_CASE_TITLE)).to_have_count(0)

    page.get_by_role("link", name=MATCH_CASE_TITLE).click()
    proposals = page.get_by_test_id("proposals")
    expect(proposals).to_contain_text(PROPOSAL_A)
    expect(proposals).not_to_contain_text(PROPOSAL_B)
    expect(page.get_by_test_id("timeline")).to_have_count(0)

    proposals.get_by_role("link", name=PROPOSAL_A).click()
    expect(page.get_by_test_id("proposal")).to_contain_text(PROPOSAL_A)

    competitor = f"{live.url}/ui/cases/{world.match_case_id}/proposals/{world.proposal_b_id}"
    response = page.goto(competitor)
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("error-message")).to_have_text("Siden eller sagen findes ikke.")
    expect(page.locator("body")).not_to_contain_text(PROPOSAL_B)

    response = page.goto(f"{live.url}/ui/cases/{world.need_case_id}")
    assert response is not None and response.status == 404

    # The English switch keeps the user where they are.
    page.goto(f"{live.url}/ui/cases/{world.match_case_id}")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Proposals")).to_be_visible()
    expect(page).to_have_url(f"{live.url}/ui/cases/{world.match_case_id}")
