"""Admission control: a bounded queue in front of everything that uses the database.

Without it a burst overran the process. Each request took a thread of the worker pool (40)
and a pooled connection, waited there for a row lock (PostgreSQL) or SQLite's one write lock,
and the request holding the lock then found no free thread to finish on: requests waited
the pool's 30 s and answered 500, and `/healthz`, itself waiting for a thread, stalled as
long. Here, at most `OPI_REQUEST_CONCURRENCY` requests of a process use the database at once,
fewer than its threads and its connections; the rest wait in the event loop, where waiting
costs nothing, in arrival order. One that has waited `OPI_REQUEST_QUEUE_SECONDS` gets 503
with `Retry-After`. On SQLite the limit is small: it has one writer at a time anyway, and
writers queued here never hold a connection while they wait.

`/healthz`, `/metrics` and the pages' static files bypass the queue: they use no database
connection (the metrics' gauges wait at most the pool's timeout).
"""

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.problems import RETRY_AFTER_SECONDS, busy_problem
from workflow.core.settings import get_settings

BYPASS_PATHS = frozenset({"/healthz", "/api/v1/healthz", "/metrics"})
BYPASS_PREFIXES = ("/ui/static/",)


class AdmissionMiddleware:
    """Let `limit` requests at a time through to the app; 503 after `wait` seconds queued."""

    def __init__(self, app: ASGIApp, limit: int | None = None, wait: float | None = None) -> None:
        self.app, self.limit, self.wait = app, limit, wait
        self._slots: anyio.Semaphore | None = None

    def _semaphore(self) -> anyio.Semaphore:
        # Made on first use, inside the running event loop, from the settings of that time.
        if self._slots is None:
            self._slots = anyio.Semaphore(self.limit or get_settings().admission_limit)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in BYPASS_PATHS or path.startswith(BYPASS_PREFIXES):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        acquired = False
        with anyio.move_on_after(self.wait or get_settings().request_queue_seconds):
            await slots.acquire()  # cancelled while waiting, it takes no slot
            acquired = True
        if not acquired:
            await _busy(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()


async def _busy(scope: Scope, receive: Receive, send: Send) -> None:
    if scope.get("path", "").startswith("/ui"):
        # Imported here: the web pages import the API's problem helpers, not the reverse.
        from api.web.i18n import normalise_language, translate
        from api.web.session import LANGUAGE_COOKIE

        language = normalise_language(Request(scope).cookies.get(LANGUAGE_COOKIE))
        text = translate(language, "error.busy")
        body = f'<!doctype html><html lang="{language}"><title>503</title><p>{text}</p></html>'
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        await HTMLResponse(body, 503, headers=headers)(scope, receive, send)
        return
    await busy_problem()(scope, receive, send)
