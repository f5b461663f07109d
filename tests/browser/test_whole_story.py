"""The whole story of an OPI project in the browser (issue 14 item 7), on SQLite and PostgreSQL.

The Furesø manager, two competing companies and an auditor, each in a browser context of their
own, take a NEW case from "Ny sag" to `completed` through the pages alone: no API call. Only the
organisations and the users' tokens are set up through the database, as a sign-up would. On the
way: an advance refused in place, a late proposal refused, company B never seeing company A's
proposal, the company signing for itself, a deadline moved and one marked met, and at the end the
auditor's verified chain. axe-core runs on every page the story visits.

Time: the submission deadline must pass during the story. The service has no test clock (and
gets no back door for one), so the manager types a deadline with seconds, a little over a minute
ahead, the way a `datetime-local` field takes it; the story waits for it only as long as needed.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlmodel import Session

from api.web.forms import LOCAL_TZ
from states.model import CaseState
from tests.browser.a11y import DESKTOP, check_page
from tests.browser.pages import opened, proposal_card
from tests.browser.server import serve
from tests.factories import DatabaseTarget, make_org
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

CASE_TITLE = "Færre fald blandt ældre i eget hjem"
CALL_TITLE = "Teknologi der forebygger fald"
PROPOSAL_A = "Faldsensor i gulvet"
PROPOSAL_B = "Træningsapp med videovejledning"
LATE_PROPOSAL = "Sent forslag om gangstativer"
# Time the story needs from publishing the call to the last proposal in time (two companies,
# every page checked by axe) on a busy two-core machine, with a margin.
SUBMISSION_WINDOW = timedelta(seconds=75)


@dataclass
class Story:
    """The running server, the users' tokens and the organisations' ids."""

    url: str
    tokens: dict[str, str]
    orgs: dict[str, int]


@dataclass
class User:
    """A person in a browser context of their own; every page they see is checked."""

    story: Story
    context: BrowserContext
    page: Page
    never_see: list[str] = field(default_factory=list)

    def seen(self, page: Page | None = None) -> None:
        """axe-core on the page as it stands; nothing this user must never see is on it."""
        page = page or self.page
        page.wait_for_load_state()
        check_page(page)
        body = page.content()
        for secret in self.never_see:
            assert secret not in body, f"{page.url} shows {secret!r}"


@pytest.fixture
def story(db: DatabaseTarget, tmp_path: Path) -> Iterator[Story]:
    """Organisations and tokens (as the CLI or an admin would make them), and the server."""
    with Session(db.engine, expire_on_commit=False) as s:
        orgs = {
            "furesoe": make_org(s, "Furesø Kommune", email="opi@furesoe.dk"),
            "ballerup": make_org(s, "Ballerup Kommune", email="innovation@balk.dk"),
            "a": make_org(s, "Faldfri ApS", "company", email="salg@faldfri.example"),
            "b": make_org(s, "TræningNu A/S", "company", email="bud@traeningnu.example"),
        }
        tokens: dict[str, str] = {}
        work = UnitOfWork(s)
        for key, name, role, org in (
            ("manager", "Mette Madsen", "manager", "furesoe"),
            ("a", "Anders Ager (Faldfri)", "partner", "a"),
            ("b", "Bente Bach (TræningNu)", "partner", "b"),
            ("auditor", "Revisor Ida Krogh", "auditor", None),
        ):
            org_id = orgs[org].id if org else None
            _, tokens[key] = create_token(
                work, SYSTEM_CLI, name=name, role=role, organisation_id=org_id
            )
        work.commit()
        ids = {key: org.id or 0 for key, org in orgs.items()}
    db.engine.dispose()
    with serve(db.url, tmp_path / "server.log") as url:
        yield Story(url, tokens, ids)


def open_user(browser: Browser, story: Story, who: str) -> User:
    """A fresh browser context, signed in through the form with `who`'s token."""
    context = browser.new_context(viewport=DESKTOP, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(20_000)
    user = User(story, context, context.new_page())
    user.page.goto(f"{story.url}/ui/")
    user.seen()
    user.page.get_by_label("Token").fill(story.tokens[who])
    user.page.get_by_role("button", name="Log ind").click()
    expect(user.page.get_by_test_id("who")).to_be_visible()
    user.seen()
    return user


def local(moment: datetime, seconds: bool = False) -> str:
    """A `datetime-local` value in Copenhagen time."""
    pattern = "%Y-%m-%dT%H:%M:%S" if seconds else "%Y-%m-%dT%H:%M"
    return moment.astimezone(LOCAL_TZ).strftime(pattern)


def fill(form: Locator, values: dict[str, str]) -> None:
    """Fill a generated section form by field name: a select gets its option, others the text."""
    for name, value in values.items():
        control = form.locator(f"[name='{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def edit_section(user: User, section: str, values: dict[str, str], checks: bool = False) -> None:
    """Open a section's "Redigér" form, fill it (and tick every box), save, check the page."""
    page = user.page
    box = page.get_by_test_id(f"section-{section}")
    if box.evaluate("e => e.tagName") == "DETAILS":
        box.locator("summary").first.click()
    box.locator("details.edit > summary").click()
    user.seen()
    form = box.locator("form")
    fill(form, values)
    if checks:
        for i in range(form.locator("input[type=checkbox]").count()):
            form.locator("input[type=checkbox]").nth(i).check()
    form.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("flash")).to_have_text("Ændringerne er gemt.")
    user.seen()


def advance(user: User, to: CaseState) -> None:
    """Press the advance button; the case is in `to`."""
    user.page.locator("button[data-trigger=advance]").click()
    expect(user.page.get_by_test_id("case-state")).to_have_text(to.label_da)
    user.seen()


def open_case(user: User) -> None:
    """From the board to the case, as a user clicks."""
    user.page.locator("nav.mainnav").get_by_role("link", name="Sager", exact=True).click()
    user.seen()
    user.page.get_by_role("link", name=CASE_TITLE).first.click()
    expect(user.page.get_by_test_id("case-title")).to_have_text(CASE_TITLE)
    user.seen()


def submit_proposal(user: User, title: str, summary: str) -> None:
    """Åbne opslag → Indsend forslag → the proposal's page."""
    page = user.page
    page.get_by_test_id("nav-calls").click()
    user.seen()
    page.get_by_test_id("call").filter(has_text=CALL_TITLE).get_by_role(
        "link", name="Indsend forslag"
    ).click()
    user.seen()
    page.get_by_label("Forslagets titel").fill(title)
    page.get_by_label("Beskrivelse af løsningen").fill(summary)
    page.get_by_role("button", name="Indsend forslag").click()
    expect(page.get_by_test_id("flash")).to_have_text("Forslaget er indsendt.")
    user.seen()


def test_a_new_case_from_ny_sag_to_completed_through_the_pages(
    browser: Browser, story: Story
) -> None:
    manager = open_user(browser, story, "manager")
    company_a = open_user(browser, story, "a")
    company_b = open_user(browser, story, "b")
    page = manager.page

    # --- Ny sag -----------------------------------------------------------------------------
    page.locator("nav.mainnav").get_by_role("link", name="Sager", exact=True).click()
    manager.seen()
    page.get_by_test_id("new-case-link").click()
    manager.seen()
    page.get_by_label("Sagens titel").fill(CASE_TITLE)
    page.get_by_label("Beskrivelse af behovet").fill(
        "Ældre i eget hjem falder, og hjælpen kommer ofte først timer senere."
    )
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_test_id("flash")).to_have_text("Sagen er oprettet.")
    expect(page.get_by_test_id("case-state")).to_have_text(CaseState.NEED.label_da)
    manager.seen()

    # A refused advance is shown in place, each unmet requirement listed; nothing changes.
    page.locator("button[data-trigger=advance]").click()
    expect(page.get_by_test_id("refusal-list")).to_contain_text("behovsejer")
    expect(page.get_by_test_id("case-state")).to_have_text(CaseState.NEED.label_da)
    manager.seen()

    edit_section(
        manager,
        "need",
        {
            "f.owner_name": "Hanne Lund",
            "f.owner_email": "hanne.lund@furesoe.dk",
            "f.target_group": "Borgere over 75 der bor alene",
            "f.expected_value": "Færre indlæggelser efter fald og mere tryghed.",
            "f.legal_track": "opi_without_tender",
        },
    )
    closes = utcnow() + SUBMISSION_WINDOW
    edit_section(
        manager,
        "call",
        {
            "f.title": CALL_TITLE,
            "f.text": "Vi søger løsninger, der opdager eller forebygger fald i eget hjem.",
            "f.criteria.0.name": "Effekt for borgerne",
            "f.criteria.0.weight": "60",
            "f.criteria.1.name": "Pris",
            "f.criteria.1.weight": "40",
            "f.submission_deadline": local(closes, seconds=True),
        },
    )
    advance(manager, CaseState.MATCH)

    # --- Two companies bid; B never sees A's proposal ------------------------------------------
    submit_proposal(company_a, PROPOSAL_A, "En sensor i gulvet melder fald til hjemmeplejen.")
    proposal_a_path = company_a.page.url.split("?")[0].removeprefix(story.url)
    company_b.never_see += [PROPOSAL_A, proposal_a_path]
    company_b.seen()  # B's "Mit overblik"

    # B opens a second tab with the form in time, and submits its own proposal in time.
    late_tab = company_b.context.new_page()
    late_tab.goto(f"{story.url}/ui/calls")
    company_b.seen(late_tab)
    late_tab.get_by_test_id("call").filter(has_text=CALL_TITLE).get_by_role(
        "link", name="Indsend forslag"
    ).click()
    company_b.seen(late_tab)
    submit_proposal(company_b, PROPOSAL_B, "Korte øvelser på tabletten styrker balancen.")
    assert utcnow() < closes, "the story was too slow for its submission window"

    # --- The deadline passes: a late proposal is refused, what was typed stays -----------------
    wait = (closes - utcnow()).total_seconds() + 1.5
    late_tab.wait_for_timeout(max(wait, 0) * 1000)
    late_tab.get_by_label("Forslagets titel").fill(LATE_PROPOSAL)
    late_tab.get_by_label("Beskrivelse af løsningen").fill("For sent, men vi prøver.")
    late_tab.get_by_role("button", name="Indsend forslag").click()
    expect(late_tab.get_by_test_id("flash")).to_contain_text("sene forslag afvises")
    expect(late_tab.get_by_label("Forslagets titel")).to_have_value(LATE_PROPOSAL)
    company_b.seen(late_tab)
    late_tab.close()
    for path in ("/ui/overview", "/ui/calls", "/ui/proposals", "/ui/deadlines", "/ui/cases"):
        company_b.page.goto(f"{story.url}{path}")
        company_b.seen()
    open_case(company_b)
    response = company_b.page.goto(f"{story.url}{proposal_a_path}")
    assert response is not None and response.status == 404
    company_b.seen()

    # --- Assess side by side and decide --------------------------------------------------------
    page.reload()
    manager.seen()
    page.get_by_test_id("to-assessment").click()
    manager.seen()
    for title, score, rationale in (
        (PROPOSAL_A, "9", "Opdager fald med det samme"),
        (PROPOSAL_B, "6", "Godt supplement, men forebygger kun"),
    ):
        card = opened(proposal_card(page, title), "Vurdér forslaget")
        scores = card.locator("input[type=number]")
        for i in range(scores.count()):
            scores.nth(i).fill(score)
        card.get_by_label("Begrundelse", exact=True).fill(rationale)
        card.get_by_role("button", name="Gem vurdering").click()
        expect(page.get_by_test_id("flash")).to_have_text("Vurderingen er gemt.")
        manager.seen()
    for title, button, rationale in (
        (PROPOSAL_A, "Vælg forslag", "Størst effekt for borgerne"),
        (PROPOSAL_B, "Afvis forslag", "Forebygger, men opdager ikke fald"),
    ):
        card = opened(proposal_card(page, title), "Beslut")
        card.get_by_label("Begrundelse for beslutningen").fill(rationale)
        card.get_by_role("button", name=button).click()
        expect(page.get_by_test_id("flash")).to_have_text("Beslutningen er gemt.")
        manager.seen()
    page.get_by_role("link", name=CASE_TITLE).first.click()
    manager.seen()
    advance(manager, CaseState.AGREEMENT)

    # --- Agreement: the company signs itself, the manager records Furesø's signature ----------
    open_case(company_a)
    sign = company_a.page.get_by_test_id("sign")
    sign.get_by_label("Underskrivers navn").fill("Anders Ager")
    sign.get_by_role("button", name="Underskriv aftalen").click()
    expect(company_a.page.get_by_test_id("flash")).to_have_text("Aftalen er underskrevet.")
    company_a.seen()

    page.reload()
    manager.seen()
    signatures = page.get_by_test_id("signatures")
    expect(signatures).to_contain_text("Faldfri ApS: Anders Ager")
    opened(signatures, "Registrér underskrift")
    signatures.get_by_label("Part").select_option(label="Furesø Kommune")
    signatures.get_by_label("Underskrivers navn").fill("Borgmester Ole Bondo")
    signatures.get_by_role("button", name="Registrér underskrift").click()
    expect(page.get_by_test_id("flash")).to_be_visible()
    manager.seen()

    # A deadline for the company: created, moved with a reason, marked met.
    deadlines = opened(page.get_by_test_id("deadlines"), "Ny frist")
    deadlines.get_by_label("Fristens titel").fill("Sensorer installeret hos ti borgere")
    deadlines.get_by_label("Frist", exact=True).fill(local(utcnow() + timedelta(days=14)))
    deadlines.get_by_label("Ansvarlig").select_option(label="Faldfri ApS")
    deadlines.get_by_role("button", name="Ny frist").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er oprettet.")
    manager.seen()
    item = opened(
        page.get_by_test_id("deadline").filter(has_text="Sensorer installeret"), "Flyt frist"
    )
    item.get_by_label("Ny dato og tid").fill(local(utcnow() + timedelta(days=21)))
    item.get_by_label("Begrundelse for flytning").fill("Leverandøren mangler sensorer til uge 12")
    item.get_by_role("button", name="Flyt frist").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er flyttet.")
    manager.seen()
    item = page.get_by_test_id("deadline").filter(has_text="Sensorer installeret")
    item.get_by_role("button", name="Marker som opfyldt").click()
    expect(page.get_by_test_id("flash")).to_have_text("Fristen er markeret som opfyldt.")
    manager.seen()

    today = date.today()
    edit_section(manager, "agreement", {}, checks=True)
    edit_section(
        manager,
        "pilot",
        {
            "f.site": "Hjemmeplejen Farum",
            "f.start_date": (today + timedelta(days=30)).isoformat(),
            "f.end_date": (today + timedelta(days=120)).isoformat(),
            "f.success_criteria.0.metric": "Fald med skade pr. måned",
            "f.success_criteria.0.baseline": "12",
            "f.success_criteria.0.target": "6",
            "f.personal_data": "false",
            "f.health_data": "false",
            "f.ethics_notification_required": "false",
        },
    )
    advance(manager, CaseState.PILOT)

    # --- Pilot, scale, completed ---------------------------------------------------------------
    edit_section(
        manager,
        "pilot",
        {
            "f.ended_at": local(utcnow() - timedelta(minutes=5)),
            "f.evaluation.outcome": "success",
            "f.evaluation.report": "Halvt så mange fald med skade; borgerne føler sig trygge.",
        },
    )
    advance(manager, CaseState.SCALE)
    edit_section(
        manager,
        "scale",
        {
            "f.knowledge_summary": "Erfaringerne er samlet i en rapport til KL.",
            "f.published_at": local(utcnow() - timedelta(minutes=5)),
            "f.adopting_municipalities.0.name": "Ballerup Kommune",
            "f.adopting_municipalities.0.organisation_id": str(story.orgs["ballerup"]),
            "f.adopting_municipalities.0.letter_of_intent_at": today.isoformat(),
            "f.purchase_route": "tender",
        },
    )
    advance(manager, CaseState.COMPLETED)

    # Company B, at the end too, sees no trace of A's proposal anywhere it can go.
    for path in ("/ui/overview", "/ui/calls", "/ui/proposals", "/ui/deadlines", "/ui/cases"):
        company_b.page.goto(f"{story.url}{path}")
        company_b.seen()

    # --- The auditor verifies the chain --------------------------------------------------------
    auditor = open_user(browser, story, "auditor")
    auditor.page.get_by_role("link", name="Revision", exact=True).click()
    expect(auditor.page.get_by_test_id("verification-ok")).to_contain_text("er intakte")
    table = auditor.page.get_by_test_id("audit-table")
    expect(table.locator("tr[data-action='case.transition']")).to_have_count(5)
    expect(table.locator("tr[data-action='deadline.moved']")).to_contain_text("uge 12")
    # Other deadlines were met by the proposals and phase changes; this one by the manager.
    met = table.locator("tr[data-action='deadline.met']").filter(has_text="Sensorer installeret")
    expect(met).to_have_count(1)
    expect(met).to_contain_text("Mette Madsen")
    auditor.seen()
    for user in (manager, company_a, company_b, auditor):
        user.context.close()
