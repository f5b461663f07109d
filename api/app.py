"""The FastAPI application."""

from fastapi import FastAPI

from api.problems import install_problem_handlers
from api.routes import health

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
    return app
