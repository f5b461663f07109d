"""`Strict-Transport-Security` on every answer served over HTTPS (issue 15.12).

Once a browser has seen it, it never again talks plain HTTP to the service, so a network
attacker cannot strip TLS from a later visit (and read a session cookie or a token). Sent when
the request came over HTTPS or the public address (`OPI_BASE_URL`) is `https://`: behind a
TLS proxy that does not forward the scheme the request itself looks like plain HTTP, and over
plain HTTP browsers ignore the header anyway (RFC 6797 §8.1). Sub-domains are left alone: they
may be other services of the same municipality.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.core.settings import get_settings

HSTS_HEADER = "Strict-Transport-Security"
HSTS_VALUE = "max-age=31536000"
"""One year, the usual value once HTTPS is the only way in."""


class HstsMiddleware:
    """Add the HSTS header to HTTPS answers (a pure ASGI middleware: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _over_https(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault(HSTS_HEADER, HSTS_VALUE)
            await send(message)

        await self.app(scope, receive, send_with_hsts)


def _over_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https" or get_settings().base_url.startswith("https://")
