"""The pages' sessions stored in the database (issue 16 item 5; issue 15 finding 11): the
cookie holds only a random id, sign-in rotates it, signing out ends the session for good, a
disabled person's next request is refused, and token sign-in exists in development only."""

import hashlib

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from api.web.session import decode_anonymous
from tests.web_support import WebApp, csrf_of, sign_in
from workflow.access.actor import SYSTEM_CLI
from workflow.access.roles import Role
from workflow.access.users import change_user
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent, WebSessionRow


def _session_cookie(client: object) -> str:
    value = client.cookies.get("opi_session", path="/ui")  # type: ignore[attr-defined]
    assert isinstance(value, str)
    return value


def _rows(web: WebApp) -> list[WebSessionRow]:
    with Session(web.db.engine) as session:
        return list(
            session.execute(select(WebSessionRow).order_by(col(WebSessionRow.id))).scalars()
        )


def test_the_cookie_holds_only_a_random_id_and_the_database_only_its_hash(web: WebApp) -> None:
    client = web.signed_in("manager")
    value = _session_cookie(client)
    assert "." not in value and len(value) >= 40  # no signed payload: a random id
    [row] = _rows(web)
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest() and row.via == "token"
    assert value not in (row.id_hash, row.csrf)


def test_a_session_cookie_replayed_after_sign_out_is_refused(web: WebApp) -> None:
    """Issue 15 finding 11: logging out used to leave the (signed) cookie valid for 8 hours."""
    client = web.signed_in("manager")
    stolen = _session_cookie(client)
    board = client.get("/ui/cases")
    assert client.post("/ui/logout", data={"csrf_token": csrf_of(board.text)}).status_code == 303
    replay = web.client()
    replay.cookies.set("opi_session", stolen, path="/ui")
    response = replay.get("/ui/cases")
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/login")
    [row] = _rows(web)
    assert row.ended_at is not None


def test_signing_in_rotates_the_id_and_ends_the_browsers_previous_session(web: WebApp) -> None:
    client = web.signed_in("manager")
    first = _session_cookie(client)
    assert sign_in(client, web.world.tokens["staff"]).status_code == 303
    second = _session_cookie(client)
    assert second != first
    old, new = _rows(web)
    assert old.ended_at is not None and new.ended_at is None
    who = client.get("/ui/cases")
    assert "Søren Holm" in who.text


def test_a_disabled_persons_next_request_is_refused(web: WebApp) -> None:
    furesoe = web.org_id("Furesø Kommune")
    user, token = web.invite("Anne Projektleder", "anne@furesoe.dk", Role.MANAGER, furesoe)
    client = web.client()
    assert sign_in(client, token).status_code == 303
    assert "Anne Projektleder" in client.get("/ui/cases").text
    with Session(web.db.engine) as session:
        assert user.id is not None
        work = UnitOfWork(session)
        change_user(work, SYSTEM_CLI, user.id, status="disabled", now=utcnow())
        work.commit()
    response = client.get("/ui/cases")
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/login")
    assert all(row.ended_at is not None for row in _rows(web))


def test_sign_in_and_out_are_audited_with_the_method(web: WebApp) -> None:
    client = web.signed_in("manager")
    board = client.get("/ui/cases")
    client.post("/ui/logout", data={"csrf_token": csrf_of(board.text)})
    with Session(web.db.engine) as session:
        events = session.execute(
            select(AuditEvent).where(col(AuditEvent.action).in_(["signin.succeeded", "signout"]))
        ).scalars()
        seen = [(e.action, e.actor_name, e.actor_via) for e in events]
    assert seen == [
        ("signin.succeeded", "Mette Madsen", "token"),
        ("signout", "Mette Madsen", "token"),
    ]


def test_token_sign_in_is_refused_in_production(
    web: WebApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPI_ENVIRONMENT", "production")
    monkeypatch.setenv("OPI_SECRET_KEY", "a-long-production-secret-key-for-tests")
    monkeypatch.setenv("OPI_AUDIT_KEY", "a-long-production-audit-key-for-tests")
    get_settings.cache_clear()
    client = web.client()
    page = client.get("/ui/login")
    assert page.status_code == 200 and 'name="token"' not in page.text
    assert "Der er ikke sat nogen identitetsudbyder op" in page.text
    anonymous = decode_anonymous(_session_cookie(client), get_settings())
    assert anonymous is not None
    response = client.post(
        "/ui/login",
        data={"csrf_token": anonymous.csrf, "token": web.world.tokens["manager"], "next": "/ui/"},
    )
    assert response.status_code == 403
    assert "Log-in med token er slået fra" in response.text
    assert _rows(web) == []
