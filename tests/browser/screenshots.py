"""Take the README's screenshots of the pages with the demo data.

    .venv/bin/python -m tests.browser.screenshots [docs/screenshots]

Migrates a throw-away SQLite database, loads `opi demo`'s data, serves it with uvicorn and
photographs the board and a case page in headless Chromium (Debian's package), signed in as
the demo project manager, in Danish.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from api.demo import load_demo
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve
from workflow.access.tokens import DEMO_TOKENS
from workflow.core.db import make_engine
from workflow.core.migrate import upgrade

CASE_TITLE = "Rolige og trygge dage for borgere med demens på Plejehjemmet Svanepunktet"
VIEWPORT = {"width": 1440, "height": 960}


def take(target: Path) -> list[Path]:
    """Write board.png and case.png into `target`; the paths written."""
    target.mkdir(parents=True, exist_ok=True)
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
            context = browser.new_context(
                viewport=VIEWPORT, locale="da-DK", timezone_id="Europe/Copenhagen"
            )
            page = context.new_page()
            page.goto(f"{base}/ui/login")
            page.get_by_label("Token").fill(DEMO_TOKENS["manager"])
            page.get_by_role("button", name="Log ind").click()
            page.get_by_test_id("board").wait_for()
            board = target / "board.png"
            box = page.get_by_test_id("board").bounding_box()
            height = min(VIEWPORT["height"], int(box["y"] + box["height"] + 32) if box else 960)
            page.screenshot(path=board, clip={"x": 0, "y": 0, "width": 1440, "height": height})
            page.get_by_role("link", name=CASE_TITLE).click()
            page.get_by_test_id("checklist").wait_for()
            case = target / "case.png"
            page.screenshot(path=case)
            browser.close()
    return [board, case]


if __name__ == "__main__":
    for written in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(written)
