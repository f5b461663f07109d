"""`Idempotency-Key` on POST: a repeat replays the first answer and changes nothing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session, col

import api.http.idempotency as idempotency
from tests.api_helpers import ApiClient, World, create_case, etag_of
from workflow.core.db import get_engine
from workflow.core.timeutil import utcnow
from workflow.models import ApiToken, AuditEvent, Case, IdempotencyRecord, Organisation


@pytest.fixture
def world(api: ApiClient) -> World:
    """The usual cast of organisations and tokens."""
    return api.world()


def _count(api: ApiClient, model: Any, *where: Any) -> int:
    with Session(api.db.engine) as session:
        return int(
            session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
        )


def _events(api: ApiClient, action: str) -> int:
    return _count(api, AuditEvent, col(AuditEvent.action) == action)


def test_repeat_with_same_body_replays_first_response(api: ApiClient, world: World) -> None:
    key = {"Idempotency-Key": "create-case-1"}
    body = {"title": "Rolige dage", "need": {"description": "Uro om eftermiddagen"}}
    first = api.post("/cases", token=world.manager, json=body, headers=key)
    api.clock.advance(minutes=5)
    # Same JSON, other key order and spacing: still the same body.
    again = api.post(
        "/cases",
        token=world.manager,
        content=b'{"need": {"description": "Uro om eftermiddagen"},  "title": "Rolige dage"}',
        headers={**key, "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    for header in ("location", "etag", "content-type"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(api, Case) == 1
    assert _events(api, "case.created") == 1


def test_same_key_with_other_body_or_path_is_422(api: ApiClient, world: World) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert api.post("/cases", token=world.manager, json={"title": "A"}, headers=key).status_code
    other_body = api.post("/cases", token=world.manager, json={"title": "B"}, headers=key)
    assert other_body.status_code == 422
    assert other_body.json()["type"].endswith("/idempotency-key-reused")
    other_path = api.post(
        "/organisations",
        token=world.manager,
        json={"title": "A"},
        headers=key,
    )
    assert other_path.status_code == 422
    assert _count(api, Case) == 1
    assert _events(api, "case.created") == 1


def test_keys_belong_to_their_caller(api: ApiClient, world: World) -> None:
    key = {"Idempotency-Key": "shared"}
    body = {"title": "A"}
    a = api.post("/cases", token=world.manager, json=body, headers=key)
    b = api.post("/cases", token=world.staff, json=body, headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_without_a_key_every_post_acts(api: ApiClient, world: World) -> None:
    for _ in range(2):
        assert api.post("/cases", token=world.manager, json={"title": "A"}).status_code == 201
    assert _count(api, Case) == 2


def test_transition_replay_changes_nothing(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    path = f"/cases/{case['id']}/transitions"
    headers = {"Idempotency-Key": "pause-1", "If-Match": '"1"'}
    body = {"trigger": "pause", "reason": "Afventer budget"}
    first = api.post(path, token=world.manager, json=body, headers=headers)
    assert first.status_code == 200 and first.json()["on_hold"] is True
    # The If-Match is stale now, yet the repeat is the first request again: it replays.
    again = api.post(path, token=world.manager, json=body, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert etag_of(api, case["id"], world.manager) == '"2"'
    assert _events(api, "case.transition") == 1


def test_refused_transition_replays_its_refusal(api: ApiClient, world: World) -> None:
    case = create_case(api, world)
    path = f"/cases/{case['id']}/transitions"
    headers = {"Idempotency-Key": "advance-1", "If-Match": '"1"'}
    first = api.post(path, token=world.manager, json={"trigger": "advance"}, headers=headers)
    again = api.post(path, token=world.manager, json={"trigger": "advance"}, headers=headers)
    assert first.status_code == again.status_code == 409
    assert again.content == first.content
    assert again.headers["content-type"] == "application/problem+json"
    assert _events(api, "case.transition_refused") == 1


def test_token_replay_does_not_show_the_token_again(api: ApiClient, world: World) -> None:
    key = {"Idempotency-Key": "token-1"}
    body = {"name": "Anne", "role": "manager", "organisation_id": world.lead["id"]}
    first = api.post("/tokens", json=body, headers=key)
    again = api.post("/tokens", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["token"].startswith("opi_")
    assert again.json() == {**first.json(), "token": None}
    assert _count(api, ApiToken, col(ApiToken.name) == "Anne") == 1
    with Session(api.db.engine) as session:
        stored = session.execute(select(col(IdempotencyRecord.response_body))).scalars().all()
        assert not any(first.json()["token"] in text for text in stored)


def test_organisation_replay_keeps_its_webhook_secret(api: ApiClient) -> None:
    key = {"Idempotency-Key": "org-1"}
    body = {
        "name": "Hook ApS",
        "kind": "company",
        "email": "hook@example.dk",
        "webhook_url": "https://hooks.example.dk/opi",
    }
    first = api.post("/organisations", json=body, headers=key)
    again = api.post("/organisations", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["webhook_secret"] and again.json() == first.json()
    assert _count(api, Organisation, col(Organisation.name) == "Hook ApS") == 1


def test_invalid_keys_are_422(api: ApiClient, world: World) -> None:
    for key in ("", " ", "x" * 201, "æøå".encode("latin-1"), "tab\there"):
        response = api.post(
            "/cases", token=world.manager, json={"title": "A"}, headers={"Idempotency-Key": key}
        )
        assert response.status_code == 422, repr(key)
    assert _count(api, Case) == 0


def test_unreadable_bodies_with_a_key_are_refused_and_replayed(
    api: ApiClient, world: World
) -> None:
    for raw in (b"[" * 100_000, b"{", b"\xff"):
        headers = {"Idempotency-Key": f"bad-{len(raw)}", "Content-Type": "application/json"}
        first = api.post("/cases", token=world.manager, content=raw, headers=headers)
        again = api.post("/cases", token=world.manager, content=raw, headers=headers)
        assert 400 <= first.status_code < 500
        assert (again.status_code, again.content) == (first.status_code, first.content)
    assert _count(api, Case) == 0


def test_concurrent_repeats_act_once(api: ApiClient, world: World) -> None:
    body = {"title": "Samtidig", "need": {"description": "x"}}
    headers = {"Idempotency-Key": "race-1"}

    def post(_: int) -> Any:
        return api.post("/cases", token=world.manager, json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 5
    assert _count(api, Case) == 1
    assert _events(api, "case.created") == 1


def test_a_request_still_running_answers_409_after_waiting(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    principal = f"token:{_token_id(api, 'manager Furesø Kommune')}"
    _pending(api, principal, "busy", age=timedelta(seconds=1), path="/api/v1/cases")
    response = api.post(
        "/cases", token=world.manager, json={"title": "A"}, headers={"Idempotency-Key": "busy"}
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/idempotency-key-in-use")
    assert response.headers["retry-after"] == "1"
    assert _count(api, Case) == 0


def test_a_crashed_requests_claim_is_taken_over(api: ApiClient, world: World) -> None:
    principal = f"token:{_token_id(api, 'manager Furesø Kommune')}"
    _pending(api, principal, "crashed", age=idempotency.LEASE * 2, path="/api/v1/cases")
    response = api.post(
        "/cases", token=world.manager, json={"title": "A"}, headers={"Idempotency-Key": "crashed"}
    )
    assert response.status_code == 201
    assert _count(api, Case) == 1


def _token_id(api: ApiClient, name: str) -> int:
    with Session(api.db.engine) as session:
        token_id = session.execute(
            select(col(ApiToken.id)).where(col(ApiToken.name) == name)
        ).scalar_one()
        assert token_id is not None
        return token_id


def _pending(api: ApiClient, principal: str, key: str, age: timedelta, path: str) -> None:
    """A claim as a request that is still running (or crashed) would have left it."""
    import hashlib
    import json

    from workflow.audit.writer import canonical_json

    body_hash = hashlib.sha256(
        f"POST {path}?".encode() + b"\n" + canonical_json(json.loads('{"title": "A"}')).encode()
    ).hexdigest()
    with Session(api.db.engine) as session:
        session.add(
            IdempotencyRecord(
                principal=principal,
                key=key,
                method="POST",
                path=path,
                body_hash=body_hash,
                status_code=0,
                response_headers={},
                response_body="",
                created_at=utcnow() - age,
            )
        )
        session.commit()


def test_a_request_with_a_key_looks_its_token_up_once(api: ApiClient, world: World) -> None:
    lookups: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM api_tokens" in statement:
            lookups.append(statement)

    engine = get_engine()  # the app's own engine, the one the middleware and routes use
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        created = api.post(
            "/cases",
            token=world.manager,
            json={"title": "Rolige dage"},
            headers={"Idempotency-Key": "once"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert created.status_code == 201
    assert len(lookups) == 1, lookups
