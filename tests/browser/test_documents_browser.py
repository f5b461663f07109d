"""Documents in headless Chromium: the upload form with its script (the upload goes through
XMLHttpRequest with a progress bar, then the page follows the answer), a refused file shown
beside the field, and a file dropped onto the form."""

import pytest
from playwright.sync_api import Page, expect

from tests.api.documents.support import ELF, PDF
from tests.browser.conftest import Live
from tests.browser.test_web_browser import sign_in

pytestmark = pytest.mark.browser


def test_the_manager_uploads_with_the_script_and_sees_the_version(page: Page, live: Live) -> None:
    sign_in(page, live, "manager")
    page.goto(f"{live.url}/ui/cases/{live.world.match_case_id}")
    form = page.get_by_test_id("document-upload")
    form.get_by_label("Fil").set_input_files(
        {"name": "dba.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_label("Art").select_option(label="Databehandleraftale")
    form.get_by_label("Dokumentets titel").fill("Databehandleraftale")
    form.get_by_role("button", name="Tilføj dokument").click()
    expect(page.get_by_test_id("flash")).to_have_text("Dokumentet er gemt.")
    expect(page.get_by_test_id("document")).to_contain_text("Version 1: dba.pdf")

    # A refused file: the page the server answered with, the reason beside the field.
    form = page.get_by_test_id("document-upload")
    form.get_by_label("Fil").set_input_files(
        {"name": "program.pdf", "mimeType": "application/pdf", "buffer": ELF}
    )
    form.get_by_label("Dokumentets titel").fill("Program")
    form.get_by_role("button", name="Tilføj dokument").click()
    expect(page.locator("#doc-file-error")).to_contain_text("Filtypen kan ikke modtages")


def test_a_file_dropped_on_the_form_is_uploaded(page: Page, live: Live) -> None:
    sign_in(page, live, "manager")
    page.goto(f"{live.url}/ui/cases/{live.world.match_case_id}")
    drop = page.evaluate_handle(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File(["Notat om behovet\\n"], "notat.txt", {type: "text/plain"}));
            return data;
        }"""
    )
    page.get_by_test_id("document-upload").dispatch_event("drop", {"dataTransfer": drop})
    page.get_by_test_id("document-upload").get_by_label("Dokumentets titel").fill("Notat")
    page.get_by_role("button", name="Tilføj dokument").click()
    expect(page.get_by_test_id("flash")).to_have_text("Dokumentet er gemt.")
    expect(page.get_by_test_id("document")).to_contain_text("notat.txt")
