"""The web pages' sessions, stored in the database (issue 16; issue 15 finding 11).

The browser's cookie holds only a random id; the row is found by the id's hash, so reading the
table gives no one a usable cookie. A session ends when the person signs out, when its idle
timeout or absolute lifetime passes, when its user is disabled or its token revoked, and a new
sign-in in the same browser ends the one before (the id is rotated at every sign-in).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.sign_in import actor_of
from workflow.access.tokens import ADMIN_BOOTSTRAP_NAME, actor_for_token_id, hash_token
from workflow.models import Role, User, UserStatus, WebSessionRow

TOUCH_RESOLUTION = timedelta(seconds=60)
"""A session's last activity is written at most this often."""


def hash_session_id(raw_id: str) -> str:
    """What the table keeps of a session id."""
    return hashlib.sha256(raw_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Lifetimes:
    """How long a session lives: since its last request, and at most in all."""

    idle: timedelta
    absolute: timedelta


@dataclass(slots=True)
class LiveSession:
    """A signed-in session that is still valid, and who it stands for."""

    row_id: int
    csrf: str
    actor: Actor
    via: str


def start_session(
    db: Session,
    *,
    via: str,
    now: datetime,
    lifetimes: Lifetimes,
    user_id: int | None = None,
    token_id: int | None = None,
    admin_token: str | None = None,
    replaces: int | None = None,
) -> tuple[str, WebSessionRow]:
    """A new session row and its random id (for the cookie; only its hash is stored).

    `replaces` is the browser's previous session, ended here: a sign-in always rotates the id.
    Does not commit.
    """
    if replaces is not None:
        end_session(db, replaces, now)
    raw_id = secrets.token_urlsafe(32)
    row = WebSessionRow(
        id_hash=hash_session_id(raw_id),
        csrf=secrets.token_urlsafe(32),
        via=via,
        user_id=user_id,
        token_id=token_id,
        admin_hash=hash_token(admin_token) if admin_token else None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetimes.absolute,
    )
    db.add(row)
    db.flush()
    return raw_id, row


def end_session(db: Session, row_id: int, now: datetime) -> None:
    """End a session (signing out); ending it again changes nothing. Does not commit."""
    db.execute(
        update(WebSessionRow)
        .where(col(WebSessionRow.id) == row_id, col(WebSessionRow.ended_at).is_(None))
        .values(ended_at=now)
    )


def live_session(
    db: Session, raw_id: str, now: datetime, lifetimes: Lifetimes, admin_token: str | None
) -> LiveSession | None:
    """The session behind a cookie's id if it is still valid, else None.

    Records the request as the session's last activity (at most once a minute; commits then).
    """
    row = db.execute(
        select(WebSessionRow).where(col(WebSessionRow.id_hash) == hash_session_id(raw_id))
    ).scalar_one_or_none()
    if (
        row is None
        or row.ended_at is not None
        or now >= row.expires_at
        or now - row.last_seen_at >= lifetimes.idle
    ):
        return None
    actor = _actor_of(db, row, now, admin_token)
    if actor is None:
        return None
    assert row.id is not None
    if now - row.last_seen_at >= TOUCH_RESOLUTION:
        row.last_seen_at = now
        db.commit()
    return LiveSession(row.id, row.csrf, actor, row.via)


def _actor_of(
    db: Session, row: WebSessionRow, now: datetime, admin_token: str | None
) -> Actor | None:
    """Who the session stands for, checked against users and tokens on every request."""
    if row.token_id is not None:  # development sign-in with a token: it must still be live
        return actor_for_token_id(db, row.token_id, now)
    if row.user_id is not None:
        user = db.get(User, row.user_id)
        if user is None or user.status != UserStatus.ACTIVE.value:
            return None
        return actor_of(user, row.via)
    if row.admin_hash is not None and admin_token and row.admin_hash == hash_token(admin_token):
        return Actor(name=ADMIN_BOOTSTRAP_NAME, role=Role.ADMIN)
    return None


def forget_ended_sessions(db: Session, before: datetime) -> None:
    """Delete sessions that ended or expired before `before` (kept a while for inspection)."""
    db.execute(
        delete(WebSessionRow).where(
            (col(WebSessionRow.ended_at) < before) | (col(WebSessionRow.expires_at) < before)
        )
    )
