"""A real OpenID provider for the tests (npm `oidc-provider`, tests/oidc_provider/) and a small
provider of our own for ID tokens the real one will not make (expired, wrong audience, ...).

The real provider runs with Node.js on a loopback port, with a signing key the tests generate
(its JWKS is fixed for the session), one client (`opi`) and a few accounts. `walk_login`
drives its two development forms (login, consent) with httpx, as a browser would, and returns
where the provider sends the browser back.
"""

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.loopback import free_port, serving, wait_until_ready

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "opi"
CLIENT_SECRET = "opi-test-client-secret"
FURESOE_CVR = "29188548"
ROLE_GROUP = "opi-projektleder"
ROLE_MAP = json.dumps({ROLE_GROUP: "manager"})
TEST_SERVER = "http://testserver"
"""Where Starlette's TestClient says requests come from."""

ACCOUNTS: dict[str, dict[str, Any]] = {
    "mette": {
        "email": "mette.sso@furesoe.dk",
        "email_verified": True,
        "name": "Mette Sørensen",
        "cvr": FURESOE_CVR,
        "groups": [ROLE_GROUP],
    },
    "ukendt": {
        "email": "ukendt@andet.example",
        "name": "Ukendt Person",
        "cvr": "11111111",
        "groups": [ROLE_GROUP],
    },
}


def callback_uri(base: str) -> str:
    """The service's callback address under `base`."""
    return f"{base}/ui/login/oidc/callback"


@dataclass
class RealProvider:
    """The running `oidc-provider`: its issuer and the port kept free for a browser test's
    service (registered as a redirect URI in advance)."""

    issuer: str
    browser_port: int
    key: RSAKey

    def env(self, redirect_base: str = TEST_SERVER) -> dict[str, str]:
        """The `OPI_OIDC_*` settings pointing the service at this provider."""
        return {
            "OPI_OIDC_ISSUER": self.issuer,
            "OPI_OIDC_CLIENT_ID": CLIENT_ID,
            "OPI_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OPI_OIDC_REDIRECT_BASE": redirect_base,
            "OPI_OIDC_SCOPES": "openid email profile opi",
            "OPI_OIDC_ROLE_MAP": ROLE_MAP,
            "OPI_OIDC_NAME": "Test-IdP",
        }


def _node() -> str:
    node = shutil.which("node")
    modules = PROVIDER_DIR / "node_modules" / "oidc-provider"
    if node is None or not modules.is_dir():
        message = "Node.js and tests/oidc_provider/node_modules are needed: run `make test`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return node


def start_real_provider(tmp: Path) -> Iterator[RealProvider]:
    """Run `oidc-provider` until the generator is closed."""
    node = _node()
    port, browser_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "opi-test-1", "use": "sig", "alg": "RS256"})
    config = {
        "issuer": issuer,
        "jwks": {"keys": [key.as_dict(private=True)]},
        "organisationClaim": "cvr",
        "roleClaim": "groups",
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [
                    callback_uri(TEST_SERVER),
                    callback_uri(f"http://127.0.0.1:{browser_port}"),
                ],
                "post_logout_redirect_uris": [
                    f"{TEST_SERVER}/ui/login?out=1",
                    f"http://127.0.0.1:{browser_port}/ui/login?out=1",
                ],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "accounts": ACCOUNTS,
    }
    config_path = tmp / "oidc-provider.json"
    config_path.write_text(json.dumps(config))
    log_path = tmp / "oidc-provider.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "server.mjs"), str(config_path)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            cwd=PROVIDER_DIR,
        )
        try:
            ready = f"{issuer}/.well-known/openid-configuration"
            wait_until_ready(process, ready, log_path, timeout=30)
            yield RealProvider(issuer, browser_port, key)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def walk_login(authorize_url: str, account: str, *, stop_at: str) -> str:
    """Follow the provider's login and consent forms as `account`; the URL under `stop_at`
    (the service's callback) the provider finally redirects to."""
    with httpx.Client(timeout=10) as browser:
        url, method, data = authorize_url, "GET", None
        for _ in range(12):
            response = browser.request(method, url, data=data)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(stop_at):
                    return url
                method, data = "GET", None
                continue
            assert response.status_code == 200, response.text
            match = FORM_ACTION.search(response.text)
            assert match, response.text
            url = urljoin(url, match.group(1).replace("&amp;", "&"))
            method = "POST"
            if 'name="login"' in response.text:
                data = {"prompt": "login", "login": account, "password": "any"}
            else:
                data = {"prompt": "consent"}
    raise AssertionError("the provider never sent the browser back")


# --- a provider of our own, for ID tokens the real one will not make -------------------------


@dataclass
class CraftingProvider:
    """Discovery, JWKS, authorize and token endpoints on loopback; the token endpoint answers
    with whatever `make_token(nonce)` returns, signed with the test-controlled `key`."""

    issuer: str
    key: RSAKey
    make_token: Callable[[str], str] | None = None
    nonces: dict[str, str] = field(default_factory=dict)
    """Each code handed out, and the nonce of the authorization request it answered."""

    def env(self) -> dict[str, str]:
        return {
            "OPI_OIDC_ISSUER": self.issuer,
            "OPI_OIDC_CLIENT_ID": CLIENT_ID,
            "OPI_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OPI_OIDC_REDIRECT_BASE": TEST_SERVER,
            "OPI_OIDC_ROLE_MAP": ROLE_MAP,
        }

    def sign(self, claims: dict[str, Any], *, key: RSAKey | None = None, alg: str = "RS256") -> str:
        """An ID token with `claims`, signed with `key` (by default the published one)."""
        signer = key or self.key
        return jwt.encode({"alg": alg, "kid": signer.kid}, claims, signer)

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        """Good claims for `nonce`: what a correct provider would sign; `changes` override."""
        now = int(time.time())
        base: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "mette",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **ACCOUNTS["mette"],
        }
        base.update(changes)
        return base


def start_crafting_provider() -> Iterator[CraftingProvider]:
    """Run the crafting provider in a thread until the generator is closed."""
    port = free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": "crafted-1", "use": "sig", "alg": "RS256"})
    provider = CraftingProvider(f"http://127.0.0.1:{port}", key)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "jwks_uri": f"{provider.issuer}/jwks",
                    }
                )
            elif parts.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                code = f"code-{len(provider.nonces)}"
                provider.nonces[code] = query["nonce"]
                back = (
                    f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                )
                self.send_response(303)
                self.send_header("Location", back)
                self.end_headers()
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            nonce = provider.nonces.get(form.get("code", ""), "")
            assert provider.make_token is not None
            self._json(
                {
                    "access_token": "x",
                    "token_type": "Bearer",
                    "id_token": provider.make_token(nonce),
                }
            )

    with serving(ThreadingHTTPServer(("127.0.0.1", port), Handler)):
        yield provider
