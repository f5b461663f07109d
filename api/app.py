"""The FastAPI application."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from api.http.admission import AdmissionMiddleware
from api.http.hsts import HstsMiddleware
from api.http.idempotency import IdempotencyMiddleware
from api.http.limits import BodyLimitMiddleware
from api.http.problems import install_problem_handlers
from api.http.request_context import RequestContextMiddleware
from api.http.throttle import FailedAuthentications, PublicForms
from api.routes import (
    audit,
    cases,
    deadlines,
    documents,
    health,
    join_requests,
    knowledge,
    metrics,
    needs,
    organisation_requests,
    organisations,
    overview,
    participants,
    proposals,
    public,
    reminders,
    signatures,
    tokens,
    transitions,
    users,
)
from api.web import create_web_app
from api.web.saml_pages import sp_router as saml_sp_router
from workflow.core.gc_freeze import freeze_startup_objects
from workflow.core.settings import get_settings

API_PREFIX = "/api/v1"


def _lifespan(
    scheduler: bool, long_lived: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]] | None:
    """What runs around the app's life: the background jobs, the garbage collector's freeze."""
    if not (scheduler or long_lived):
        return None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if long_lived:
            freeze_startup_objects()
        if not scheduler:
            yield
            return
        from notifications.scheduler import build_scheduler

        # The reminder sweep and the audit checkpoints run while the app serves.
        jobs = build_scheduler(get_settings())
        jobs.start()
        app.state.scheduler = jobs
        try:
            yield
        finally:
            jobs.shutdown(wait=False)

    return lifespan


def create_served_app() -> FastAPI:
    """The app `opi serve` runs: the API plus the scheduler."""
    return create_app(scheduler=True, long_lived=True)


def create_served_api() -> FastAPI:
    """The app `opi serve --no-scheduler` runs: the API alone."""
    return create_app(long_lived=True)


def create_app(*, scheduler: bool = False, long_lived: bool = False) -> FastAPI:
    """The opi-workflow API with every router mounted under `/api/v1`.

    `scheduler=True` also runs the APScheduler jobs for the app's lifetime; tests and
    `opi serve --no-scheduler` leave it off. `long_lived=True` (the served apps) freezes
    what exists at startup for the garbage collector (`freeze_startup_objects`).
    """
    app = FastAPI(
        title="opi-workflow",
        version="0.1.0",
        summary="Case management for Danish public-private innovation (OPI) projects.",
        openapi_url="/openapi.json",
        lifespan=_lifespan(scheduler, long_lived),
    )
    install_problem_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(health.router, include_in_schema=False)
    app.include_router(metrics.router)
    for module in (
        tokens,
        users,
        organisations,
        cases,
        needs,
        join_requests,
        organisation_requests,
        public,
        knowledge,
        transitions,
        participants,
        proposals,
        signatures,
        documents,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(audit.router, prefix=API_PREFIX)
    for module in (deadlines, reminders, overview):
        app.include_router(module.router, prefix=API_PREFIX)
    # The last middleware added runs first: every request gets its id and is counted, then
    # queues for admission, then its size is checked before idempotent replays.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(AdmissionMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(HstsMiddleware)
    web = create_web_app()
    # One count of failed sign-ins and bearer tokens for the API and the pages.
    app.state.auth_failures = web.state.auth_failures = FailedAuthentications.from_settings(
        get_settings()
    )
    app.include_router(saml_sp_router)
    app.state.public_forms = web.state.public_forms = PublicForms.from_settings(get_settings())
    app.mount("/ui", web)
    return app
