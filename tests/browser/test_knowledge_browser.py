"""The knowledge library's pages at phone width (390 px) with axe-core, and "Det har andre
gjort" beside a need (issue 17). Another municipality's case is driven to `scale` so the
library has an entry with numbers, a solution and an adopter."""

import pytest
from playwright.sync_api import Browser
from sqlmodel import Session

from tests.browser.a11y import PHONE, axe_violations, describe, sideways_overflow, widest_elements
from tests.browser.conftest import Live
from tests.browser.test_phone_and_a11y import sign_in_as
from tests.factories import drive, make_world, new_case, patch
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.core.unit_of_work import UnitOfWork
from workflow.needs.catalogue import set_shared
from workflow.needs.joining import request_to_join

pytestmark = pytest.mark.browser


def _scaled_case(live: Live) -> int:
    with Session(live.db.engine, expire_on_commit=False) as s:
        world = make_world(s)
        case = new_case(s, world.lead, {"description": "Borgere med demens er urolige."})
        case = drive(s, world, case, "pilot")
        criteria = [
            {"metric": "Uro-episoder pr. uge", "baseline": 14, "target": 7, "result": 8.4},
            {"metric": "Tilfredshed blandt pårørende", "baseline": "3,5", "target": "4"},
        ]
        case = patch(s, case, {"pilot": {"success_criteria": criteria}}, world.manager)
        case = drive(s, world, case, "scale")
        assert case.id is not None
        case_id = case.id
        # The browser world's need is shared, and Randers asks to join it.
        work = UnitOfWork(s)
        set_shared(work, Actor("Admin", Role.ADMIN, None), live.world.need_case_id, True)
        work.commit()
        work = UnitOfWork(s)
        randers = Actor("Rasmus Randers", Role.STAFF, world.adopter.id)
        request_to_join(work, randers, live.world.need_case_id, "Vi har det samme behov.")
        work.commit()
    live.db.engine.dispose()
    return case_id


def test_the_library_pages_fit_a_phone_and_pass_axe(browser: Browser, live: Live) -> None:
    case_id = _scaled_case(live)
    context = browser.new_context(viewport=PHONE, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        problems: list[str] = []
        for who, paths in (
            ("manager", ["/ui/knowledge", f"/ui/knowledge/{case_id}", "/ui/knowledge?q=demens"]),
            ("manager", [f"/ui/needs/{live.world.need_case_id}"]),
            ("auditor", [f"/ui/knowledge/{case_id}"]),
        ):
            sign_in_as(page, live, who)
            for path in paths:
                page.goto(f"{live.url}{path}")
                overflow = sideways_overflow(page)
                if overflow:
                    problems.append(
                        f"{path} scrolls {overflow}px sideways: {widest_elements(page)}"
                    )
                violations = axe_violations(page)
                if violations:
                    problems.append(f"{path} axe:\n{describe(violations)}")
        assert not problems, "\n".join(problems)
        sign_in_as(page, live, "manager")
        page.goto(f"{live.url}/ui/knowledge/{case_id}")
        assert page.get_by_test_id("criterion").count() == 2
        page.goto(f"{live.url}/ui/needs/{live.world.need_case_id}")
        box = page.get_by_test_id("others-did")
        assert box.get_by_role("link", name="Rolige dage på plejehjemmet").count() == 1
        assert page.get_by_test_id("join-request").count() == 1
    finally:
        context.close()
