"""Liveness and readiness probes."""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from workflow.core.db import get_engine
from workflow.core.migrate import is_at_head

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive. `async` and free of the database: it must answer while every
    worker thread and pooled connection is busy (see `api/http/admission.py`)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready"}})
def readyz() -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    engine = get_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        migrated = is_at_head(engine)
    except Exception:  # any database failure means "not ready", never a 500
        # The error names the database's host, port and name: for the log, not for anyone
        # who can reach the probe.
        log.exception("readiness check: the database does not answer")
        return JSONResponse({"status": "unavailable", "database": "unavailable"}, 503)
    if not migrated:
        return JSONResponse({"status": "unavailable", "migrations": "behind"}, 503)
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "head"})
