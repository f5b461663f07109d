"""Signing in to the pages with OpenID Connect: start, callback, refusal page (issue 16).

`/ui/login/oidc` stores a pending sign-in and sends the browser to the provider; the provider
sends it back to `/ui/login/oidc/callback` with a code and the `state`. The state travels in a
cookie of its own (`SameSite=Lax`, since the callback is a navigation from the provider's site,
which the `Strict` session cookie does not survive) and must match a pending sign-in that was
never used. Then the code is exchanged, the ID token checked (`workflow.access.oidc`) and the
person signed in as their user (`workflow.access.sign_in`), in a new session.

The callback answers with a short page that moves on to the landing page by itself (a meta
refresh, no JavaScript): that next request starts from this site, so the browser sends the
new `Strict` session cookie with it.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.http.throttle import client_address, throttle_of
from api.web.auth import PageNotFound, begin_session, landing
from api.web.identity.providers import oidc_config
from api.web.render import WEB_PREFIX, render, safe_next
from api.web.session import _secure
from workflow.access.oidc import (
    OidcConfig,
    check_id_token,
    exchange_code,
    start_sign_in,
    take_pending,
)
from workflow.access.sign_in import (
    Identity,
    Refusal,
    SignInRefused,
    actor_of,
    record_refused,
    resolve_user,
)
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import SignInMethod

router = APIRouter()

STATE_COOKIE = "opi_oidc_state"
STATE_COOKIE_PATH = f"{WEB_PREFIX}/login/oidc"
STATE_MAX_AGE = 600


def _refused_page(request: Request, reason: Refusal, status_code: int) -> HTMLResponse:
    page = render(
        request,
        "signin_refused.html",
        {"reason": reason.value},
        status_code=status_code,
    )
    page.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
    return page


@router.get("/login/oidc")
def oidc_start(request: Request, db: SessionDep, next: str | None = None) -> Response:
    """Send the browser to the OpenID provider with a fresh state, nonce and PKCE challenge."""
    config = oidc_config()
    if config is None:
        raise PageNotFound()
    try:
        url, state = start_sign_in(db, config, safe_next(next), utcnow())
    except SignInRefused as refused:
        record_refused(db, SignInMethod.OIDC, refused, utcnow(), client=client_address(request))
        return _refused_page(request, refused.reason, 503)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=STATE_MAX_AGE,
        path=STATE_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(request, get_settings()),
    )
    return response


@router.get("/login/oidc/callback", response_class=HTMLResponse)
def oidc_callback(
    request: Request,
    db: SessionDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """Complete the sign-in, or show why it was refused (audited; nothing else written)."""
    config = oidc_config()
    if config is None:
        raise PageNotFound()
    # Refused sign-ins count as failed authentications: an address that keeps sending bad
    # answers is told to wait, and stops adding refusals to the audit log meanwhile.
    throttle, client = throttle_of(request), client_address(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        page = _refused_page(request, Refusal.THROTTLED, 429)
        page.headers["Retry-After"] = str(wait)
        return page
    identity: Identity | None = None
    try:
        now = utcnow()
        pending = take_pending(db, state or "", request.cookies.get(STATE_COOKIE), now)
        if error or not code:
            raise SignInRefused(Refusal.PROVIDER_ERROR, f"provider answered {error!r}"[:200])
        id_token = exchange_code(config, pending, code)
        identity = check_id_token(config, id_token, pending.nonce, now)
        next_path = pending.next_path
        return _sign_in(request, db, config, identity, next_path)
    except SignInRefused as refused:
        throttle.failed(client)
        record_refused(db, SignInMethod.OIDC, refused, utcnow(), identity=identity, client=client)
        status = 400 if refused.reason is Refusal.BAD_STATE else 403
        return _refused_page(request, refused.reason, status)


def _sign_in(
    request: Request, db: Session, config: OidcConfig, identity: Identity, next_path: str
) -> Response:
    now = utcnow()
    work = UnitOfWork(db)
    user = resolve_user(work, identity, config.mapping, now)
    actor = actor_of(user, SignInMethod.OIDC)
    begin_session(request, db, actor, via=SignInMethod.OIDC.value, work=work)
    target = landing(actor, safe_next(next_path))
    page = render(request, "signed_in.html", {"target": target})
    page.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
    return page
