"""The pages' session cookie: a random session id once signed in, a signed CSRF token before.

Signed in, the cookie holds only the random id of a session stored in the database
(`workflow.access.sessions`); every request looks the session up, so signing out, an idle or
expired session, a disabled user or a revoked token ends it at once. Before sign-in a visitor
gets an anonymous cookie holding only a CSRF token, signed with `OPI_SECRET_KEY`, so that the
sign-in forms are protected against CSRF without storing anything for anonymous visitors.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from workflow.access.actor import Actor
from workflow.access.sessions import Lifetimes, live_session
from workflow.core.settings import Settings

SESSION_COOKIE = "opi_session"
LANGUAGE_COOKIE = "opi_lang"
COOKIE_PATH = "/ui"
ANONYMOUS_MAX_AGE = 8 * 3600
LANGUAGE_MAX_AGE = 365 * 24 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(slots=True)
class WebSession:
    """This request's session: its CSRF token and, once signed in, the stored session."""

    csrf: str
    row_id: int | None = None
    actor: Actor | None = None
    via: str | None = None
    raw_id: str | None = None
    """The random id, known only in the request that starts the session (to set the cookie)."""

    @property
    def signed_in(self) -> bool:
        """Whether a person (or, in development, a token) is signed in."""
        return self.actor is not None


def new_session() -> WebSession:
    """An anonymous session with a fresh CSRF token."""
    return WebSession(csrf=secrets.token_urlsafe(32))


def lifetimes(settings: Settings) -> Lifetimes:
    """The session timeouts the settings ask for."""
    return Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.signing_key, salt="opi-web-session")


def is_session_id(value: str) -> bool:
    """Whether a cookie value is a stored session's id (signed anonymous values hold dots)."""
    return 20 <= len(value) <= 100 and "." not in value


def decode_anonymous(value: str | None, settings: Settings) -> WebSession | None:
    """The anonymous session in a cookie value, or None when it is missing, forged or old."""
    if not value:
        return None
    try:
        data = _serializer(settings).loads(value, max_age=ANONYMOUS_MAX_AGE)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or len(data) != 1:
        return None
    return WebSession(csrf=data["c"])


def resolve(db: Session, value: str | None, settings: Settings, now: datetime) -> WebSession | None:
    """The session a cookie value stands for, or None: then a fresh anonymous one is due."""
    if value and is_session_id(value):
        live = live_session(db, value, now, lifetimes(settings), settings.admin_token)
        if live is None:
            return None
        return WebSession(csrf=live.csrf, row_id=live.row_id, actor=live.actor, via=live.via)
    return decode_anonymous(value, settings)


def _secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.base_url.startswith("https://")


def set_session_cookie(
    response: Response, request: Request, session: WebSession, settings: Settings
) -> None:
    """Store `session` in an HttpOnly, SameSite=Strict cookie (Secure when served over HTTPS):
    the random id of a session that starts now, or a signed anonymous CSRF token."""
    if session.raw_id is not None:
        value, max_age = session.raw_id, int(settings.session_max_hours * 3600)
    else:
        value, max_age = _serializer(settings).dumps({"c": session.csrf}), ANONYMOUS_MAX_AGE
    _set_cookie(response, request, settings, SESSION_COOKIE, value, max_age)


def set_language_cookie(
    response: Response, request: Request, language: str, settings: Settings
) -> None:
    """Remember the chosen page language for a year."""
    _set_cookie(response, request, settings, LANGUAGE_COOKIE, language, LANGUAGE_MAX_AGE)


def _set_cookie(
    response: Response,
    request: Request,
    settings: Settings,
    name: str,
    value: str,
    max_age: int,
) -> None:
    """The session and language cookies alike: HttpOnly, SameSite=Strict, scoped to the
    pages' path, and Secure when served over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
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
