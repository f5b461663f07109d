"""Bearer tokens: created once, stored only as a hash, looked up by hash; revoked or expired
tokens, and tokens of disabled users, stand for no one.

A token is personal (it belongs to a user and acts with that user's current role,
organisation and status, so changing or disabling the user changes the token at once) or a
service token of an organisation, for an integration, acting with its own role.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlmodel import Session, col

from workflow.access.actor import Actor, is_reserved_name
from workflow.access.policy import may_hold_token
from workflow.access.roles import TOKEN_ROLES, Role
from workflow.audit import writer as audit
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.names import clean_name
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import ApiToken, Organisation, User, UserStatus

TOKEN_PREFIX = "opi_"
ADMIN_BOOTSTRAP_NAME = "bootstrap-admin"
LAST_USE_RESOLUTION = timedelta(minutes=1)
"""A token's last use is written at most this often, so a busy token costs no write per
request."""
DEMO_TOKENS: dict[Role, str] = {
    Role.ADMIN: "demo-admin",
    Role.MANAGER: "demo-manager",
    Role.STAFF: "demo-staff",
    Role.PARTNER: "demo-partner",
    Role.AUDITOR: "demo-auditor",
}
"""The tokens `opi demo` stores, one per role. Published in the README, so they are refused
outside development (`Settings.demo_tokens_accepted`) whatever the database holds."""
DEMO_TOKEN_PREFIX = "demo-"


def hash_token(token: str) -> str:
    """SHA-256 of the token; tokens are long and random, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


DEMO_TOKEN_HASHES = frozenset(hash_token(t) for t in DEMO_TOKENS.values())


def is_demo_token(token: str) -> bool:
    """Whether `token` is (or looks like) a published demo token."""
    return token.startswith(DEMO_TOKEN_PREFIX)


def demo_refused(token_hash: str) -> bool:
    """Whether a stored token with this hash is a demo token that must not work here.

    Checked on the stored hash too, so a `/ui` session started in development with a demo
    token (the session names the token's row) ends when the same database is served in
    production.
    """
    return token_hash in DEMO_TOKEN_HASHES and not get_settings().demo_tokens_accepted


def check_name(name: str, what: str) -> str:
    """The cleaned name (`workflow.core.names`: trimmed, then checked for emptiness, length
    and control characters); reserved (`system:…`) names are refused too."""
    try:
        cleaned = clean_name(name, f"{what}'s name")
    except ValueError as exc:
        raise InvalidInput(f"Refused: {exc}.") from None
    if is_reserved_name(cleaned):
        raise InvalidInput("Names starting with 'system:' are reserved for the service itself.")
    return cleaned


