"""SAML sign-in on the pages (issue 16): the start at `/ui/login/saml`, the assertion consumer
at `/saml/acs`, SP metadata at `/saml/metadata` and the way back from single logout.

`router` belongs to the pages' sub-application (it sees the browser's session, so a sign-in
can end the session it replaces); `sp_router` is mounted on the root application, because the
IdP knows the SP by URLs outside `/ui`. The assertion arrives as a cross-site POST, which
carries none of the pages' SameSite=Strict cookies: what the sign-in needs to remember is in
the database (`workflow.access.saml`), and the page that follows a successful sign-in moves on
by itself, so that the new session's cookie is sent on a navigation the service started.
"""

import logging
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep
from api.http.throttle import client_address, throttle_of
from api.web.auth import begin_session, landing
from api.web.headers import SECURITY_HEADERS
from api.web.i18n import translate
from api.web.render import render, safe_next, see_other, web_session_of
from api.web.session import WebSession, new_session, set_session_cookie
from workflow.access import saml
from workflow.access.sessions import end_session
from workflow.access.sign_in import SignInRefused, actor_of, record_refused, resolve_user
from workflow.audit import writer as audit
from workflow.core.settings import Settings, get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import SignInMethod, User, WebSessionRow

log = logging.getLogger(__name__)

router = APIRouter()
sp_router = APIRouter(include_in_schema=False)

BROWSER_COOKIE = "opi_saml"
"""Holds the secret that binds an AuthnRequest to the browser that asked (HTTPS only)."""

PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
"""The pages' headers, for the pages served outside `/ui` (the assertion consumer)."""


def _not_configured(request: Request) -> HTMLResponse:
    return render(
        request, "error.html", {"status": 404, "message": "saml.not_configured"}, status_code=404
    )


def _with_headers(response: Response, extra: dict[str, str] | None = None) -> Response:
    for name, value in {**PAGE_HEADERS, **(extra or {})}.items():
        response.headers[name] = value
    return response


@router.get("/login/saml")
def saml_start(request: Request, db: SessionDep, next: str | None = None) -> Response:
    """Send the browser to the IdP with a signed AuthnRequest (HTTP-Redirect, or a form for
    the POST binding that works without JavaScript)."""
    settings = get_settings()
    if not settings.saml_enabled:
        return _not_configured(request)
    # Over HTTPS the request is bound to this browser by a cookie that only the assertion
    # consumer sees; it must be SameSite=None to come along on the IdP's cross-site POST,
    # which browsers allow only with Secure.
    secret = secrets.token_urlsafe(32) if _https(request, settings) else None
    try:
        outgoing = saml.start_sign_in(
            db,
            settings,
            next_path=safe_next(next),
            replaces_session_id=web_session_of(request).row_id,
            now=utcnow(),
            browser_secret=secret,
        )
    except Exception:  # unreadable metadata or key: the page says so, the log says why
        log.exception("SAML sign-in could not start")
        db.rollback()
        page = render(request, "error.html", {"status": 503, "message": "saml.not_configured"})
        page.status_code = 503
        return page
    response: Response
    if outgoing.binding == saml.BINDING_HTTP_REDIRECT:
        response = RedirectResponse(outgoing.location, status_code=303)
    else:
        response = render(
            request, "saml_post.html", {"location": outgoing.location, "fields": outgoing.fields}
        )
        target = urlsplit(outgoing.location)
        csp = PAGE_HEADERS["Content-Security-Policy"].replace(
            "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}"
        )
        response.headers["Content-Security-Policy"] = csp
    if secret is not None:
        response.set_cookie(
            BROWSER_COOKIE,
            secret,
            max_age=int(saml.REQUEST_LIFETIME.total_seconds()),
            path=saml.ACS_PATH,
            httponly=True,
            secure=True,
            samesite="none",
        )
    return response


