"""A person signs in through a SAML IdP's login page in Chromium, lands on "Mit overblik",
is refused on the next request once disabled, and is offered the IdP's logout on signing out.

The IdP is pysaml2's `Server` behind a tiny loopback app (`tests/saml_idp_app.py`) on another
site (`localhost`) than the service (`127.0.0.1`), so the browser posts the assertion
cross-site and the session cookie's SameSite=Strict is exercised as in production.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from tests.browser.a11y import PHONE, assert_accessible, assert_fits_phone
from tests.browser.server import serve
from tests.factories import DatabaseTarget, invite_person, make_org
from tests.loopback import free_port
from tests.saml_idp import TestIdp, make_key_pair
from tests.saml_idp_app import serve_idp
from workflow.access.actor import SYSTEM_CLI
from workflow.access.roles import Role
from workflow.access.users import change_user
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

ANNE = "anne@furesoe.dk"


@dataclass(frozen=True)
class SamlLive:
    """The service and the IdP, both running."""

    url: str
    idp_url: str
    db: DatabaseTarget
    user_id: int


@pytest.fixture
def saml_live(db: DatabaseTarget, tmp_path: Path) -> Iterator[SamlLive]:
    with Session(db.engine, expire_on_commit=False) as s:
        org = make_org(s, "Furesø Kommune", cvr="29189730")
        work = UnitOfWork(s)
        user = invite_person(work, "Anne Projektleder", ANNE, Role.MANAGER, org.id)
        work.commit()
        assert user.id is not None
    db.engine.dispose()
    idp_port, port = free_port(), free_port()
    idp_url = f"http://localhost:{idp_port}"
    idp = TestIdp(tmp_path, entity_id=f"{idp_url}/saml", base=idp_url)
    sp_key, sp_cert = make_key_pair(tmp_path, "sp")
    with serve(
        db.url,
        tmp_path / "server.log",
        port=port,
        OPI_BASE_URL=f"http://127.0.0.1:{port}",
        OPI_SAML_IDP_METADATA_FILE=str(idp.metadata_file),
        OPI_SAML_SP_KEY_FILE=str(sp_key),
        OPI_SAML_SP_CERT_FILE=str(sp_cert),
    ) as url:
        idp.trust_sp(httpx.get(f"{url}/saml/metadata").text)
        with serve_idp(idp, idp_port):
            yield SamlLive(url, idp_url, db, user.id)


def _sign_in(page: Page, live: SamlLive) -> None:
    """Through the service's sign-in page and the IdP's login form, to "Mit overblik"."""
    page.goto(f"{live.url}/ui/login")
    page.get_by_test_id("saml-sign-in").click()
    assert page.url.startswith(f"{live.idp_url}/sso/redirect?")
    page.get_by_label("Email").fill(ANNE)
    page.get_by_role("button", name="Sign in at the IdP").click()
    page.get_by_role("button", name="Continue to the service").click()
    page.wait_for_url(f"{live.url}/ui/overview")


def test_signing_in_through_the_idp_lands_on_the_overview(saml_live: SamlLive, page: Page) -> None:
    _sign_in(page, saml_live)
    expect(page.get_by_role("heading", name="Mit overblik")).to_be_visible()
    expect(page.get_by_test_id("who")).to_contain_text("Anne Projektleder")

    with Session(saml_live.db.engine) as s:
        work = UnitOfWork(s)
        change_user(work, SYSTEM_CLI, saml_live.user_id, status="disabled", now=utcnow())
        work.commit()
    saml_live.db.engine.dispose()
    page.goto(f"{saml_live.url}/ui/overview")
    assert "/ui/login" in page.url  # a disabled person's next request is refused


def test_signing_out_offers_the_idps_logout(saml_live: SamlLive, page: Page) -> None:
    _sign_in(page, saml_live)
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_test_id("idp-logout")).to_be_visible()
    page.get_by_role("link", name="Log også ud hos din organisations login").click()
    expect(page.get_by_role("heading", name="Test IdP: signed out")).to_be_visible()
    page.goto(f"{saml_live.url}/ui/overview")
    assert "/ui/login" in page.url


def test_saml_pages_fit_a_phone_and_pass_axe(saml_live: SamlLive, browser: Browser) -> None:
    """The sign-in page with its SAML button, the refusal page (in Danish and English) and the
    signed-out page offering the IdP's logout, at 390 px with axe-core."""
    context = browser.new_context(viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{saml_live.url}/ui/login")
        assert_fits_phone(page)
        assert_accessible(page)
        page.get_by_test_id("saml-sign-in").click()
        page.get_by_label("Email").fill(ANNE)
        page.get_by_role("button", name="Sign in at the IdP").click()
        # A tampered answer: the signed assertion's content no longer matches its signature.
        page.locator("input[name=SAMLResponse]").evaluate(
            "e => { e.value = btoa(atob(e.value).replace('Anne Projektleder', 'Mallory')) }"
        )
        page.get_by_role("button", name="Continue to the service").click()
        expect(page.get_by_role("heading", name="Du blev ikke logget ind")).to_be_visible()
        expect(page.get_by_role("heading", name="You were not signed in")).to_be_visible()
        assert_fits_phone(page)
        assert_accessible(page)
        _sign_in(page, saml_live)
        page.get_by_role("button", name="Log ud").click()
        expect(page.get_by_test_id("idp-logout")).to_be_visible()
        assert_fits_phone(page)
        assert_accessible(page)
    finally:
        context.close()
