"""Log lines as text or JSON (`OPI_LOG_FORMAT`), each carrying the id of its request.

The request id is kept in a context variable: starlette copies the context into the thread
that runs a sync route, so a line logged anywhere while a request is handled names it.
"""

import logging
import logging.config
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("opi_request_id", default=None)

_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON = "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or `-` outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only add `request_id`."""
        record.request_id = REQUEST_ID.get() or "-"
        return True


def logging_config(log_format: str, level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the service and uvicorn, in `log_format`.

    Uvicorn's own access log is switched off: it is written outside the request's context,
    so it could not carry the request id; `api/http/request_context.py` writes one line per
    request on the logger `opi.access` instead.
    """
    if log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
    else:
        formatter = {"format": _TEXT}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": upper},
        "loggers": {
            "uvicorn": {"handlers": [], "level": upper, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": upper, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # A line for every job run every few seconds says nothing; the jobs log results.
            "apscheduler": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }


def configure_logging(log_format: str, level: str = "info") -> None:
    """Apply `logging_config` to this process (`opi worker`; uvicorn applies it for serve)."""
    logging.config.dictConfig(logging_config(log_format, level))
