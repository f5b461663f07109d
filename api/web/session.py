"""The pages' session: a signed cookie naming the signed-in token, and a CSRF token.

The cookie holds no secret: only the token's row id (or, for the `OPI_ADMIN_TOKEN` bootstrap
admin, a hash of that token) and a random CSRF token, signed with `OPI_SECRET_KEY` so it cannot
be forged. Every request looks the token up again, so revoking it ends its sessions at once.
An anonymous visitor gets a session too, so that the sign-in form is protected against CSRF.
"""

import hmac
import secrets
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from workflow.access.actor import Actor
from workflow.access.tokens import ADMIN_BOOTSTRAP_NAME, hash_token
from workflow.core.settings import Settings
from workflow.models import ApiToken, Role

SESSION_COOKIE = "opi_session"
LANGUAGE_COOKIE = "opi_lang"
COOKIE_PATH = "/ui"
SESSION_MAX_AGE = 8 * 3600
"""A working day: after that, the user signs in again."""
LANGUAGE_MAX_AGE = 365 * 24 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class WebSession:
    """What the session cookie carries."""

    csrf: str
    token_id: int | None = None
    admin_hash: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether a token is attached to the session."""
        return self.token_id is not None or self.admin_hash is not None


def new_session() -> WebSession:
    """An anonymous session with a fresh CSRF token."""
    return WebSession(csrf=secrets.token_urlsafe(32))


def signed_in_session(actor: Actor, admin_token: str | None) -> WebSession:
    """A new session (fresh CSRF token, so no pre-login value survives) for `actor`."""
    if actor.token_id is None:
        assert admin_token is not None
        return replace(new_session(), admin_hash=hash_token(admin_token))
    return replace(new_session(), token_id=actor.token_id)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="opi-web-session")


def encode(session: WebSession, settings: Settings) -> str:
    """The signed cookie value."""
    data: dict[str, Any] = {"c": session.csrf}
    if session.token_id is not None:
        data["t"] = session.token_id
    if session.admin_hash is not None:
        data["a"] = session.admin_hash
    return _serializer(settings).dumps(data)


def decode(value: str | None, settings: Settings) -> WebSession | None:
    """The session in a cookie value, or None when it is missing, forged or expired."""
    if not value:
        return None
    try:
        data = _serializer(settings).loads(value, max_age=SESSION_MAX_AGE)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    token_id, admin_hash = data.get("t"), data.get("a")
    return WebSession(
        csrf=data["c"],
        token_id=token_id if isinstance(token_id, int) else None,
        admin_hash=admin_hash if isinstance(admin_hash, str) else None,
    )


def session_actor(db: Session, session: WebSession, settings: Settings) -> Actor | None:
    """The actor the session stands for, checked against the token store on every request."""
    if session.admin_hash is not None:
        current = settings.admin_token
        if current and hmac.compare_digest(session.admin_hash, hash_token(current)):
            return Actor(name=ADMIN_BOOTSTRAP_NAME, role=Role.ADMIN.value)
        return None
    if session.token_id is None:
        return None
    row = db.get(ApiToken, session.token_id)
    if row is None or row.revoked_at is not None:
        return None
    return Actor(name=row.name, role=row.role, organisation_id=row.organisation_id, token_id=row.id)


def _secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.base_url.startswith("https://")


def set_session_cookie(
    response: Response, request: Request, session: WebSession, settings: Settings
) -> None:
    """Store `session` in an HttpOnly, SameSite=Strict cookie (Secure when served over HTTPS)."""
    response.set_cookie(
        SESSION_COOKIE,
        encode(session, settings),
        max_age=SESSION_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )


def set_language_cookie(
    response: Response, request: Request, language: str, settings: Settings
) -> None:
    """Remember the chosen page language for a year."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )


def csrf_valid(session: WebSession | None, submitted: object) -> bool:
    """Whether a submitted form carries this session's CSRF token."""
    if session is None or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
