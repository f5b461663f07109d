"""Joining a shared need on the pages, on both databases (issue 17): "Vi har samme behov",
the lead's answer, refusals shown beside the field with nothing written."""

from fastapi.testclient import TestClient

from tests.api_helpers import ApiClient
from tests.web_support import csrf_of, signed_in_client


def _signed_in(api: ApiClient, token: str) -> TestClient:
    """A browser signed in with `token`, sent on to the catalogue of needs."""
    return signed_in_client(api.client.app, token, "/ui/needs")


def _csrf(client: TestClient, path: str) -> str:
    return csrf_of(client.get(path).text)


def test_a_municipality_asks_and_the_lead_accepts_on_the_pages(api: ApiClient) -> None:
    w = api.world()
    response = api.post(
        "/cases", token=w.manager, json={"title": "Ro for demente borgere", "need": {}}
    )
    case_id = response.json()["id"]
    assert api.post(f"/cases/{case_id}/share", token=w.manager).status_code == 200
    need = f"/ui/needs/{case_id}"

    other = _signed_in(api, w.outsider_manager)
    page = other.get(need)
    assert "Vi har samme behov" in page.text and 'data-testid="join-ask"' in page.text
    csrf = _csrf(other, need)
    too_long = other.post(f"{need}/join", data={"csrf_token": csrf, "message": "x" * 2001})
    assert too_long.status_code == 422
    assert "Teksten er for lang" in too_long.text and "x" * 2001 in too_long.text
    assert api.get(f"/cases/{case_id}/join-requests", token=w.manager).json() == []
    asked = other.post(f"{need}/join", data={"csrf_token": csrf, "message": "Også hos os"})
    assert asked.status_code == 303
    again = other.post(f"{need}/join", data={"csrf_token": csrf, "message": "Igen"})
    assert again.status_code == 409 and "allerede en anmodning" in again.text
    assert 'data-testid="join-pending"' in other.get(need).text
    assert other.get(f"/ui/cases/{case_id}").status_code == 404

    lead = _signed_in(api, w.manager)
    page = lead.get(need)
    assert "Anmodninger om at deltage" in page.text and "Også hos os" in page.text
    rid = api.get(f"/cases/{case_id}/join-requests", token=w.manager).json()[0]["id"]
    csrf = _csrf(lead, need)
    no_reason = lead.post(f"{need}/join/{rid}", data={"csrf_token": csrf, "decision": "decline"})
    assert no_reason.status_code == 422 and "Skriv en begrundelse" in no_reason.text
    staff = _signed_in(api, w.staff)  # staff of the lead do not decide
    forbidden = staff.post(
        f"{need}/join/{rid}", data={"csrf_token": _csrf(staff, need), "decision": "accept"}
    )
    assert forbidden.status_code == 403
    accepted = lead.post(f"{need}/join/{rid}", data={"csrf_token": csrf, "decision": "accept"})
    assert accepted.status_code == 303
    assert "Accepteret" in lead.get(need).text
    assert other.get(f"/ui/cases/{case_id}").status_code == 200  # now a co-owner
    late = lead.post(f"{need}/join/{rid}", data={"csrf_token": csrf, "decision": "accept"})
    assert late.status_code == 409 and "allerede besvaret" in late.text
    for bad in ("0", str(2**31)):
        response = lead.post(f"{need}/join/{bad}", data={"csrf_token": csrf, "decision": "accept"})
        assert response.status_code == 404
    company = _signed_in(api, w.partner)
    assert company.get(need).status_code == 403
