"""The manager's main steps in headless Chromium: "Ny sag", a participant, deadlines, and the
assessment page, through the pages alone (no API call), with the keyboard where a user would.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from api.web.forms import LOCAL_TZ
from tests.browser.conftest import Live
from tests.browser.pages import fill, opened
from tests.browser.test_web_browser import sign_in
from tests.browser.world import MATCH_CASE_TITLE, PROPOSAL_A, PROPOSAL_B
from workflow.core.timeutil import utcnow

pytestmark = pytest.mark.browser


def local(days: int) -> str:
    """A `datetime-local` value `days` from now, in Copenhagen time."""
    return (utcnow() + timedelta(days=days)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def test_manager_starts_a_case_invites_and_keeps_its_deadlines(page: Page, live: Live) -> None:
    sign_in(page, live, "manager")
    page.get_by_test_id("new-case-link").click()
    expect(page.get_by_role("heading", name="Ny sag")).to_be_visible()

    # A refusal keeps what was typed and says what is wrong beside the field.
    fill(page, {"Behovsejer (navn)": "Hanne Lund", "Behovsejer (e-mail)": "ikke en adresse"})
    page.get_by_role("button", name="Opret sag").click()
    expect(page.locator("#new-title-error")).to_have_text("Skal udfyldes.")
    expect(page.get_by_label("Behovsejer (navn)")).to_have_value("Hanne Lund")
    fill(
        page, {"Sagens titel": "Færre fald i eget hjem", "Behovsejer (e-mail)": "hanne@furesoe.dk"}
    )
    page.get_by_label("Sagens titel").press("Enter")  # submitting with the keyboard
    expect(page.get_by_test_id("flash")).to_have_text("Sagen er oprettet.")
    expect(page.get_by_test_id("case-title")).to_have_text("Færre fald i eget hjem")

    # Invite a company from the searched list.
    participants = opened(page.get_by_test_id("participants"), "Tilføj deltager")
    participants.get_by_label("Søg organisation").fill("rolig")
    participants.get_by_role("button", name="Søg").click()
    participants = page.get_by_test_id("participants")
    participants.get_by_label("Organisation", exact=True).select_option(
        label="RoligRum ApS (virksomhed)"
    )
    participants.get_by_label("Rolle").select_option("partner")
    participants.get_by_role("button", name="Tilføj deltager").click()
    expect(page.get_by_test_id("flash")).to_have_text("Deltageren er tilføjet.")
    expect(page.get_by_test_id("participant").filter(has_text="RoligRum ApS")).to_contain_text(
        "Partner"
    )

    # "Ny frist", then "Flyt frist" with a reason, then "Marker som opfyldt".
    deadlines = opened(page.get_by_test_id("deadlines"), "Ny frist")
    deadlines.get_by_label("Fristens titel").fill("Besøg på plejecentret")
    deadlines.get_by_label("Frist", exact=True).fill(local(5))
    deadlines.get_by_label("Ansvarlig").select_option(label="RoligRum ApS")
    deadlines.get_by_role("button", name="Ny frist").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er oprettet.")
    item = opened(
        page.get_by_test_id("deadline").filter(has_text="Besøg på plejecentret"), "Flyt frist"
    )
    item.get_by_label("Ny dato og tid").fill(local(12))
    item.get_by_role("button", name="Flyt frist").click()
    expect(page.locator("[id^=move-][id$=-reason-error]")).to_have_text("Skal udfyldes.")
    item = page.get_by_test_id("deadline").filter(has_text="Besøg på plejecentret")
    item.get_by_label("Begrundelse for flytning").fill("Plejecentret holder lukket i uge 7")
    item.get_by_role("button", name="Flyt frist").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er flyttet.")
    item = page.get_by_test_id("deadline").filter(has_text="Besøg på plejecentret")
    item.get_by_role("button", name="Marker som opfyldt").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er markeret som opfyldt.")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li[data-action='deadline.moved']")).to_contain_text(
        "Plejecentret holder lukket i uge 7"
    )
    expect(timeline.locator("li[data-action='deadline.met']")).to_have_count(1)


def test_manager_assesses_and_decides_side_by_side(page: Page, live: Live) -> None:
    sign_in(page, live, "manager")
    page.get_by_role("link", name=MATCH_CASE_TITLE).click()
    page.get_by_test_id("to-assessment").click()
    table = page.get_by_test_id("side-by-side")
    expect(table).to_contain_text(PROPOSAL_A)
    expect(table).to_contain_text(PROPOSAL_B)

    card = opened(page.get_by_test_id(f"proposal-{live.world.proposal_a_id}"), "Vurdér forslaget")
    scores = card.locator("input[type=number]")
    for i in range(scores.count()):
        scores.nth(i).fill("12" if i == 0 else "8")
    card.get_by_label("Begrundelse", exact=True).fill("Stærk effekt, rimelig pris")
    card.get_by_role("button", name="Gem vurdering").click()
    card = page.get_by_test_id(f"proposal-{live.world.proposal_a_id}")
    expect(card.locator("p.error").first).to_have_text("Værdien er uden for det tilladte interval.")
    expect(card.get_by_label("Begrundelse", exact=True)).to_have_value("Stærk effekt, rimelig pris")
    card.locator("input[type=number]").first.fill("8")
    card.get_by_role("button", name="Gem vurdering").click()
    expect(page.get_by_test_id("flash")).to_have_text("Vurderingen er gemt.")
    expect(page.get_by_test_id(f"total-{live.world.proposal_a_id}")).to_have_text("8,0")

    card = opened(page.get_by_test_id(f"proposal-{live.world.proposal_a_id}"), "Beslut")
    card.get_by_label("Begrundelse for beslutningen").fill("Bedste løsning for beboerne")
    card.get_by_role("button", name="Vælg forslag").click()
    expect(page.get_by_test_id("flash")).to_have_text("Beslutningen er gemt.")
    expect(page.get_by_test_id("side-by-side")).to_contain_text("Valgt")
