"""Co-owners of a shared need over HTTP on both databases (issue 17): what a co-owner sees
and receives, what a municipality that has not joined and a company see."""

from typing import Any

import pytest

from tests.api_helpers import ApiClient, World, drive, join_need, trigger


@pytest.fixture
def co_owned(api: ApiClient) -> tuple[World, dict[str, Any], str]:
    """Furesø's shared need, co-owned by Gladsaxe (its join request accepted); Randers has a
    manager too but has not joined. The third item is that Randers manager's token."""
    w = api.world()
    response = api.post(
        "/cases", token=w.manager, json={"title": "Ro for demente borgere", "need": {}}
    )
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    assert api.post(f"/cases/{case['id']}/share", token=w.manager).status_code == 200
    join_need(api, w, case["id"], w.outsider_manager)
    return w, case, api.token("manager", w.adopter)


def _reminders(api: ApiClient, w: World, case_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/cases/{case_id}/notifications", token=w.auditor, params={"limit": 500})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_the_co_owner_sees_the_case_but_runs_nothing(
    api: ApiClient, co_owned: tuple[World, dict[str, Any], str]
) -> None:
    w, case, _ = co_owned
    seen = api.get(f"/cases/{case['id']}", token=w.outsider_manager)
    assert seen.status_code == 200 and seen.json()["view"] == "full"
    assert [m["name"] for m in seen.json()["published_by"]] == [
        "Furesø Kommune",
        "Gladsaxe Kommune",
    ]
    assert trigger(api, case["id"], w.outsider_manager, "cancel", "nej").status_code == 403
    assert api.post(f"/cases/{case['id']}/share", token=w.outsider_manager).status_code == 403
    listed = api.get("/cases", token=w.outsider_manager).json()["items"]
    assert [c["id"] for c in listed] == [case["id"]]


def test_a_municipality_that_has_not_joined_sees_the_need_only(
    api: ApiClient, co_owned: tuple[World, dict[str, Any], str]
) -> None:
    _, case, randers = co_owned
    need = api.get(f"/needs/{case['id']}", token=randers)
    assert need.status_code == 200 and need.json()["title"] == "Ro for demente borgere"
    for path in ("", "/deadlines", "/notifications", "/audit", "/proposals"):
        assert api.get(f"/cases/{case['id']}{path}", token=randers).status_code == 404, path
    assert api.get("/cases", token=randers).json()["total"] == 0


def test_a_company_sees_the_published_call_with_its_publishers_only(
    api: ApiClient, co_owned: tuple[World, dict[str, Any], str]
) -> None:
    w, case, _ = co_owned
    assert api.get(f"/cases/{case['id']}", token=w.partner).status_code == 404  # in need
    assert api.get(f"/needs/{case['id']}", token=w.partner).status_code == 403
    drive(api, w, case, "match")
    call = api.get(f"/cases/{case['id']}", token=w.partner)
    assert call.status_code == 200, call.text
    body = call.json()
    assert body["view"] == "call"
    assert set(body) == {
        "view",
        "id",
        "title",
        "state",
        "state_label",
        "lead_municipality_id",
        "call",
        "published_by",
    }
    assert [m["name"] for m in body["published_by"]] == ["Furesø Kommune", "Gladsaxe Kommune"]


def test_the_co_owner_receives_the_case_reminders(
    api: ApiClient, co_owned: tuple[World, dict[str, Any], str]
) -> None:
    w, case, _ = co_owned
    gladsaxe = api.get("/me", token=w.outsider_manager).json()["organisation_id"]
    case = drive(api, w, case, "match")
    case = drive(api, w, case, "agreement")
    reminders = _reminders(api, w, case["id"])
    lead_rungs = {
        (r["deadline_id"], r["rung"])
        for r in reminders
        if r["recipient_organisation_id"] == w.lead["id"] and r["status"] == "pending"
    }
    co_rungs = {
        (r["deadline_id"], r["rung"])
        for r in reminders
        if r["recipient_organisation_id"] == gladsaxe and r["status"] == "pending"
    }
    assert lead_rungs and co_rungs == lead_rungs
    assert {
        r["recipient_role"] for r in reminders if r["recipient_organisation_id"] == gladsaxe
    } == {"co_owner"}


def test_a_late_co_owner_gets_the_open_deadlines_reminders(
    api: ApiClient, co_owned: tuple[World, dict[str, Any], str]
) -> None:
    w, case, randers = co_owned
    case = drive(api, w, case, "match")
    before = {r["dedup_key"] for r in _reminders(api, w, case["id"])}
    join_need(api, w, case["id"], randers)
    new = [r for r in _reminders(api, w, case["id"]) if r["dedup_key"] not in before]
    assert new and {r["recipient_organisation_id"] for r in new} == {w.adopter["id"]}
    lead = {
        (r["deadline_id"], r["rung"])
        for r in _reminders(api, w, case["id"])
        if r["recipient_organisation_id"] == w.lead["id"] and r["status"] == "pending"
    }
    assert {(r["deadline_id"], r["rung"]) for r in new} == lead
    assert api.get(f"/cases/{case['id']}", token=randers).json()["view"] == "full"
