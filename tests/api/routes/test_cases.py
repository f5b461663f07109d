"""Creating, listing, reading and merge-patching cases over HTTP."""

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from tests.api_helpers import ApiClient, World, create_case, drive, etag_of
from tests.factories import ready_need
from workflow.models import AuditEvent, Deadline


@pytest.fixture
def world(api: ApiClient) -> World:
    """The usual cast of organisations and tokens."""
    return api.world()


def test_created_case_is_led_by_the_callers_municipality(api: ApiClient, world: World) -> None:
    response = api.post("/cases", token=world.staff, json={"title": " Rolige dage ", "need": {}})
    assert response.status_code == 201
    case = response.json()
    assert case["title"] == "Rolige dage"
    assert case["lead_municipality_id"] == world.lead["id"]
    assert response.headers["location"] == f"/api/v1/cases/{case['id']}"
    assert response.headers["etag"] == '"1"'
    assert case["participants"] == [
        {"organisation_id": world.lead["id"], "name": "Furesø Kommune", "kind": "municipality",
         "role": "lead"}
    ]  # fmt: skip
    fetched = api.get(response.headers["location"].removeprefix("/api/v1"), token=world.manager)
    assert fetched.json() == case


def test_transitions_show_allowed_and_unmet_in_the_request_language(
    api: ApiClient, world: World
) -> None:
    case = create_case(api, world, need=ready_need())
    danish = api.get(f"/cases/{case['id']}", token=world.manager).json()
    english = api.get(
        f"/cases/{case['id']}", token=world.manager, headers={"Accept-Language": "en"}
    ).json()
    assert danish["state_label"] == "Behov" and english["state_label"] == "Need"
    by_trigger = {t["trigger"]: t for t in english["transitions"]}
    assert set(by_trigger) == {"advance", "cancel", "pause", "resume"}
    assert by_trigger["cancel"] == {"trigger": "cancel", "allowed": True, "reason_required": True,
                                    "to": "cancelled", "unmet": []}  # fmt: skip
    assert by_trigger["resume"]["allowed"] is False
    (unmet,) = by_trigger["advance"]["unmet"]
    assert unmet["code"] == "call.ready"
    assert unmet["message"].startswith("The call is not ready")
    assert {t["trigger"]: t for t in danish["transitions"]}["advance"]["unmet"][0][
        "message"
    ].startswith("Opslaget er ikke klar")


def test_patch_is_a_json_merge_patch_and_is_audited(api: ApiClient, world: World) -> None:
    case = create_case(api, world, need=ready_need())
    path = f"/cases/{case['id']}"
    patched = api.patch(
        path,
        token=world.manager,
        json={"need": {"target_group": None, "description": "Ny beskrivelse"},
              "call": {"title": "Rolige dage", "criteria": [{"name": "effekt", "weight": 100}]}},
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert patched.headers["etag"] == '"2"' and body["version"] == 2
    assert body["need"]["target_group"] is None
    assert body["need"]["description"] == "Ny beskrivelse"
    assert body["need"]["owner_name"] == ready_need()["owner_name"]  # untouched
    assert body["call"]["criteria"] == [{"name": "effekt", "weight": 100}]

    unchanged = api.patch(path, token=world.manager, json={"need": {}}, headers={"If-Match": '"2"'})
    assert unchanged.status_code == 200 and unchanged.headers["etag"] == '"2"'

    with Session(api.db.engine) as session:
        event = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "case.updated")
        ).scalar_one()
        changes = json.loads(event.data)["changes"]
        assert changes["need"]["before"]["target_group"] == ready_need()["target_group"]
        assert "target_group" not in changes["need"]["after"] or (
            changes["need"]["after"]["target_group"] is None
        )
        assert changes["call"]["after"]["title"] == "Rolige dage"


