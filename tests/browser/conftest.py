"""Fixtures of the browser tests: the service in a subprocess on the test database, Chromium."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve
from tests.browser.world import WebWorld, build_world
from tests.factories import DatabaseTarget
from workflow.core.timeutil import utcnow


@dataclass(frozen=True)
class Live:
    """A running server on a seeded test database."""

    url: str
    world: WebWorld
    db: DatabaseTarget


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, once per session."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Headless Chromium from Debian's package (never a downloaded browser)."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def live(db: DatabaseTarget, tmp_path: Path) -> Iterator[Live]:
    """The service on the parametrised test database (SQLite and PostgreSQL), seeded."""
    world = build_world(db.engine, utcnow())
    db.engine.dispose()  # the server process opens its own connections
    with serve(db.url, tmp_path / "server.log") as url:
        yield Live(url, world, db)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a Danish locale."""
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
