"""Signing in with a token, signing out, the language switch and the signed-in user."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.web.i18n import normalise_language
from api.web.render import (
    WEB_PREFIX,
    WebUser,
    current_path,
    render,
    safe_next,
    web_session_of,
)
from api.web.session import (
    CSRF_FIELD,
    csrf_valid,
    new_session,
    session_actor,
    set_language_cookie,
    signed_in_session,
)
from workflow.access.tokens import actor_for_token
from workflow.core.settings import get_settings
from workflow.models import Organisation

router = APIRouter()


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
    """The signed-in user; redirect to the sign-in form otherwise."""
    actor = session_actor(db, web_session_of(request), get_settings())
    if actor is None:
        raise SignInRequired(current_path(request) if request.method == "GET" else WEB_PREFIX)
    org = db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    return WebUser(actor=actor, organisation_name=org.name if org else None)


UserDep = Annotated[WebUser, Depends(get_user)]


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token against the session's.

    An async dependency, so that the (synchronous) page handlers that take it run in the
    thread pool with the form already read.
    """
    form = await request.form()
    if not csrf_valid(web_session_of(request), form.get(CSRF_FIELD)):
        raise CsrfRefused()
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def login_url(next_path: str) -> str:
    """The sign-in form that returns to `next_path`."""
    return f"{WEB_PREFIX}/login?next={quote(next_path, safe='')}"


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The pages start at the board."""
    return RedirectResponse(f"{WEB_PREFIX}/cases", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, out: int = 0) -> HTMLResponse:
    """The sign-in form."""
    return render(
        request, "login.html", {"next": safe_next(next), "error": None, "signed_out": bool(out)}
    )


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: SessionDep, form: FormDep) -> Response:
    """Check the token and start a session; the form again with a message when it is wrong."""
    token = str(form.get("token", "")).strip()
    next_path = safe_next(str(form.get("next", "")))
    settings = get_settings()
    actor = actor_for_token(db, token, settings.admin_token) if token else None
    if actor is None:
        return render(
            request,
            "login.html",
            {"next": next_path, "error": "login.invalid", "signed_out": False},
            status_code=401,
        )
    request.state.web_session = signed_in_session(actor, settings.admin_token)
    request.state.session_changed = True
    if actor.role == "auditor" and next_path == f"{WEB_PREFIX}/cases":
        next_path = f"{WEB_PREFIX}/audit"
    return RedirectResponse(next_path, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep) -> RedirectResponse:
    """End the session (a fresh anonymous one replaces it)."""
    request.state.web_session = new_session()
    request.state.session_changed = True
    return RedirectResponse(f"{WEB_PREFIX}/login?out=1", status_code=303)


@router.get("/language")
def switch_language(request: Request, lang: str = "da", next: str | None = None) -> Response:
    """Remember the chosen language and go back to the page the user came from."""
    response = RedirectResponse(safe_next(next), status_code=303)
    set_language_cookie(response, request, normalise_language(lang), get_settings())
    return response