def check_role_and_organisation(
    session: Session, role: str | None, organisation_id: int | None, holder: str
) -> str:
    """`role`, if a token or a person may have it in `organisation_id`, which must exist; else
    `InvalidInput`. `holder` is who would hold the role, as the refusal names it."""
    if role is None or role not in TOKEN_ROLES:
        raise InvalidInput(f"Unknown role {role!r}.")
    if not may_hold_token(Role(role), organisation_id):
        raise InvalidInput(f"A {holder} must belong to an organisation.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput(f"Organisation {organisation_id} does not exist.")
    return role


def create_token(
    work: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    role: str | None = None,
    organisation_id: int | None = None,
    user_id: int | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token row and the token itself (shown once, never stored). Audited.

    With `user_id` it is that user's personal token (`role` and `organisation_id`, if given,
    must be the user's); without, a service token with `role` in `organisation_id` (admins'
    and auditors' may belong to no organisation).
    """
    name = check_name(name, "token")
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("A token's expiry must lie in the future.")
    if user_id is not None:
        user = work.session.get(User, user_id)
        if user is None:
            raise InvalidInput(f"User {user_id} does not exist.")
        if user.status != UserStatus.ACTIVE.value:
            raise InvalidInput(f"User {user_id} is disabled.")
        if (role is not None and role != user.role) or (
            organisation_id is not None and organisation_id != user.organisation_id
        ):
            raise InvalidInput("A personal token has its user's role and organisation.")
        role, organisation_id = user.role, user.organisation_id
    role = check_role_and_organisation(work.session, role, organisation_id, f"{role} token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = work.insert(
        ApiToken(
            name=name,
            role=role,
            organisation_id=organisation_id,
            user_id=user_id,
            token_hash=hash_token(secret),
            expires_at=expires_at,
            created_at=now,
        )
    )
    audit.record(
        work,
        actor,
        "token.created",
        {
            "token_id": row.id,
            "name": row.name,
            "role": role,
            "organisation_id": organisation_id,
            "user_id": user_id,
            "expires_at": expires_at,
        },
    )
    return row, secret


def revoke_token(work: UnitOfWork, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token at once (its sessions end with it). Revoking it again changes nothing.

    `NotFound` when there is no such token. Audited; does not commit.
    """
    row = work.session.get(ApiToken, token_id, with_for_update=True)
    if row is None:
        raise NotFound(f"Token {token_id} was not found.")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(work, actor, "token.revoked", {"token_id": row.id, "name": row.name}, at=now)
    return row


def revoke_user_tokens(session: Session, user_id: int, now: datetime) -> list[int]:
    """Revoke every live token of a user; the ids revoked (the caller audits)."""
    rows = session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
        .returning(col(ApiToken.id))
    ).all()
    return sorted(row[0] for row in rows)


def actor_for_token(
    session: Session, token: str, admin_token: str | None, now: datetime | None = None
) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown, revoked or expired, its
    user is disabled, or it is a demo token outside development."""
    if is_demo_token(token) and not get_settings().demo_tokens_accepted:
        return None
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Actor(name=ADMIN_BOOTSTRAP_NAME, role=Role.ADMIN)
    # Only the columns an actor needs, as a plain row: every API request runs this. On the
    # session's connection: `Session.execute` would run a column-only select through the
    # ORM's execution and result machinery for nothing (about twice the CPU of the statement).
    row = (
        session.connection().execute(_TOKEN_LOOKUP, {"token_hash": hash_token(token)}).one_or_none()
    )
    if row is None:
        return None
    actor = _live_actor(row, now or utcnow())
    if actor is not None and _last_use_is_stale(row.last_used_at, now or utcnow()):
        session.execute(_NOTE_USE, {"token_id": row.id, "now": now or utcnow()})
        session.commit()  # nothing else has happened in this session yet
    return actor


def actor_for_token_id(session: Session, token_id: int, now: datetime) -> Actor | None:
    """The actor of the token with this id, under the same rules as `actor_for_token`."""
    row = session.execute(_TOKEN_BY_ID, {"id": token_id}).one_or_none()
    return None if row is None else _live_actor(row, now)


def _live_actor(row: Any, now: datetime) -> Actor | None:
    """The actor of a `_TOKEN_COLUMNS` row, or None when the token no longer stands for one."""
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if demo_refused(row.token_hash):
        return None
    if row.user_id is None:
        return Actor(
            name=row.name, role=row.role, organisation_id=row.organisation_id, token_id=row.id
        )
    if row.user_status != UserStatus.ACTIVE.value:
        return None
    return Actor(
        name=row.user_name,
        role=row.user_role,
        organisation_id=row.user_organisation_id,
        token_id=row.id,
        user_id=row.user_id,
    )


def _last_use_is_stale(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USE_RESOLUTION


_TOKEN_COLUMNS: Select[Any] = select(  # type: ignore[assignment]
    col(ApiToken.id),
    col(ApiToken.name),
    col(ApiToken.role),
    col(ApiToken.organisation_id),
    col(ApiToken.token_hash),
    col(ApiToken.revoked_at),
    col(ApiToken.expires_at),
    col(ApiToken.last_used_at),
    col(ApiToken.user_id),
    col(User.name).label("user_name"),
    col(User.role).label("user_role"),
    col(User.organisation_id).label("user_organisation_id"),
    col(User.status).label("user_status"),
).outerjoin(User, col(User.id) == col(ApiToken.user_id))
_TOKEN_LOOKUP = _TOKEN_COLUMNS.where(col(ApiToken.token_hash) == bindparam("token_hash"))
_TOKEN_BY_ID = _TOKEN_COLUMNS.where(col(ApiToken.id) == bindparam("id"))
_NOTE_USE = (
    update(ApiToken)
    .where(col(ApiToken.id) == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)
