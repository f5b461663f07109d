"""The test IdP (`tests.saml_idp.TestIdp`) as a tiny loopback web app, for the browser test:
a login form at its single sign-on URL and a page that posts the signed answer to the SP.

It stands where a municipality's IdP stands, on another site than the service (`localhost`
against the service's `127.0.0.1`), so the browser treats the answer's POST as cross-site,
as it would in production. Its pages use no JavaScript: a person (the test) presses a button.
"""

import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.saml_idp import Person, TestIdp, encode


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def idp_app(idp: TestIdp) -> Starlette:
    """The IdP's login form, its answer and its logout page."""
    pending: dict[str, Any] = {}

    async def sign_on(request: Request) -> HTMLResponse:
        authn = idp.read_redirect(str(request.url))  # the SP's signature is checked here
        pending[authn.id] = authn
        return _page(
            "Test IdP",
            '<form method="post" action="/sso/login">'
            f'<input type="hidden" name="request" value="{html.escape(authn.id)}">'
            '<label for="email">Email</label> <input id="email" name="email" type="email">'
            ' <button type="submit">Sign in at the IdP</button></form>',
        )

    async def login(request: Request) -> HTMLResponse:
        form = await request.form()
        authn = pending.pop(str(form["request"]))
        answer = encode(idp.response(authn, Person(str(form["email"]))))
        return _page(
            "Test IdP: signed in",
            f'<form method="post" action="{html.escape(authn.assertion_consumer_service_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{answer}">'
            '<button type="submit">Continue to the service</button></form>',
        )

    async def logout(request: Request) -> HTMLResponse:
        return _page("Test IdP: signed out", "<p>You are signed out at the IdP.</p>")

    return Starlette(
        routes=[
            Route("/sso/redirect", sign_on),
            Route("/sso/login", login, methods=["POST"]),
            Route("/slo", logout),
        ]
    )


@contextmanager
def serve_idp(idp: TestIdp, port: int) -> Iterator[None]:
    """The IdP app on 127.0.0.1:`port` in a thread, until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(idp_app(idp), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test IdP did not start")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
