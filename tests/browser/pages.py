"""Page helpers shared by the browser tests."""

from playwright.sync_api import Locator, Page


def opened(section: Page | Locator, summary: str) -> Page | Locator:
    """`section` with its disclosure named `summary` opened (a click on the <summary>), so
    the form inside it can be filled."""
    section.locator("summary", has_text=summary).click()
    return section


def proposal_card(page: Page, title: str) -> Locator:
    """The card of the proposal titled `title` on the assessment page."""
    return page.locator("section[data-testid^=proposal-]").filter(has_text=title)