def _https(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.base_url.startswith("https://")


@sp_router.get("/saml/metadata")
def saml_metadata(request: Request) -> Response:
    """This service's SP metadata, for the IdP's administrator to register."""
    settings = get_settings()
    if not settings.saml_enabled:
        return _with_headers(_not_configured(request))
    return Response(saml.sp_metadata(settings), media_type="application/samlmetadata+xml")


def _refused(request: Request, reason: str) -> Response:
    both = {
        "da": lambda key: translate("da", key),
        "en": lambda key: translate("en", key),
        "reason": reason,
    }
    return _with_headers(render(request, "saml_refused.html", both, status_code=403))


@sp_router.post("/saml/acs")
def saml_acs(
    request: Request, db: SessionDep, SAMLResponse: Annotated[str, Form()] = ""
) -> Response:
    """The assertion consumer: verify the IdP's response, sign the person in, move on.

    Every refusal gets a page in Danish and English and a `signin.refused` audit event; the
    request id and assertion id are used up before the person is looked up, so a verified
    assertion is never accepted twice, whatever happens next.
    """
    settings = get_settings()
    if not settings.saml_enabled:
        return _with_headers(_not_configured(request))
    now, client = utcnow(), client_address(request)
    throttle = throttle_of(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        page = _refused(request, "throttled")
        page.status_code = 429
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        assertion = saml.consume(
            db, settings, SAMLResponse, now, request.cookies.get(BROWSER_COOKIE)
        )
        db.commit()
    except SignInRefused as refused:
        record_refused(db, SignInMethod.SAML, refused, now, client=client)
        throttle.failed(client)
        return _refused(request, refused.reason.value)
    identity = saml.identity(assertion, settings)
    work = UnitOfWork(db)
    try:
        user = resolve_user(work, identity, saml.claim_mapping(settings), now)
    except SignInRefused as refused:
        record_refused(db, SignInMethod.SAML, refused, now, identity=identity, client=client)
        return _refused(request, refused.reason.value)
    actor = actor_of(user, SignInMethod.SAML)
    request.state.web_session = WebSession(
        csrf=new_session().csrf, row_id=assertion.replaces_session_id
    )
    begin_session(request, db, actor, via=SignInMethod.SAML.value, work=work)
    started = request.state.web_session
    assert started.row_id is not None
    saml.remember_session(db, started.row_id, assertion)
    db.commit()
    page = render(request, "saml_continue.html", {"next": landing(actor, assertion.next_path)})
    set_session_cookie(page, request, started, settings)
    if BROWSER_COOKIE in request.cookies:
        page.delete_cookie(BROWSER_COOKIE, path=saml.ACS_PATH, secure=True, samesite="none")
    return _with_headers(page)


@sp_router.get("/saml/slo")
def saml_slo(request: Request, db: SessionDep) -> Response:
    """Single logout. The IdP's answer to our LogoutRequest changes nothing (the session here
    ended before the browser went to the IdP): the person sees that they are signed out. A
    LogoutRequest from the IdP (the person signed out elsewhere) ends their sessions here,
    audited, and the browser goes back to the IdP with a signed LogoutResponse."""
    settings = get_settings()
    query = request.query_params
    if "SAMLRequest" not in query or not settings.saml_enabled:
        return see_other("/login?out=1")
    now = utcnow()
    try:
        ended, location = saml.idp_logout(
            db,
            settings,
            saml_request=query["SAMLRequest"],
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
            now=now,
        )
    except SignInRefused as refused:
        log.warning("SAML LogoutRequest refused: %s", refused)
        db.rollback()
        return _refused(request, refused.reason.value)
    work = UnitOfWork(db)
    for session_id in ended:
        row = db.get(WebSessionRow, session_id)
        if row is None or row.ended_at is not None:
            continue
        end_session(db, session_id, now)
        user = db.get(User, row.user_id) if row.user_id is not None else None
        if user is not None:
            audit.record(
                work,
                actor_of(user, SignInMethod.SAML),
                "signout",
                {"session_id": session_id, "by": "idp"},
                at=now,
            )
    work.commit()
    return RedirectResponse(location, status_code=303)
