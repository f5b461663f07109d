"""Signing in with a token, signing out, the language switch and the signed-in user."""

import logging
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.http.throttle import client_address, throttle_of
from api.web.i18n import normalise_language
from api.web.identity.providers import after_logout, login_choices, provider_logout_url
from api.web.overview.overview_view import nav_counts
from api.web.render import (
    WEB_PREFIX,
    WebUser,
    current_path,
    render,
    safe_next,
    see_other,
    web_session_of,
)
from api.web.session import (
    CSRF_FIELD,
    WebSession,
    csrf_valid,
    lifetimes,
    new_session,
    set_language_cookie,
)
from workflow.access import saml
from workflow.access.actor import Actor
from workflow.access.sessions import end_session, start_session
from workflow.access.tokens import actor_for_token
from workflow.audit import writer as audit
from workflow.core.settings import Settings, get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, Role, SignInMethod

log = logging.getLogger(__name__)
router = APIRouter()

HOME_PAGES = frozenset({f"{WEB_PREFIX}/cases", f"{WEB_PREFIX}/overview"})
"""Where a sign-in without a particular page lands; an auditor goes to the audit log."""


class SignInRequired(Exception):
    """The page needs a signed-in user; the handler redirects to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form arrived without this session's CSRF token."""


class PageNotFound(Exception):
    """The page or case does not exist, or lies outside the user's scope."""


class PageForbidden(Exception):
    """The user's role may not see or do this."""


def get_user(request: Request, db: SessionDep) -> WebUser:
    """The signed-in user; redirect to the sign-in form otherwise.

    The session middleware has checked the stored session (and its user or token) already.
    """
    actor = web_session_of(request).actor
    if actor is None:
        raise SignInRequired(current_path(request) if request.method == "GET" else WEB_PREFIX)
    org = db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    # Pages read with GET show the counts beside the navigation; a form post redirects or
    # re-renders without them, so it pays nothing for them.
    counts = nav_counts(db, actor, utcnow()) if request.method == "GET" else None
    return WebUser(actor=actor, organisation_name=org.name if org else None, counts=counts)


UserDep = Annotated[WebUser, Depends(get_user)]


async def checked_form(request: Request) -> AsyncIterator[FormData]:
    """The submitted form, after checking its CSRF token against the session's.

    An async dependency, so that the (synchronous) page handlers that take it run in the
    thread pool with the form already read.
    """
    form = await request.form()
    try:
        if not csrf_valid(web_session_of(request), form.get(CSRF_FIELD)):
            raise CsrfRefused()
        yield form
    finally:
        # A form with a file (a document upload) holds a spooled temporary file: closed
        # when the page is done with it, whatever the page answered.
        await form.close()


FormDep = Annotated[FormData, Depends(checked_form)]


def login_url(next_path: str) -> str:
    """The sign-in form that returns to `next_path`."""
    return f"{WEB_PREFIX}/login?next={quote(next_path, safe='')}"


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The pages start at "Mit overblik": what needs the user now."""
    return see_other("/overview")


def begin_session(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    via: str,
    admin_token: str | None = None,
    work: UnitOfWork | None = None,
) -> None:
    """Start a stored session for `actor` (ending this browser's previous one: the id is
    rotated at every sign-in) and audit the sign-in. Commits `work` (a single sign-on's, which
    may hold a user created just in time) or a unit of its own.

    The cookie is set by the session middleware from `request.state.web_session`.
    """
    now = utcnow()
    previous = web_session_of(request).row_id
    raw_id, row = start_session(
        db,
        via=via,
        now=now,
        lifetimes=lifetimes(get_settings()),
        user_id=actor.user_id,
        token_id=actor.token_id if via == SignInMethod.TOKEN.value else None,
        admin_token=admin_token if actor.token_id is None else None,
        replaces=previous,
    )
    work = work or UnitOfWork(db)
    audit.record(work, actor, "signin.succeeded", {"method": via, "session_id": row.id}, at=now)
    work.commit()
    assert row.id is not None
    request.state.web_session = WebSession(
        csrf=row.csrf, row_id=row.id, actor=actor, via=via, raw_id=raw_id
    )
    request.state.session_changed = True


def landing(actor: Actor, next_path: str) -> str:
    """Where a sign-in leads: `next_path`, or an auditor's own page instead of a start page."""
    if actor.role is Role.AUDITOR and next_path in HOME_PAGES:
        return f"{WEB_PREFIX}/audit"
    return next_path


