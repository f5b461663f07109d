"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.idempotency import IdempotencyMiddleware
from api.limits import BodyLimitMiddleware
from api.problems import install_problem_handlers
from api.routes import (
    audit,
    cases,
    deadlines,
    health,
    organisations,
    participants,
    proposals,
    reminders,
    signatures,
    tokens,
    transitions,
)
from api.web import create_web_app

API_PREFIX = "/api/v1"


@asynccontextmanager
async def _run_scheduler(app: FastAPI) -> AsyncIterator[None]:
    """Run the background jobs (reminder sweep, audit checkpoints) while the app serves."""
    from notifications.scheduler import build_scheduler
    from workflow.settings import get_settings

    scheduler = build_scheduler(get_settings())
    scheduler.start()
    app.state.scheduler = scheduler
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)


def create_served_app() -> FastAPI:
    """The app `opi serve` runs: the API plus the scheduler (`--no-scheduler` uses
    `create_app` instead)."""
    return create_app(scheduler=True)


def create_app(*, scheduler: bool = False) -> FastAPI:
    """The opi-workflow API with every router mounted under `/api/v1`.

    `scheduler=True` also runs the APScheduler jobs for the app's lifetime; tests and
    `opi serve --no-scheduler` leave it off.
    """
    app = FastAPI(
        title="opi-workflow",
        version="0.1.0",
        summary="Case management for Danish public-private innovation (OPI) projects.",
        openapi_url="/openapi.json",
        lifespan=_run_scheduler if scheduler else None,
    )
    install_problem_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(health.router, include_in_schema=False)
    for module in (tokens, organisations, cases, transitions, participants, proposals, signatures):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(audit.router, prefix=API_PREFIX)
    for module in (deadlines, reminders):
        app.include_router(module.router, prefix=API_PREFIX)
    # The last middleware added runs first: sizes are checked before idempotent replays.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.mount("/ui", create_web_app())
    return app
