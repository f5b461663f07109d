"""Per-request context: the request id (X-Request-ID in and out), the access log line and the
request metrics, around everything else so that 503s and 413s are counted and logged too."""

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.ops.logs import REQUEST_ID
from workflow.ops.metrics import UNMATCHED_ROUTE, count_request

access_log = logging.getLogger("opi.access")

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
"""A caller's id is kept when it is short and plain (it goes into every log line); anything
else is replaced by a new one, never echoed."""


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID if acceptable, else a new random id."""
    given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
    return given if _ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/api/v1/cases/{case_id}`), with the prefix
    it is included under (`/api/v1`, `/ui`); `(unmatched)` when no route matched.

    A route knows only its own path; the prefix is the part of the request path before the
    route's segments (a route template has a fixed number of them).
    """
    route = scope.get("route")
    if not isinstance(route, Route):
        return UNMATCHED_ROUTE
    path, own = str(scope.get("path", "")), route.path
    cut = len(path)
    for _ in range(own.count("/")):
        cut = path.rfind("/", 0, cut)
    return path[:cut] + own if cut >= 0 else own


class RequestContextMiddleware:
    """Sets the request id for the request's logs and answer; logs and counts the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, the server answers 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            count_request(scope["method"], route, status, seconds)
            access_log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                route,
                status,
                seconds * 1000,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)
