"""People and tokens over the API (issue 16 items 1, 2 and 6; issue 15 findings 10 and 11):
personal and service tokens, expiry, revocation, last use, disabling a person, `GET /me`, and
what the audit log records of who acted."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tests.api_helpers import ADMIN_TOKEN, ApiClient
from tests.chain import events_named
from workflow.models import ApiToken, AuditEvent, User


def _invite(api: ApiClient, org: dict[str, Any] | None, role: str, name: str) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + "@example.dk"
    body = {"name": name, "email": email, "role": role}
    if org is not None:
        body["organisation_id"] = org["id"]
    response = api.post("/users", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/v1/users/{response.json()['id']}"
    user: dict[str, Any] = response.json()
    return user


def _personal_token(api: ApiClient, user: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = api.post(
        "/tokens", json={"name": f"{user['name']}s nøgle", "user_id": user["id"], **extra}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _anne(api: ApiClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Furesø Kommune, its manager Anne Projektleder (invited) and a personal token of hers."""
    lead = api.org("Furesø Kommune")
    anne = _invite(api, lead, "manager", "Anne Projektleder")
    return lead, anne, _personal_token(api, anne)


def _events(api: ApiClient, action: str) -> list[AuditEvent]:
    return events_named(api.db.engine, action)


def test_a_personal_token_acts_as_its_user_and_the_audit_log_names_the_person(
    api: ApiClient,
) -> None:
    lead, anne, token = _anne(api)
    assert (token["role"], token["organisation_id"], token["user_id"]) == (
        "manager",
        lead["id"],
        anne["id"],
    )
    me = api.get("/me", token=token["token"]).json()
    assert me == {
        "name": "Anne Projektleder",
        "role": "manager",
        "organisation_id": lead["id"],
        "user_id": anne["id"],
        "token_id": token["id"],
        "via": "token",
        "email": "anne.projektleder@example.dk",
    }
    created = api.post("/cases", token=token["token"], json={"title": "Rolige dage"})
    assert created.status_code == 201
    [event] = [e for e in _events(api, "case.created") if e.case_id == created.json()["id"]]
    assert (event.actor_name, event.actor_user_id, event.actor_token_id, event.actor_via) == (
        "Anne Projektleder",
        anne["id"],
        token["id"],
        "token",
    )
    audit = api.get(f"/cases/{created.json()['id']}/audit", token=ADMIN_TOKEN)
    assert audit.status_code == 200


def test_two_tokens_with_the_same_name_are_told_apart_in_the_audit_log(api: ApiClient) -> None:
    """Issue 15 finding 10: the token's stable id is on every event, not only its name."""
    lead = api.org("Furesø Kommune")
    first = api.post(
        "/tokens", json={"name": "Anne", "role": "manager", "organisation_id": lead["id"]}
    )
    second = api.post(
        "/tokens", json={"name": "Anne", "role": "manager", "organisation_id": lead["id"]}
    )
    ids = []
    for response in (first, second):
        case = api.post("/cases", token=response.json()["token"], json={"title": "Sag"})
        ids.append(case.json()["id"])
    by_case = {e.case_id: e for e in _events(api, "case.created")}
    assert {by_case[ids[0]].actor_name, by_case[ids[1]].actor_name} == {"Anne"}
    assert [by_case[i].actor_token_id for i in ids] == [first.json()["id"], second.json()["id"]]
    assert api.get("/audit/verify").json()["ok"] is True


