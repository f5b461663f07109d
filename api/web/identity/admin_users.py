"""`/ui/admin/users`: admins invite people, change their role, disable and enable them, and say
which organisations create users at their first single sign-on (issue 16).

Every form calls the service the API uses (`invite_user`, `change_user`), so the rules and the
audit events are the same; disabling ends that person's sessions and tokens at once. A refused
form is shown again as typed, with a Danish (or English) message beside the field.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col

from api.deps import SessionDep
from api.schemas.common import Id
from api.web.auth import FormDep, PageForbidden, UserDep
from api.web.form_input import Submitted
from api.web.render import WEB_PREFIX, WebUser, render
from workflow.access.organisations import set_sso_creates_users
from workflow.access.policy import Action, may
from workflow.access.roles import TOKEN_ROLES
from workflow.access.users import change_user, invite_user, list_users, user_by_email
from workflow.core.errors import Conflict, InvalidInput, NotFound
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, UserStatus

router = APIRouter()

PAGE = f"{WEB_PREFIX}/admin/users"
LIST_LIMIT = 200
DONE = frozenset({"invited", "changed", "disabled", "enabled", "sso"})


def _require_admin(user: WebUser) -> None:
    if not may(user.actor, Action.MANAGE_USERS):
        raise PageForbidden()


def _page(
    request: Request,
    db: Session,
    user: WebUser,
    *,
    typed: Submitted | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users, total = list_users(db, limit=LIST_LIMIT)
    organisations = list(
        db.execute(select(Organisation).order_by(col(Organisation.name))).scalars()
    )
    names = {o.id: o.name for o in organisations}
    return render(
        request,
        "admin_users.html",
        {
            "active": "users",
            "users": users,
            "total": total,
            "organisation_names": names,
            "organisations": organisations,
            "roles": [r.value for r in TOKEN_ROLES],
            "typed": typed,
            "done": done if done in DONE else None,
            "me": user.actor.user_id,
            "disabled": UserStatus.DISABLED.value,
        },
        status_code=status_code,
        user=user,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, db: SessionDep, user: UserDep, done: str | None = None
) -> HTMLResponse:
    """Everyone who may sign in, the invite form and the organisations' sign-on setting."""
    _require_admin(user)
    return _page(request, db, user, done=done)


@router.post("/admin/users", response_class=HTMLResponse)
def invite(request: Request, db: SessionDep, user: UserDep, form: FormDep) -> Response:
    """Invite a person: their first single sign-on with this email links them."""
    _require_admin(user)
    typed = Submitted.of("invite", form, ("name", "email", "role", "organisation_id"))
    name = typed.text("name", max_length=200)
    email = typed.text("email", max_length=320)
    if email and ("@" not in email or " " in email):
        typed.refuse("email", "users.email_invalid")
    role = typed.value("role")
    if role not in {r.value for r in TOKEN_ROLES}:
        typed.refuse("role", "form.invalid")
    organisation_id = typed.integer("organisation_id") if typed.value("organisation_id") else None
    if typed.ok and user_by_email(db, email) is not None:
        typed.refuse("email", "users.email_taken")
    if not typed.ok:
        return _page(request, db, user, typed=typed, status_code=422)
    work = UnitOfWork(db)
    try:
        invite_user(
            work,
            user.actor,
            name=name,
            email=email,
            role=role,
            organisation_id=organisation_id,
            now=utcnow(),
        )
    except (InvalidInput, Conflict):
        db.rollback()
        typed.refuse("organisation_id", "users.role_needs_organisation")
        return _page(request, db, user, typed=typed, status_code=422)
    work.commit()
    return RedirectResponse(f"{PAGE}?done=invited", status_code=303)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def change(request: Request, db: SessionDep, user: UserDep, form: FormDep, user_id: Id) -> Response:
    """Change a person's role, or disable or enable them."""
    _require_admin(user)
    typed = Submitted.of(f"user-{user_id}", form, ("role", "status"))
    role = typed.value("role") or None
    status = typed.value("status") or None
    if role is not None and role not in {r.value for r in TOKEN_ROLES}:
        typed.refuse("role", "form.invalid")
    if status is not None and status not in {s.value for s in UserStatus}:
        typed.refuse("status", "form.invalid")
    if not typed.ok:
        return _page(request, db, user, typed=typed, status_code=422)
    work = UnitOfWork(db)
    try:
        change_user(work, user.actor, user_id, role=role, status=status, now=utcnow())
    except NotFound:
        db.rollback()
        raise
    except InvalidInput:
        db.rollback()
        typed.refuse("role", "users.role_needs_organisation")
        return _page(request, db, user, typed=typed, status_code=422)
    except Conflict:
        db.rollback()
        typed.refuse("status", "users.not_yourself")
        return _page(request, db, user, typed=typed, status_code=409)
    work.commit()
    done = {UserStatus.DISABLED.value: "disabled", UserStatus.ACTIVE.value: "enabled"}.get(
        status or "", "changed"
    )
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


@router.post("/admin/organisations/{organisation_id}/sso", response_class=HTMLResponse)
def organisation_sso(
    request: Request, db: SessionDep, user: UserDep, form: FormDep, organisation_id: Id
) -> Response:
    """Turn just-in-time users on or off for one organisation."""
    _require_admin(user)
    work = UnitOfWork(db)
    set_sso_creates_users(
        work, user.actor, organisation_id, form.get("sso_creates_users") == "on", utcnow()
    )
    work.commit()
    return RedirectResponse(f"{PAGE}?done=sso", status_code=303)
