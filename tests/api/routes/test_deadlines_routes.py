"""The deadline routes: per case, across cases, managers' changes and the calendar feed."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from api.deps import get_now
from tests.factories import NOW, DatabaseTarget, make_org
from tests.reminder_support import (
    Scene,
    add_due_deadline,
    api_client,
    bearer,
    make_scene,
    make_settings,
    token_for,
)


@dataclass
class Api:
    """A client and a bearer token per role."""

    client: TestClient
    scene: Scene
    tokens: dict[str, str]

    def get(self, who: str, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=bearer(self.tokens[who]), **kwargs)

    def post(self, who: str, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=bearer(self.tokens[who]))

    def patch(self, who: str, path: str, body: Any) -> Any:
        return self.client.patch(path, json=body, headers=bearer(self.tokens[who]))


@pytest.fixture
def api(db: DatabaseTarget) -> Iterator[Api]:
    with Session(db.engine, expire_on_commit=False) as session:
        scene = make_scene(session)
        # Two deadlines already: one for each company (the partners must not see each other's).
        add_due_deadline(session, scene, scene.company_da, due_in=timedelta(days=3))
        add_due_deadline(
            session, scene, scene.company_en, due_in=timedelta(days=20), title="Deliver data"
        )
        stranger = make_org(session, "Gladsaxe Kommune")
        session.commit()
        tokens = {
            "manager": token_for(session, "manager", scene.lead, "Anne Projektleder"),
            "staff": token_for(session, "staff", scene.lead, "Sagsbehandler"),
            "partner": token_for(session, "partner", scene.company_da, "RoligRum"),
            "auditor": token_for(session, "auditor", None, "Revisor"),
            "stranger": token_for(session, "manager", stranger, "Fremmed"),
        }
    with api_client(db, make_settings(), now=NOW + timedelta(hours=1)) as client:
        yield Api(client, scene, tokens)


def deadline_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Workshop med borgerne",
        "due_at": (NOW + timedelta(days=14)).isoformat(),
        "responsible_organisation_id": None,
    }
    return {**body, **changes}


def test_a_manager_adds_a_deadline(api: Api) -> None:
    case = api.scene.case_id
    created = api.post("manager", f"/api/v1/cases/{case}/deadlines", deadline_body())
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["Location"] == f"/api/v1/deadlines/{body['id']}"
    assert (body["kind"], body["status"], body["revision"], body["overdue"]) == (
        "custom",
        "open",
        1,
        False,
    )
    assert api.get("auditor", created.headers["Location"]).json() == body
    reminders = api.get("manager", f"/api/v1/cases/{case}/notifications").json()["items"]
    assert {r["rung"] for r in reminders if r["deadline_id"] == body["id"]} >= {"pre7", "due"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("partner", 403), ("auditor", 403), ("stranger", 404)],
)
def test_only_managers_in_scope_add_deadlines(api: Api, who: str, status: int) -> None:
    answer = api.post(who, f"/api/v1/cases/{api.scene.case_id}/deadlines", deadline_body())
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        deadline_body(title=""),
        deadline_body(title="Frist\u0000"),
        deadline_body(due_at="2027-01-01T09:00:00"),  # no time zone
        deadline_body(due_at=(NOW - timedelta(days=1)).isoformat()),
        deadline_body(responsible_organisation_id=999_999),
        deadline_body(responsible_organisation_id=2**40),
        deadline_body(surprise=True),
        {"title": "Kun titel"},
    ],
    ids=[
        "blank",
        "nul-character",
        "naive-time",
        "past",
        "not-a-participant",
        "huge-id",
        "unknown-field",
        "partial",
    ],
)
def test_bad_deadline_bodies_are_422_problems(api: Api, body: dict[str, Any]) -> None:
    answer = api.post("manager", f"/api/v1/cases/{api.scene.case_id}/deadlines", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["status"] == 422


def test_partners_see_only_their_own_deadlines(api: Api) -> None:
    path = f"/api/v1/cases/{api.scene.case_id}/deadlines"
    everything = api.get("manager", path).json()
    assert everything["total"] == 2
    own = api.get("partner", path).json()
    assert [d["responsible_organisation_id"] for d in own["items"]] == [api.scene.company_da.id]
    other = everything["items"][1]["id"]
    assert api.get("partner", f"/api/v1/deadlines/{other}").status_code == 404
    assert api.get("stranger", path).status_code == 404
    assert api.get("stranger", "/api/v1/deadlines").json() == {"items": [], "total": 0}


def test_moving_and_marking_met(api: Api) -> None:
    [first, _] = api.get("manager", "/api/v1/deadlines").json()["items"]
    path = f"/api/v1/deadlines/{first['id']}"
    new_due = (NOW + timedelta(days=10)).isoformat()
    assert api.patch("manager", path, {"due_at": new_due}).status_code == 422  # no reason
    assert api.patch("manager", path, {"due_at": new_due, "status": "met"}).status_code == 422
    assert api.patch("staff", path, {"status": "met"}).status_code == 403
    moved = api.patch("manager", path, {"due_at": new_due, "reason": "Efter aftale"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["revision"], moved.json()["due_at"][:10]) == (2, new_due[:10])
    met = api.patch("manager", path, {"status": "met"})
    assert (met.status_code, met.json()["status"]) == (200, "met")
    again = api.patch("manager", path, {"status": "met"})
    assert again.status_code == 409
    assert api.patch("manager", "/api/v1/deadlines/999999", {"status": "met"}).status_code == 404


def test_listing_across_cases_with_filters(api: Api) -> None:
    everything = api.get("auditor", "/api/v1/deadlines").json()
    assert everything["total"] == 2
    soon, later = everything["items"]
    assert soon["due_at"] < later["due_at"]
    before = (NOW + timedelta(days=10)).isoformat()
    assert [
        d["id"]
        for d in api.get("auditor", "/api/v1/deadlines", params={"before": before}).json()["items"]
    ] == [soon["id"]]
    by_org = api.get(
        "auditor", "/api/v1/deadlines", params={"organisation_id": api.scene.company_en.id}
    ).json()
    assert [d["id"] for d in by_org["items"]] == [later["id"]]
    assert api.get("auditor", "/api/v1/deadlines", params={"overdue": "true"}).json()["total"] == 0
    api.client.app.dependency_overrides[get_now] = lambda: NOW + timedelta(days=5)  # type: ignore[attr-defined]
    overdue = api.get("auditor", "/api/v1/deadlines", params={"overdue": "true"}).json()
    assert [(d["id"], d["overdue"]) for d in overdue["items"]] == [(soon["id"], True)]
    not_overdue = api.get("auditor", "/api/v1/deadlines", params={"overdue": "false"}).json()
    assert [d["id"] for d in not_overdue["items"]] == [later["id"]]
    assert api.get("auditor", "/api/v1/deadlines", params={"before": "soon"}).status_code == 422
    typo = api.get("auditor", "/api/v1/deadlines", params={"overdeu": "true"})
    assert typo.status_code == 422 and "overdeu" in typo.json()["detail"]


def test_the_calendar_feed(api: Api) -> None:
    company = api.scene.company_da.id
    assert (
        api.get("partner", f"/api/v1/organisations/{api.scene.lead.id}/calendar-feed").status_code
        == 403
    )
    feed = api.get("partner", f"/api/v1/organisations/{company}/calendar-feed")
    assert feed.status_code == 200
    url = feed.json()["url"]
    assert url.startswith(f"https://opi.example.dk/api/v1/organisations/{company}/deadlines.ics?")
    path = url.removeprefix("https://opi.example.dk")
    answer = api.client.get(path)  # no bearer token: calendar clients cannot send one
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Lever testdata – Rolige dage på plejehjemmet"]
    assert events[0].decoded("DTSTART") == NOW + timedelta(days=3)
    assert str(events[0]["UID"]).startswith("deadline-")

    lead_feed = api.get("manager", f"/api/v1/organisations/{api.scene.lead.id}/calendar-feed")
    lead_events = Calendar.from_ical(
        api.client.get(lead_feed.json()["url"].removeprefix("https://opi.example.dk")).content
    ).walk("VEVENT")
    assert len(lead_events) == 2  # the lead municipality sees every deadline of its case

    token = path.split("token=")[1]
    other = f"/api/v1/organisations/{api.scene.lead.id}/deadlines.ics?token={token}"
    assert api.client.get(other).status_code == 401  # one organisation's token opens only its feed
    assert (
        api.client.get(f"/api/v1/organisations/{company}/deadlines.ics?token=nope").status_code
        == 401
    )
    assert api.client.get(f"/api/v1/organisations/{company}/deadlines.ics").status_code == 422
