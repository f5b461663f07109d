"""Take the README's screenshots of the pages with the demo data (`make screenshots`).

    .venv/bin/python -m tests.browser.screenshots [docs/screenshots]

Migrates a throw-away SQLite database, loads `opi demo`'s data, serves it with uvicorn and
photographs, in headless Chromium (Debian's package) and in Danish, at desktop width and at
phone width (390 px): the project manager's "Mit overblik", a case page and its assessment
page, and the partner's page of open calls. The PNGs are reduced to a 256-colour palette
(Pillow) so the README stays light in the repository.
"""

import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from api.demo import load_demo
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve
from workflow.access.roles import Role
from workflow.access.tokens import DEMO_TOKENS
from workflow.core.db import make_engine
from workflow.core.migrate import upgrade

CASE_TITLE = "Rolige og trygge dage for borgere med demens på Plejehjemmet Svanepunktet"
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
MAX_HEIGHT = 2400
"""A long page is cut here: the top of a page is what a reader of the README needs."""


def _signed_in(browser: Browser, base: str, role: Role, viewport: ViewportSize) -> Page:
    """A fresh page signed in with `role`'s demo token, landed on Mit overblik."""
    context = browser.new_context(
        viewport=viewport, locale="da-DK", timezone_id="Europe/Copenhagen"
    )
    page = context.new_page()
    page.goto(f"{base}/ui/login")
    page.get_by_label("Token").fill(DEMO_TOKENS[role])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}/ui/**")
    return page


def _shoot(page: Page, path: Path) -> Path:
    """The page (up to MAX_HEIGHT) into `path`, as a palette PNG."""
    size = page.viewport_size or DESKTOP
    height = min(MAX_HEIGHT, int(page.evaluate("document.documentElement.scrollHeight")))
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": size["width"], "height": height}
    )
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path


def take(target: Path) -> list[Path]:
    """Write overview, case, assessment and calls PNGs (desktop and phone) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        upgrade(url)
        engine = make_engine(url)
        load_demo(engine)
        engine.dispose()
        # The demo tokens work only in development.
        served = serve(url, Path(tmp) / "server.log", OPI_ENVIRONMENT="development")
        with served as base, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width, viewport in WIDTHS.items():
                page = _signed_in(browser, base, Role.MANAGER, viewport)
                page.goto(f"{base}/ui/overview")
                written.append(_shoot(page, target / f"overview-{width}.png"))
                page.goto(f"{base}/ui/cases")
                page.get_by_role("link", name=CASE_TITLE).first.click()
                page.get_by_test_id("checklist").wait_for()
                case_url = page.url
                written.append(_shoot(page, target / f"case-{width}.png"))
                page.goto(f"{case_url}/assessment")
                written.append(_shoot(page, target / f"assessment-{width}.png"))
                partner = _signed_in(browser, base, Role.PARTNER, viewport)
                partner.goto(f"{base}/ui/calls")
                written.append(_shoot(partner, target / f"calls-{width}.png"))
            browser.close()
    return written


if __name__ == "__main__":
    for path in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path, path.stat().st_size)
