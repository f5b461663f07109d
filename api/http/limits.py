"""Refusing oversized request bodies with a 413 problem, before any of them is parsed."""

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import problem
from workflow.core.settings import get_settings


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body grows past the limit.

    An `HTTPException`, so FastAPI's body reading passes it on to the problem handlers
    instead of turning it into a 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodyLimitMiddleware:
    """Answer 413 when `Content-Length` or the bytes actually sent exceed the limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes or body_limit(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit)(scope, receive, send)


UPLOAD_SLACK = 64 * 1024
"""Room for a multipart body's boundaries and form fields beside the file itself."""


def body_limit(scope: Scope) -> int:
    """The largest body accepted for this request: a document upload (a POST to a path ending
    in `/documents`) may carry a document of `OPI_DOCUMENT_MAX_BYTES`; anything else
    `OPI_MAX_BODY_BYTES`."""
    settings = get_settings()
    if scope["method"] == "POST" and scope["path"].rstrip("/").endswith("/documents"):
        return max(settings.max_body_bytes, settings.document_max_bytes + UPLOAD_SLACK)
    return settings.max_body_bytes


def _too_large(limit: int) -> ASGIApp:
    return problem(413, f"The request body is larger than {limit} bytes.")
