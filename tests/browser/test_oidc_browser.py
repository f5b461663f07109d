"""Signing in through a real OpenID provider's login page in headless Chromium (issue 16).

The provider is npm `oidc-provider` on loopback (tests/oidc_support.py); the service runs in
uvicorn on the port the provider knows as its redirect address. No token, no shortcut: the
person clicks the provider's button, logs in and consents there, and lands on "Mit overblik".
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from sqlmodel import Session, col

from tests.browser.a11y import PHONE, problems_on
from tests.browser.server import serve
from tests.browser.world import build_world
from tests.factories import DatabaseTarget, invite_person, personal_token
from tests.oidc_support import FURESOE_CVR, RealProvider, start_real_provider
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, Role

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealProvider]:
    yield from start_real_provider(tmp_path_factory.mktemp("oidc-browser"))


def test_person_signs_in_at_the_provider_and_lands_on_the_overview(
    page: Page, db: DatabaseTarget, real_provider: RealProvider, tmp_path: Path
) -> None:
    build_world(db.engine, utcnow())
    with Session(db.engine) as s:
        s.execute(
            update(Organisation)
            .where(col(Organisation.name) == "Furesø Kommune")
            .values(cvr=FURESOE_CVR, sso_creates_users=True)
        )
        s.commit()
    db.engine.dispose()
    port = real_provider.browser_port
    env = real_provider.env(redirect_base=f"http://127.0.0.1:{port}")
    with serve(db.url, tmp_path / "server.log", port=port, **env) as url:
        page.goto(f"{url}/ui/overview")
        expect(page).to_have_url(f"{url}/ui/login?next=%2Fui%2Foverview")
        page.get_by_role("link", name="Log ind med Test-IdP").click()

        # The provider's own pages: login, then consent.
        page.locator("input[name=login]").fill("mette")
        page.locator("input[name=password]").fill("hemmeligt")
        page.locator("button[type=submit]").click()
        page.locator("button[type=submit]").click()

        expect(page).to_have_url(f"{url}/ui/overview")
        expect(page.get_by_role("heading", name="Mit overblik")).to_be_visible()
        expect(page.get_by_test_id("who")).to_contain_text("Mette Sørensen")

        # Signing out here offers the provider's logout too.
        page.get_by_role("button", name="Log ud").click()
        expect(page.get_by_test_id("provider-logout")).to_be_visible()
        page.goto(f"{url}/ui/overview")
        expect(page).to_have_url(f"{url}/ui/login?next=%2Fui%2Foverview")


def test_admin_users_and_sign_in_pages_fit_a_phone_and_pass_axe(
    browser: Browser, db: DatabaseTarget, real_provider: RealProvider, tmp_path: Path
) -> None:
    """The users page (as an admin), the sign-in page with its provider button and the
    refusal page, at 390 px: nothing scrolls sideways, axe finds nothing serious."""
    build_world(db.engine, utcnow())
    with Session(db.engine, expire_on_commit=False) as s:
        work = UnitOfWork(s)
        admin = invite_person(work, "Ada Administrator", "ada@opi.example", Role.ADMIN)
        token = personal_token(work, admin)
        work.commit()
    db.engine.dispose()
    port = real_provider.browser_port
    env = real_provider.env(redirect_base=f"http://127.0.0.1:{port}")
    context = browser.new_context(viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        with serve(db.url, tmp_path / "server.log", port=port, **env) as url:
            problems: list[str] = []

            def check(path: str) -> None:
                problems.extend(problems_on(page, url, path))

            check("/ui/login")
            expect(page.get_by_role("link", name="Log ind med Test-IdP")).to_be_visible()
            check("/ui/login/oidc/callback?code=x&state=y")  # no sign-in started: refused
            expect(page.get_by_test_id("refusal")).to_contain_text("Start forfra")
            page.goto(f"{url}/ui/login")
            page.get_by_label("Token").fill(token)
            page.get_by_role("button", name="Log ind", exact=True).click()
            expect(page.get_by_role("heading", name="Mit overblik")).to_be_visible()
            check("/ui/admin/users")
            expect(page.get_by_test_id("user")).not_to_have_count(0)
            assert not problems, "\n".join(problems)
    finally:
        context.close()
