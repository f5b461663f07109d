"""Joining a shared need over HTTP on both databases (issue 17): request, decide, co-own."""

from typing import Any

import pytest

from tests.api_helpers import ApiClient, World


@pytest.fixture
def shared(api: ApiClient) -> tuple[World, int]:
    """Furesø's need, shared with every municipality."""
    w = api.world()
    response = api.post(
        "/cases",
        token=w.manager,
        json={"title": "Ro for demente borgere", "need": {"description": "Uro om aftenen."}},
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    assert api.post(f"/cases/{case_id}/share", token=w.manager).status_code == 200
    return w, case_id


def _ask(api: ApiClient, token: str, case_id: int, **body: Any) -> Any:
    return api.post(f"/cases/{case_id}/join-requests", token=token, json=body)


def _decide(api: ApiClient, token: str, case_id: int, rid: int, **body: Any) -> Any:
    return api.post(f"/cases/{case_id}/join-requests/{rid}/decision", token=token, json=body)


def test_accepted_municipality_co_owns_the_case(api: ApiClient, shared: tuple[World, int]) -> None:
    w, case_id = shared
    asked = _ask(api, w.outsider_manager, case_id, message="Vi har samme behov")
    assert asked.status_code == 201, asked.text
    rid = asked.json()["id"]
    assert asked.json()["status"] == "pending"
    assert asked.json()["organisation"]["name"] == "Gladsaxe Kommune"
    # before the answer, the internal case stays closed to Gladsaxe
    assert api.get(f"/cases/{case_id}", token=w.outsider_manager).status_code == 404
    # only the lead decides
    assert _decide(api, w.staff, case_id, rid, decision="accept").status_code == 403
    assert _decide(api, w.outsider_manager, case_id, rid, decision="accept").status_code == 404
    accepted = _decide(api, w.manager, case_id, rid, decision="accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    case = api.get(f"/cases/{case_id}", token=w.outsider_manager)
    assert case.status_code == 200
    co_owners = [p for p in case.json()["participants"] if p["role"] == "municipality"]
    assert [p["name"] for p in co_owners] == ["Gladsaxe Kommune"]
    # a decided request is not decided again
    assert _decide(api, w.manager, case_id, rid, decision="decline", reason="x").status_code == 409
    actions = [
        e["action"] for e in api.get(f"/cases/{case_id}/audit", token=w.auditor).json()["items"]
    ]
    assert "need.join_requested" in actions and "need.join_decided" in actions
    assert "participant.added" in actions


def test_declined_needs_a_reason_and_opens_nothing(
    api: ApiClient, shared: tuple[World, int]
) -> None:
    w, case_id = shared
    rid = _ask(api, w.outsider_manager, case_id).json()["id"]
    assert _decide(api, w.manager, case_id, rid, decision="decline").status_code == 422
    declined = _decide(api, w.manager, case_id, rid, decision="decline", reason="Andet fokus")
    assert declined.status_code == 200 and declined.json()["reason"] == "Andet fokus"
    assert api.get(f"/cases/{case_id}", token=w.outsider_manager).status_code == 404
    mine = api.get(f"/cases/{case_id}/join-requests", token=w.outsider_manager)
    assert mine.status_code == 200 and [r["status"] for r in mine.json()] == ["declined"]
    # after a decline the municipality may ask again
    assert _ask(api, w.outsider_manager, case_id).status_code == 201


def test_a_second_pending_request_is_409(api: ApiClient, shared: tuple[World, int]) -> None:
    w, case_id = shared
    assert _ask(api, w.outsider_manager, case_id).status_code == 201
    again = _ask(api, w.outsider_manager, case_id)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    # the lead is in the case already
    assert _ask(api, w.manager, case_id).status_code == 409


def test_a_need_not_shared_or_a_company_cannot_join(
    api: ApiClient, shared: tuple[World, int]
) -> None:
    w, case_id = shared
    assert _ask(api, w.partner, case_id).status_code == 403
    assert _ask(api, w.auditor, case_id).status_code == 403
    assert api.request("DELETE", f"/cases/{case_id}/share", token=w.manager).status_code == 200
    assert _ask(api, w.outsider_manager, case_id).status_code == 404
    assert _ask(api, w.outsider_manager, 999_999).status_code == 404
    assert api.get(f"/cases/{case_id}/join-requests", token=w.partner).status_code == 404
    assert api.get(f"/cases/{case_id}/join-requests", token=w.outsider_manager).status_code == 404


def test_bad_decisions_are_422(api: ApiClient, shared: tuple[World, int]) -> None:
    w, case_id = shared
    rid = _ask(api, w.outsider_manager, case_id).json()["id"]
    for body in ({"decision": "maybe"}, {"decision": "accept", "extra": 1}, {}):
        assert _decide(api, w.manager, case_id, rid, **body).status_code == 422
    assert _decide(api, w.manager, case_id, rid + 1000, decision="accept").status_code == 404
    assert _ask(api, w.outsider_manager, case_id, message="x" * 2001).status_code in (409, 422)
