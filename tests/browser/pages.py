"""Page helpers shared by the browser tests."""

from playwright.sync_api import Locator, Page


def opened(section: Page | Locator, summary: str) -> Page | Locator:
    """`section` with its disclosure named `summary` opened (a click on the <summary>), so
    the form inside it can be filled."""
    section.locator("summary", has_text=summary).click()
    return section


def fill(form: Page | Locator, fields: dict[str, str]) -> None:
    """Type each value into the field of `form` labelled by its key, in order, as a user would."""
    for label, value in fields.items():
        form.get_by_label(label).fill(value)


def proposal_card(page: Page, title: str) -> Locator:
    """The card of the proposal titled `title` on the assessment page."""
    return page.locator("section[data-testid^=proposal-]").filter(has_text=title)