def test_system_names_are_reserved_for_the_service(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    for name in ("system:reminder-sweep", " SYSTEM:cli", "System:anything"):
        token = api.post(
            "/tokens", json={"name": name, "role": "manager", "organisation_id": lead["id"]}
        )
        assert token.status_code == 422, name
        user = api.post("/users", json={"name": name, "email": "x@example.dk", "role": "auditor"})
        assert user.status_code == 422, name
    with Session(api.db.engine) as session:
        assert session.execute(select(ApiToken)).first() is None
        assert session.execute(select(User)).first() is None


def test_delete_revokes_a_token_at_once_and_twice_changes_nothing(api: ApiClient) -> None:
    """Issue 15 finding 11: tokens can be revoked through the API."""
    lead = api.org("Furesø Kommune")
    created = api.post(
        "/tokens", json={"name": "Integration", "role": "staff", "organisation_id": lead["id"]}
    ).json()
    assert api.get("/cases", token=created["token"]).status_code == 200
    assert api.request("DELETE", f"/tokens/{created['id']}").status_code == 204
    refused = api.get("/cases", token=created["token"])
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert api.request("DELETE", f"/tokens/{created['id']}").status_code == 204
    assert len(_events(api, "token.revoked")) == 1
    assert api.request("DELETE", "/tokens/999999").status_code == 404


def test_a_person_revokes_their_own_token_but_no_one_elses(api: ApiClient) -> None:
    lead, _, anne = _anne(api)
    bo = _personal_token(api, _invite(api, lead, "manager", "Bo Bruger"))
    service = api.post(
        "/tokens", json={"name": "Integration", "role": "staff", "organisation_id": lead["id"]}
    ).json()
    for other in (bo, service):
        assert (
            api.request("DELETE", f"/tokens/{other['id']}", token=anne["token"]).status_code == 404
        )
        assert api.get("/me", token=other["token"]).status_code == 200
    listed = api.get("/tokens", token=anne["token"]).json()
    assert [t["id"] for t in listed["items"]] == [anne["id"]] and "token" not in listed["items"][0]
    assert api.request("DELETE", f"/tokens/{anne['id']}", token=anne["token"]).status_code == 204
    assert api.get("/me", token=anne["token"]).status_code == 401


def test_an_expired_token_is_refused(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    soon = api.clock.now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    past = api.post(
        "/tokens",
        json={"name": "Gammel", "role": "staff", "organisation_id": lead["id"], "expires_at": soon},
    )
    assert past.status_code == 422  # an expiry must lie ahead
    user = _invite(api, lead, "staff", "Søren Holm")
    token = _personal_token(api, user, expires_at="2100-01-01T00:00:00Z")
    assert api.get("/me", token=token["token"]).status_code == 200
    with Session(api.db.engine) as session:
        row = session.get(ApiToken, token["id"])
        assert row is not None and row.last_used_at is not None  # last use is shown
        row.expires_at = row.created_at
        session.add(row)
        session.commit()
    assert api.get("/me", token=token["token"]).status_code == 401


def test_disabling_a_person_ends_their_tokens_and_enabling_does_not_bring_them_back(
    api: ApiClient,
) -> None:
    _, user, token = _anne(api)
    changed = api.patch(f"/users/{user['id']}", json={"status": "disabled"})
    assert changed.status_code == 200 and changed.json()["status"] == "disabled"
    assert api.get("/me", token=token["token"]).status_code == 401
    listed = api.get("/tokens", params={"user_id": user["id"]}).json()["items"]
    assert listed[0]["revoked_at"] is not None
    api.patch(f"/users/{user['id']}", json={"status": "active"})
    assert api.get("/me", token=token["token"]).status_code == 401
    [event, _] = _events(api, "user.changed")
    assert event.data and '"revoked_tokens":[' in event.data


def test_a_role_change_applies_to_the_persons_tokens_at_once(api: ApiClient) -> None:
    lead = api.org("Furesø Kommune")
    user = _invite(api, lead, "staff", "Søren Holm")
    token = _personal_token(api, user)
    assert api.get("/me", token=token["token"]).json()["role"] == "staff"
    assert api.patch(f"/users/{user['id']}", json={"role": "manager"}).status_code == 200
    assert api.get("/me", token=token["token"]).json()["role"] == "manager"


def test_only_admins_manage_users_and_bad_input_is_refused(api: ApiClient) -> None:
    world = api.world()
    for token in (world.manager, world.auditor, world.partner):
        assert api.get("/users", token=token).status_code == 403
        assert (
            api.post(
                "/users",
                token=token,
                json={
                    "name": "X",
                    "email": "x@example.dk",
                    "role": "staff",
                    "organisation_id": world.lead["id"],
                },
            ).status_code
            == 403
        )
    bad = [
        {
            "name": "X",
            "email": "not-an-email",
            "role": "staff",
            "organisation_id": world.lead["id"],
        },
        {"name": "X", "email": "x@example.dk", "role": "king", "organisation_id": world.lead["id"]},
        {"name": "X", "email": "x@example.dk", "role": "staff"},
        {"name": "X", "email": "x@example.dk", "role": "staff", "organisation_id": 999999},
    ]
    for body in bad:
        assert api.post("/users", json=body).status_code == 422, body
    _invite(api, world.lead, "staff", "Søren Holm")
    again = api.post(
        "/users",
        json={
            "name": "Søren",
            "email": "SØREN.HOLM@example.dk".lower(),
            "role": "staff",
            "organisation_id": world.lead["id"],
        },
    )
    assert again.status_code == 409
    assert api.get("/users/999999").status_code == 404
    assert api.patch("/users/999999", json={"status": "disabled"}).status_code == 404
    listed = api.get("/users").json()
    assert listed["total"] == 1 and listed["items"][0]["email"] == "søren.holm@example.dk"