def _login_page(
    request: Request,
    next_path: str,
    *,
    error: str | None = None,
    signed_out: str | bool | None = None,
    status_code: int = 200,
    idp_logout: str | None = None,
) -> HTMLResponse:
    settings = get_settings()
    return render(
        request,
        "login.html",
        {
            "next": next_path,
            "error": error,
            "signed_out": bool(signed_out),
            "provider_logout": provider_logout_url(signed_out)
            if isinstance(signed_out, str)
            else None,
            "providers": login_choices(),
            "token_sign_in": settings.token_sign_in_allowed,
            "saml_sign_in": settings.saml_enabled,
            "idp_logout": idp_logout,
        },
        status_code=status_code,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, out: str | None = None) -> HTMLResponse:
    """The sign-in page: a button per configured identity provider, the token form in
    development, a pointer to the administrator when there is neither. After signing out of a
    provider's session (`out=oidc`) it offers that provider's logout too."""
    return _login_page(request, safe_next(next), signed_out=(out or "")[:10] or None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: SessionDep, form: FormDep) -> Response:
    """Development sign-in with a token; the form again with a message when it is wrong."""
    settings = get_settings()
    next_path = safe_next(str(form.get("next", "")))
    if not settings.token_sign_in_allowed:
        return _login_page(request, next_path, error="login.token_disabled", status_code=403)
    throttle, client = throttle_of(request), client_address(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        page = _login_page(request, next_path, error="login.throttled", status_code=429)
        page.headers["Retry-After"] = str(wait)
        return page
    token = str(form.get("token", "")).strip()
    actor = actor_for_token(db, token, settings.admin_token) if token else None
    if actor is None:
        throttle.failed(client)
        return _login_page(request, next_path, error="login.invalid", status_code=401)
    begin_session(
        request, db, actor, via=SignInMethod.TOKEN.value, admin_token=settings.admin_token
    )
    return RedirectResponse(landing(actor, next_path), status_code=303)


def idp_logout_location(db: Session, settings: Settings, session: WebSession) -> str | None:
    """Where the browser may go to end its session at the IdP too (SAML single logout), for
    a SAML session whose IdP offers it; None otherwise. Never fails the local sign-out."""
    if session.row_id is None or session.via != SignInMethod.SAML.value:
        return None
    if not settings.saml_enabled:
        return None
    try:
        outgoing = saml.logout_request(db, settings, session.row_id)
    except Exception:  # a broken IdP setup must not keep anyone signed in here
        log.exception("SAML LogoutRequest could not be made")
        return None
    return outgoing.location if outgoing else None


@router.post("/logout")
def logout(request: Request, db: SessionDep, form: FormDep) -> Response:
    """End the stored session (a replayed cookie is refused from now on); a fresh anonymous
    session replaces it. A SAML session is offered the IdP's single logout as well."""
    session = web_session_of(request)
    idp_logout = idp_logout_location(db, get_settings(), session)
    if session.row_id is not None:
        now = utcnow()
        end_session(db, session.row_id, now)
        work = UnitOfWork(db)
        if session.actor is not None:
            audit.record(work, session.actor, "signout", {"session_id": session.row_id}, at=now)
        work.commit()
    request.state.web_session = new_session()
    request.state.session_changed = True
    if idp_logout is not None:
        return _login_page(request, safe_next(None), signed_out=True, idp_logout=idp_logout)
    return after_logout(session.via)


@router.get("/language")
def switch_language(request: Request, lang: str = "da", next: str | None = None) -> Response:
    """Remember the chosen language and go back to the page the user came from."""
    response = RedirectResponse(safe_next(next), status_code=303)
    set_language_cookie(response, request, normalise_language(lang), get_settings())
    return response
