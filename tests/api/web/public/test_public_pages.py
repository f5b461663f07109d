"""The public call pages and the approvers' page without a browser (issue 17, item 5), on
both databases: no sign-in, nothing internal, the form's CSRF, validation and throttling."""

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlmodel import Session

from tests.browser.world import MATCH_CASE_TITLE
from tests.factories import ready_need
from tests.web_support import WebApp, csrf_of
from workflow.core.settings import get_settings
from workflow.models import Organisation, OrganisationRequest, User

VALID = {
    "company_name": "Nordlys Robotics ApS",
    "cvr": "12345678",
    "contact_name": "Karen Vestergaard",
    "email": "karen@nordlys.example",
}


def _requests(web: WebApp) -> list[OrganisationRequest]:
    with Session(web.db.engine) as session:
        return list(session.execute(select(OrganisationRequest)).scalars())


def _ask(client: TestClient, case_id: int, **fields: str) -> Response:
    page = client.get(f"/ui/public/calls/{case_id}")
    assert page.status_code == 200, page.text
    return client.post(
        f"/ui/public/calls/{case_id}/request",
        data={"csrf_token": csrf_of(page.text), **VALID, **fields},
    )


def test_the_public_list_needs_no_sign_in_and_shows_no_internals(web: WebApp) -> None:
    response = web.client().get("/ui/public/calls")
    assert response.status_code == 200, response.text
    html = response.text
    assert '<html lang="da">' in html
    assert "Åbne opslag" in html and "Rolige dage for borgere med demens" in html
    assert "Offentliggjort af Furesø Kommune" in html
    assert f'href="/ui/public/calls/{web.world.match_case_id}"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/api/v1/public/calls.atom"' in html
    )
    assert '<link rel="alternate" type="text/calendar" href="/api/v1/public/calls.ics"' in html
    for internal in (MATCH_CASE_TITLE, ready_need()["description"], "Rolige eftermiddage"):
        assert internal not in html
    assert 'class="mainnav"' not in html  # no one is signed in


def test_the_call_page_and_its_404s(web: WebApp) -> None:
    client = web.client()
    page = client.get(f"/ui/public/calls/{web.world.match_case_id}")
    assert page.status_code == 200
    assert "Vil din virksomhed deltage?" in page.text and "CVR-nummer" in page.text
    assert MATCH_CASE_TITLE not in page.text and ready_need()["description"] not in page.text
    for path in (web.world.need_case_id, 999_999, 0, "abc", 2**40):
        response = client.get(f"/ui/public/calls/{path}")
        assert response.status_code == 404, path
    english = web.client()
    english.get("/ui/language?lang=en&next=/ui/public/calls")
    page = english.get(f"/ui/public/calls/{web.world.match_case_id}")
    assert "Does your company want to take part?" in page.text
    assert "Vil din virksomhed" not in page.text


def test_a_company_asks_to_take_part(web: WebApp) -> None:
    client = web.client()
    response = _ask(client, web.world.match_case_id)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/ui/public/calls/{web.world.match_case_id}?sent=1#ask"
    receipt = client.get(location)
    assert "Anmodningen er modtaget og afventer kommunens godkendelse" in receipt.text
    stored = _requests(web)
    assert [(r.cvr, r.email, r.status, r.language) for r in stored] == [
        ("12345678", "karen@nordlys.example", "pending", "da")
    ]
    # the same company again: nothing new
    assert _ask(client, web.world.match_case_id).status_code == 303
    assert len(_requests(web)) == 1


def test_the_form_without_csrf_token_stores_nothing(web: WebApp) -> None:
    client = web.client()
    client.get(f"/ui/public/calls/{web.world.match_case_id}")
    response = client.post(f"/ui/public/calls/{web.world.match_case_id}/request", data=VALID)
    assert response.status_code == 403
    forged = client.post(
        f"/ui/public/calls/{web.world.match_case_id}/request",
        data={**VALID, "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert _requests(web) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cvr", "1234", "Et CVR-nummer er 8 cifre"),
        ("email", "karen", "Skriv en gyldig e-mailadresse"),
        ("company_name", "", "Skriv virksomhedens navn"),
        ("contact_name", "x" * 5000, "Skriv kontaktpersonens navn"),
    ],
)
def test_bad_input_is_shown_beside_the_field_in_danish(
    web: WebApp, field: str, value: str, message: str
) -> None:
    response = _ask(web.client(), web.world.match_case_id, **{field: value})
    assert response.status_code == 422
    html = response.text
    assert f'<p class="error" id="r-{field}-error">{message}' in html
    assert "Anmodningen er ikke sendt" in html
    if field != "contact_name":
        assert VALID["company_name" if field != "company_name" else "cvr"] in html  # kept
    assert _requests(web) == []


def test_the_form_is_throttled_per_address(web: WebApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPI_PUBLIC_REQUEST_LIMIT", "2")
    get_settings.cache_clear()
    client = web.client()
    for cvr in ("11111111", "22222222"):
        assert _ask(client, web.world.match_case_id, cvr=cvr).status_code == 303
    refused = _ask(client, web.world.match_case_id, cvr="33333333")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Der er sendt for mange anmodninger" in refused.text
    assert sorted(r.cvr for r in _requests(web)) == ["11111111", "22222222"]


def test_the_leads_manager_approves_on_the_requests_page(web: WebApp) -> None:
    _ask(web.client(), web.world.match_case_id)
    partner = web.signed_in("partner_a")
    assert partner.get("/ui/admin/requests").status_code == 403
    auditor = web.signed_in("auditor")
    read_only = auditor.get("/ui/admin/requests")
    assert read_only.status_code == 200 and "Nordlys Robotics ApS" in read_only.text
    assert "/decision" not in read_only.text
    manager = web.signed_in("manager")
    page = manager.get("/ui/admin/requests")
    assert page.status_code == 200 and "Anmodninger fra virksomheder" in page.text
    assert 'href="/ui/admin/requests" aria-current="page"' in page.text
    request_id = _requests(web)[0].id
    csrf = csrf_of(page.text)
    no_reason = manager.post(
        f"/ui/admin/requests/{request_id}/decision",
        data={"csrf_token": csrf, "decision": "decline", "reason": ""},
    )
    assert no_reason.status_code == 422
    approved = manager.post(
        f"/ui/admin/requests/{request_id}/decision",
        data={"csrf_token": csrf, "decision": "approve", "invite": "1"},
    )
    assert approved.status_code == 303, approved.text
    assert manager.get(approved.headers["location"]).text.count("Godkendt") >= 1
    with Session(web.db.engine) as session:
        org = session.execute(
            select(Organisation).where(Organisation.cvr == "12345678")
        ).scalar_one()
        assert org.kind == "company"
        users = session.execute(
            select(func.count()).select_from(User).where(User.organisation_id == org.id)
        ).scalar_one()
        assert users == 1
    assert _requests(web)[0].status == "approved"
