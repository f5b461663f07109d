"""The FastAPI application."""

from fastapi import FastAPI

from api.idempotency import IdempotencyMiddleware
from api.limits import BodyLimitMiddleware
from api.problems import install_problem_handlers
from api.routes import (
    audit,
    cases,
    health,
    organisations,
    participants,
    proposals,
    signatures,
    tokens,
    transitions,
)
from api.web import create_web_app

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    """The opi-workflow API with every router mounted under `/api/v1`."""
    app = FastAPI(
        title="opi-workflow",
        version="0.1.0",
        summary="Case management for Danish public-private innovation (OPI) projects.",
        openapi_url="/openapi.json",
    )
    install_problem_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(health.router, include_in_schema=False)
    for module in (tokens, organisations, cases, transitions, participants, proposals, signatures):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(audit.router, prefix=API_PREFIX)
    # The last middleware added runs first: sizes are checked before idempotent replays.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.mount("/ui", create_web_app())
    return app