def test_participants_widen_the_scope(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    adopter_manager = api.token("manager", world.adopter)
    assert api.get(f"/cases/{case['id']}", token=adopter_manager).status_code == 404
    body = {"organisation_id": world.adopter["id"], "role": "municipality"}
    added = api.post(f"/cases/{case['id']}/participants", token=world.manager, json=body)
    assert added.status_code == 201, added.text
    assert added.json() == {"organisation_id": world.adopter["id"], "name": "Randers Kommune",
                            "kind": "municipality", "role": "municipality"}  # fmt: skip
    assert added.headers["etag"] == '"2"'
    assert api.get(f"/cases/{case['id']}", token=adopter_manager).status_code == 200
    listed = api.get(f"/cases?municipality_id={world.adopter['id']}", token=world.manager)
    assert [c["id"] for c in listed.json()["items"]] == [case["id"]]
    changed = api.post(
        f"/cases/{case['id']}/participants",
        token=world.manager,
        json={**body, "role": "facilitator"},
    )
    assert changed.status_code == 200 and changed.json()["role"] == "facilitator"
    lead_role = api.post(
        f"/cases/{case['id']}/participants",
        token=world.manager,
        json={"organisation_id": world.lead["id"], "role": "municipality"},
    )
    assert lead_role.status_code == 409


def test_list_filters_and_pages(api: ApiClient, world: World) -> None:
    first = create_case(api, world, need={"description": "Ensomhed blandt ældre 100%"})
    second = api.post("/cases", token=world.manager, json={"title": "Digital TRÆNING"}).json()
    third = drive(api, world, create_case(api, world), "match")

    def ids(query: str, token: str | None = None) -> list[int]:
        response = api.get(f"/cases{query}", token=token or world.manager)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids("") == [third["id"], second["id"], first["id"]]  # newest first
    assert ids("?state=match") == [third["id"]]
    assert ids("?state=need&limit=1") == [second["id"]]
    assert ids("?state=need&limit=1&offset=1") == [first["id"]]
    assert api.get("/cases?limit=1", token=world.manager).json()["total"] == 3
    assert ids("?q=ensomhed") == [first["id"]]  # need description, any case
    assert ids("?q=digital tr") == [second["id"]]  # title
    assert ids("?q=TRÆNING") == [second["id"]]  # Danish letters fold on both databases
    assert ids("?q=træning") == [second["id"]]
    assert ids("?q=ÆLDRE") == [first["id"]]
    assert ids("?q=100%25") == [first["id"]]  # % is literal
    assert ids("?q=0%25") == [first["id"]]
    assert ids("?q=_") == []
    assert ids(f"?municipality_id={world.lead['id']}") == [third["id"], second["id"], first["id"]]
    assert ids(f"?municipality_id={world.adopter['id']}") == []
    # A partner sees the published call only, and searches only what a call shows.
    assert ids("", world.partner) == [third["id"]]
    assert ids("?q=ensomhed", world.partner) == []
    assert ids("?q=rolige", world.partner) == [third["id"]]
    assert ids("", world.auditor) == [third["id"], second["id"], first["id"]]
    assert ids("", world.outsider_manager) == []


def store_deadlines(
    api: ApiClient, wanted: list[tuple[dict[str, Any], datetime, dict[str, Any], str]]
) -> None:
    """Write (case, due, responsible organisation, status) deadlines straight to the
    database: past due dates the API would refuse."""
    with Session(api.db.engine) as session:
        for case, due, organisation, status in wanted:
            session.add(
                Deadline(
                    case_id=case["id"],
                    phase=case["state"],
                    kind="custom",
                    title="Frist",
                    due_at=due,
                    responsible_organisation_id=organisation["id"],
                    status=status,
                    created_by="test",
                )
            )
        session.commit()


def test_overdue_filter_follows_open_deadlines(api: ApiClient, world: World) -> None:
    late = create_case(api, world)
    on_time = create_case(api, world)
    now = api.clock.now
    past, ahead = now - timedelta(days=2), now + timedelta(days=2)
    # Two overdue deadlines on one case list it once; a met deadline past due is not overdue.
    wanted = [(late, past, "open"), (late, past, "open"), (on_time, ahead, "open")]
    wanted.append((on_time, past, "met"))
    store_deadlines(api, [(case, due, world.lead, status) for case, due, status in wanted])
    overdue = api.get("/cases?overdue=true", token=world.manager).json()
    assert [c["id"] for c in overdue["items"]] == [late["id"]]
    assert overdue["total"] == 1
    not_overdue = api.get("/cases?overdue=false", token=world.manager).json()
    assert [c["id"] for c in not_overdue["items"]] == [on_time["id"]]
    assert not_overdue["total"] == 1


def test_partner_overdue_filter_counts_only_its_own_deadlines(api: ApiClient, world: World) -> None:
    # A partner sees every published call, but of their deadlines only those it answers for.
    theirs = drive(api, world, create_case(api, world), "match")
    others = drive(api, world, create_case(api, world), "match")
    past = api.clock.now - timedelta(days=1)
    store_deadlines(
        api, [(theirs, past, world.company, "open"), (others, past, world.rival, "open")]
    )

    def ids(query: str, token: str) -> list[int]:
        response = api.get(f"/cases?{query}", token=token)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids("overdue=true", world.partner) == [theirs["id"]]
    assert ids("overdue=false", world.partner) == [others["id"]]
    assert ids("overdue=true", world.manager) == [others["id"], theirs["id"]]


def test_version_moves_with_every_write_the_guards_read(api: ApiClient, world: World) -> None:
    case = drive(api, world, create_case(api, world), "match")
    before = int(etag_of(api, case["id"], world.manager).strip('"'))
    response = api.post(f"/cases/{case['id']}/proposals", token=world.partner, json={"title": "x"})
    assert response.status_code == 201
    after = int(etag_of(api, case["id"], world.manager).strip('"'))
    assert after == before + 1


def test_a_section_the_state_keeps_closed_is_refused_as_on_the_pages(
    api: ApiClient, world: World
) -> None:
    # The pages offer the call's form only in need; before the rule lived in states/, the API
    # let a manager rewrite a published call's criteria under the companies' feet.
    case = create_case(api, world, need=ready_need())
    locked = api.patch(
        f"/cases/{case['id']}",
        token=world.manager,
        json={"pilot": {"site": "Svanepunktet"}},
        headers={"If-Match": etag_of(api, case["id"], world.manager)},
    )
    assert locked.status_code == 409
    assert locked.headers["content-type"] == "application/problem+json"
    body = locked.json()
    assert body["type"].endswith("/section-locked")
    assert (body["section"], body["state"], body["editable"]) == ("pilot", "need", ["need", "call"])
    assert "pilot" in body["detail"] and "need" in body["detail"]
    case = drive(api, world, case, "match")
    version = etag_of(api, case["id"], world.manager)
    criteria = [{"name": "pris", "weight": 100}]
    response = api.patch(
        f"/cases/{case['id']}",
        token=world.manager,
        json={"call": {"criteria": criteria}},
        headers={"If-Match": version},
    )
    assert response.status_code == 409
    assert response.json()["editable"] == []
    after = api.get(f"/cases/{case['id']}", token=world.manager)
    assert after.headers["etag"] == version and after.json()["call"] == case["call"]  # untouched
    # Sending the published call back unchanged, with a new title, is no change to the call.
    same = api.patch(
        f"/cases/{case['id']}",
        token=world.manager,
        json={"title": "Rolige dage", "call": case["call"]},
        headers={"If-Match": version},
    )
    assert same.status_code == 200, same.text
    assert same.json()["title"] == "Rolige dage"
