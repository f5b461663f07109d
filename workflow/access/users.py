"""People: inviting, listing, changing roles and disabling users (issue 16).

Disabling a person ends their sessions and revokes their tokens in the same transaction, so
nothing they started keeps working; the token lookup and the session check also refuse a
disabled user, whichever comes first.
"""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.tokens import check_name, check_role_and_organisation, revoke_user_tokens
from workflow.audit import writer as audit
from workflow.core.errors import Conflict, InvalidInput, NotFound, check_text
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import User, UserStatus, WebSessionRow


def normalise_email(email: str) -> str:
    """Emails are compared without case: `Anne@Furesoe.dk` is `anne@furesoe.dk`."""
    check_text(email, "email")
    return email.strip().lower()


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (without case), if any."""
    return session.execute(
        select(User).where(col(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def invite_user(
    work: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    email: str,
    role: str,
    organisation_id: int | None,
    now: datetime,
) -> User:
    """A new active user; their first single sign-on with this email links them. Audited."""
    name = check_name(name, "user")
    email = normalise_email(email)
    check_role_and_organisation(work.session, role, organisation_id, role)
    if user_by_email(work.session, email) is not None:
        raise Conflict(f"A user with the email {email} already exists.")
    user = work.insert(
        User(name=name, email=email, role=role, organisation_id=organisation_id, created_at=now)
    )
    audit.record(
        work,
        actor,
        "user.invited",
        {
            "user_id": user.id,
            "name": name,
            "email": email,
            "role": role,
            "organisation_id": organisation_id,
        },
        at=now,
    )
    return user


def get_user(session: Session, user_id: int) -> User:
    """The user, or `NotFound`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} was not found.")
    return user


def list_users(
    session: Session, *, organisation_id: int | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[User], int]:
    """Users by name (optionally of one organisation) and their total."""
    where = [] if organisation_id is None else [col(User.organisation_id) == organisation_id]
    total = session.execute(select(func.count()).select_from(User).where(*where)).scalar_one()
    rows = session.execute(
        select(User)
        .where(*where)
        .order_by(col(User.name), col(User.id))
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(rows), int(total)


def change_user(
    work: UnitOfWork,
    actor: Actor,
    user_id: int,
    *,
    role: str | None = None,
    status: str | None = None,
    now: datetime,
) -> User:
    """Change a user's role and/or status. Disabling ends their sessions and tokens at once;
    enabling again does not bring those back. Audited; does not commit."""
    user = work.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(f"User {user_id} was not found.")
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        check_role_and_organisation(work.session, role, user.organisation_id, role)
        changes["role"] = {"before": user.role, "after": role}
        user.role = role
    if status is not None and status != user.status:
        if status not in {s.value for s in UserStatus}:
            raise InvalidInput(f"Unknown status {status!r}.")
        if user.id == actor.user_id and status == UserStatus.DISABLED.value:
            raise Conflict("You cannot disable yourself.")
        changes["status"] = {"before": user.status, "after": status}
        user.status = status
        if status == UserStatus.DISABLED.value:
            user.disabled_at = now
            changes["revoked_tokens"] = revoke_user_tokens(work.session, user_id, now)
            changes["ended_sessions"] = end_user_sessions(work.session, user_id, now)
        else:
            user.disabled_at = None
    if changes:
        work.session.add(user)
        work.session.flush()
        audit.record(work, actor, "user.changed", {"user_id": user_id, **changes}, at=now)
    return user


def end_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every open web session of a user; how many were ended."""
    result = session.execute(
        update(WebSessionRow)
        .where(col(WebSessionRow.user_id) == user_id, col(WebSessionRow.ended_at).is_(None))
        .values(ended_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
