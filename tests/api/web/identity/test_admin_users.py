"""`/ui/admin/users`: admins invite, change roles, disable and enable people; disabling ends the
person's sessions and tokens at once. Both databases."""

import json

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlmodel import Session, col

from tests.web_support import WebApp, csrf_of, sign_in
from workflow.models import AuditEvent, Organisation, Role, User


def _admin(web: WebApp) -> TestClient:
    """A browser signed in with an admin's personal token."""
    _, token = web.invite("Ada Admin", "ada@opi.example", Role.ADMIN)
    client = web.client()
    assert sign_in(client, token).status_code == 303
    return client


def _invite(admin: TestClient, page: str, name: str, email: str, organisation: str) -> Response:
    """Send the users page's invite form for a member of staff (`organisation`: its id)."""
    return admin.post(
        "/ui/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "name": name,
            "email": email,
            "role": Role.STAFF.value,
            "organisation_id": organisation,
        },
    )


def _furesoe_id(web: WebApp) -> int:
    return web.org_id("Furesø Kommune")


def _user(web: WebApp, email: str) -> User | None:
    with Session(web.db.engine) as s:
        return s.execute(select(User).where(col(User.email) == email)).scalar_one_or_none()


def _actions(web: WebApp) -> list[str]:
    with Session(web.db.engine) as s:
        return list(s.execute(select(AuditEvent.action).order_by(col(AuditEvent.id))).scalars())


def test_only_admins_see_the_page(web: WebApp) -> None:
    manager = web.signed_in("manager")
    assert manager.get("/ui/admin/users").status_code == 403
    assert 'data-testid="nav-users"' not in manager.get("/ui/overview").text
    admin = _admin(web)
    page = admin.get("/ui/admin/users")
    assert page.status_code == 200 and "Inviter en person" in page.text
    assert 'data-testid="nav-users"' in admin.get("/ui/overview").text


def test_invite_change_role_disable_and_enable(web: WebApp) -> None:
    admin = _admin(web)
    page = admin.get("/ui/admin/users")
    furesoe = str(_furesoe_id(web))
    invited = _invite(admin, page.text, "Søren Sagsbehandler", "Soeren@Furesoe.dk", furesoe)
    assert invited.status_code == 303 and invited.headers["location"].endswith("done=invited")
    user = _user(web, "soeren@furesoe.dk")
    assert user is not None and user.role == Role.STAFF.value
    page = admin.get(invited.headers["location"])
    assert "Personen er inviteret" in page.text and "soeren@furesoe.dk" in page.text

    changed = admin.post(
        f"/ui/admin/users/{user.id}",
        data={"csrf_token": csrf_of(page.text), "role": Role.MANAGER.value},
    )
    assert changed.status_code == 303
    user = _user(web, "soeren@furesoe.dk")
    assert user is not None and user.role == Role.MANAGER.value

    disabled = admin.post(
        f"/ui/admin/users/{user.id}", data={"csrf_token": csrf_of(page.text), "status": "disabled"}
    )
    assert disabled.headers["location"].endswith("done=disabled")
    user = _user(web, "soeren@furesoe.dk")
    assert user is not None and user.status == "disabled"
    admin.post(
        f"/ui/admin/users/{user.id}", data={"csrf_token": csrf_of(page.text), "status": "active"}
    )
    user = _user(web, "soeren@furesoe.dk")
    assert user is not None and user.status == "active"
    assert _actions(web)[-4:] == ["user.invited", "user.changed", "user.changed", "user.changed"]


def test_disabling_ends_the_persons_session_and_tokens_at_once(web: WebApp) -> None:
    person, token = web.invite("Lise Leder", "lise@furesoe.dk", Role.MANAGER, _furesoe_id(web))
    lise = web.client()
    assert sign_in(lise, token).status_code == 303
    assert lise.get("/ui/overview").status_code == 200
    assert lise.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    admin = _admin(web)
    page = admin.get("/ui/admin/users")
    admin.post(
        f"/ui/admin/users/{person.id}",
        data={"csrf_token": csrf_of(page.text), "status": "disabled"},
    )
    after = lise.get("/ui/overview")
    assert after.status_code == 303 and after.headers["location"].startswith("/ui/login")
    assert lise.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with Session(web.db.engine) as s:
        event = s.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "user.changed")
        ).scalar_one()
    data = json.loads(event.data)
    assert data["ended_sessions"] == 1 and len(data["revoked_tokens"]) == 1


def test_bad_invite_is_refused_beside_the_field_and_creates_nothing(web: WebApp) -> None:
    admin = _admin(web)
    page = admin.get("/ui/admin/users")
    before = _actions(web)
    refused = _invite(admin, page.text, "Uden Adresse", "ikke-en-adresse", "")
    assert refused.status_code == 422
    assert 'id="invite-email-error"' in refused.text
    assert "Skriv en gyldig e-mailadresse." in refused.text
    assert 'value="Uden Adresse"' in refused.text  # typed values kept
    no_org = _invite(admin, page.text, "Uden Organisation", "uden@furesoe.dk", "")
    assert no_org.status_code == 422 and "Denne rolle kræver en organisation." in no_org.text
    assert _user(web, "uden@furesoe.dk") is None
    assert _actions(web) == before
    assert admin.post("/ui/admin/users", data={"name": "x"}).status_code == 403  # no CSRF


def test_admin_cannot_disable_themself(web: WebApp) -> None:
    admin = _admin(web)
    me = _user(web, "ada@opi.example")
    assert me is not None
    page = admin.get("/ui/admin/users")
    refused = admin.post(
        f"/ui/admin/users/{me.id}", data={"csrf_token": csrf_of(page.text), "status": "disabled"}
    )
    assert refused.status_code == 409 and "Du kan ikke deaktivere dig selv." in refused.text


def test_just_in_time_setting_per_organisation_is_audited(web: WebApp) -> None:
    admin = _admin(web)
    page = admin.get("/ui/admin/users")
    org_id = _furesoe_id(web)
    done = admin.post(
        f"/ui/admin/organisations/{org_id}/sso",
        data={"csrf_token": csrf_of(page.text), "sso_creates_users": "on"},
    )
    assert done.status_code == 303
    with Session(web.db.engine) as s:
        org = s.get(Organisation, org_id)
        assert org is not None and org.sso_creates_users is True
    assert _actions(web)[-1] == "organisation.sso_changed"
    manager = web.signed_in("manager")
    refused = manager.post(
        f"/ui/admin/organisations/{org_id}/sso",
        data={"csrf_token": csrf_of(manager.get("/ui/overview").text)},
    )
    assert refused.status_code == 403


def test_huge_or_unknown_ids_answer_404(web: WebApp) -> None:
    admin = _admin(web)
    csrf = csrf_of(admin.get("/ui/admin/users").text)
    for path in (
        "/ui/admin/users/99999999999999999999",
        "/ui/admin/users/2147483647",
        "/ui/admin/organisations/2147483648/sso",
        "/ui/admin/organisations/999999/sso",
    ):
        response = admin.post(path, data={"csrf_token": csrf, "status": "disabled"})
        assert response.status_code == 404, (path, response.status_code)
