"""The web pages as a FastAPI sub-application, mounted at `/ui` by `api.app.create_app`.

A sub-application of its own gives the pages their own error handlers (HTML pages and
redirects to the sign-in form instead of problem+json) and keeps them out of the API's OpenAPI
document, while sharing the process, the database and the workflow layer with the API.
"""

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http.allow import allowed_methods
from api.http.problems import RETRY_AFTER_SECONDS
from api.web import auth, saml_pages
from api.web.audit import audit_page
from api.web.auth import CsrfRefused, PageForbidden, PageNotFound, SignInRequired, login_url
from api.web.cases import assessment, board, case_routes, manage_routes, new_case
from api.web.deadlines import ack_page
from api.web.documents import document_pages
from api.web.headers import SECURITY_HEADERS
from api.web.i18n import normalise_language
from api.web.identity import admin_users, oidc_pages
from api.web.knowledge import knowledge_pages
from api.web.leaders import pages as leaders_pages
from api.web.needs import join_pages, needs_pages
from api.web.partner import partner_pages
from api.web.public import public_pages, requests_page
from api.web.render import render
from api.web.session import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    WebSession,
    new_session,
    resolve,
    set_session_cookie,
)
from workflow.core.db import get_engine
from workflow.core.errors import Forbidden, NotFound
from workflow.core.settings import Settings, get_settings
from workflow.core.timeutil import utcnow

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_web_app() -> FastAPI:
    """The pages for project managers, staff, partners and auditors."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # "Ny sag" comes before the case page, so /cases/new is not read as a case id.
    for module in (
        auth,
        oidc_pages,
        new_case,
        board,
        case_routes,
        manage_routes,
        document_pages,
        assessment,
        partner_pages,
        needs_pages,
        public_pages,
        requests_page,
        leaders_pages,
        join_pages,
        knowledge_pages,
        audit_page,
        ack_page,
        saml_pages,
        admin_users,
    ):
        app.include_router(module.router)
    _install_session_middleware(app)
    _install_error_pages(app)
    return app


def _install_session_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def web_session(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        settings = get_settings()
        value = request.cookies.get(SESSION_COOKIE)
        session = await run_in_threadpool(_resolve, value, settings) if value else None
        request.state.web_session = session or new_session()
        request.state.session_changed = session is None
        # Danish until the visitor chooses otherwise, whatever the browser asks for: the pages
        # are Danish first (the API, by contrast, answers in the `Accept-Language` language).
        request.state.language = normalise_language(request.cookies.get(LANGUAGE_COOKIE))
        response = await call_next(request)
        if request.state.session_changed:
            set_session_cookie(response, request, request.state.web_session, settings)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/ui/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _resolve(value: str, settings: Settings) -> WebSession | None:
    with Session(get_engine(), expire_on_commit=False) as db:
        return resolve(db, value, settings, utcnow())


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return _error_page(request, 403, "error.csrf")

    @app.exception_handler(PageNotFound)
    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return _error_page(request, 404, "error.404")

    @app.exception_handler(PageForbidden)
    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Exception) -> Response:
        return _error_page(request, 403, "error.403")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # A wrong or huge id in the path names nothing there is: "not found", like any other.
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return _error_page(request, 404, "error.404")
        return _error_page(request, 400, "error.bad_request")

    @app.exception_handler(SQLAlchemyTimeoutError)
    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: Exception) -> Response:
        log.warning("database busy or unreachable on %s: %s", request.url.path, exc)
        response = _error_page(request, 503, "error.busy")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return _error_page(request, 500, "error.500")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "error.404", 403: "error.403"}.get(exc.status_code, "error.bad_request")
        page = _error_page(request, exc.status_code, key)
        if exc.status_code == 405:
            page.headers["Allow"] = allowed_methods(request)
        return page
