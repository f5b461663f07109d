"""Liveness and readiness probes."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from workflow.core.db import get_engine
from workflow.core.migrate import is_at_head

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive. `async` and free of the database: it must answer while every
    worker thread and pooled connection is busy (see `api/admission.py`)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready"}})
def readyz() -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    engine = get_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        migrated = is_at_head(engine)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, 503)
    if not migrated:
        return JSONResponse({"status": "unavailable", "migrations": "behind"}, 503)
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "head"})
