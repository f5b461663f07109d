"""RFC 9457 problem details for every error the API returns."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from api.http.allow import allowed_methods
from states.text import Language, negotiate
from workflow.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    MalwareFound,
    NotFound,
    RequirementsUnmet,
    SectionLocked,
    StaleVersion,
    TooLarge,
    Unavailable,
    UnsupportedType,
    WorkflowError,
)

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
"""What a 503 asks the client to wait before trying again."""

PROBLEM_BASE = "https://opi-workflow.dk/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("stale-version", "Precondition failed"),
    413: ("payload-too-large", "Content too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "Unprocessable content"),
    428: ("if-match-required", "Precondition required"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


def _http(status: int) -> tuple[int, str, str]:
    """A refusal that reads as the HTTP status's own problem type and title (`_TITLES`)."""
    return (status, *_TITLES[status])


WORKFLOW_PROBLEMS: dict[type[WorkflowError], tuple[int, str, str]] = {
    WorkflowError: _http(400),
    NotFound: _http(404),
    Forbidden: _http(403),
    Conflict: _http(409),
    InvalidTransition: (409, "invalid-transition", "Invalid transition"),
    RequirementsUnmet: (409, "requirements-unmet", "Requirements unmet"),
    SectionLocked: (409, "section-locked", "Section locked"),
    StaleVersion: _http(412),
    InvalidInput: _http(422),
    MalwareFound: (422, "malware-found", "Malware found"),
    TooLarge: _http(413),
    UnsupportedType: _http(415),
    Unavailable: _http(503),
}
"""Each workflow refusal as HTTP: (status, problem type slug, title), as SPEC §4 names them.

The workflow says *what* was refused; only the API knows how that reads over HTTP. Most are
their status's own type and title (`_http`), so the two tables cannot disagree. A subclass
without its own row answers as its nearest listed ancestor.
"""


def workflow_problem(exc: WorkflowError) -> tuple[int, str, str]:
    """The (status, slug, title) of `exc`, from its class or the nearest ancestor listed."""
    for cls in type(exc).__mro__:
        if cls in WORKFLOW_PROBLEMS:
            return WORKFLOW_PROBLEMS[cls]
    return WORKFLOW_PROBLEMS[WorkflowError]


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response; `slug` ends the `type` URI (e.g. `requirements-unmet`)."""
    default_slug, default_title = _TITLES.get(status, ("error", "Error"))
    body = {
        "type": PROBLEM_BASE + (slug or default_slug),
        "title": title or default_title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def busy_problem() -> JSONResponse:
    """503 with Retry-After: the service is at capacity (or its database is unreachable)."""
    return problem(
        503,
        "The service is busy; try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def language_of(request: Request) -> Language:
    """The language `Accept-Language` prefers (`states.text.negotiate`; Danish by default)."""
    return negotiate(request.headers.get("accept-language"))


class ApiProblem(Exception):
    """Raise from a route to answer with a problem of `status`."""

    def __init__(
        self,
        status: int,
        detail: str,
        slug: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug, self.extra = status, detail, slug, extra
        self.headers = headers


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every error, ours or the framework's, into problem+json."""

    @app.exception_handler(WorkflowError)
    async def _workflow(request: Request, exc: WorkflowError) -> JSONResponse:
        extra: dict[str, Any] = dict(exc.extra)
        headers: dict[str, str] = {}
        if isinstance(exc, RequirementsUnmet):
            lang = language_of(request)
            extra["unmet"] = [u.as_dict(lang) for u in exc.unmet]
        if isinstance(exc, StaleVersion):
            headers["ETag"] = f'"{exc.current_version}"'
        status, slug, title = workflow_problem(exc)
        return problem(status, exc.detail, slug=slug, title=title, headers=headers, **extra)

    @app.exception_handler(ApiProblem)
    async def _api(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem(exc.status, exc.detail, slug=exc.slug, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return problem(422, "The request is not valid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem(exc.status_code, detail, headers=headers)

    # Safety nets: input the validators let through but the database cannot store is still
    # the client's error, never a 500.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        return problem(422, "A value in the request is out of range or cannot be stored.")

    # Load is never a 500: a request that waited its bounded time for a database connection
    # (or for SQLite's write lock), or met a database that is down, may simply try again.
    @app.exception_handler(SQLAlchemyTimeoutError)
    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database busy or unreachable on %s: %s", request.url.path, exc)
        return busy_problem()

    # A client that went away mid-upload hears nothing; the answer is for the log, and what
    # it had sent is discarded with the request's spooled file.
    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: Exception) -> JSONResponse:
        return problem(400, "The upload was interrupted before it was complete.")

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        return problem(409, "The request conflicts with data written at the same time.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem(500, "An unexpected error occurred; it has been logged.")
