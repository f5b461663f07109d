"""Reminder webhooks: a JSON body signed with HMAC-SHA256 under the organisation's secret.

Headers: `X-OPI-Signature: sha256=<hex HMAC of the exact body bytes>`, `Idempotency-Key: <dedup
key>` (the same on every retry, so a receiver can drop repeats) and `X-OPI-Event`.

Where a webhook may go is checked when it is delivered, not when the address is saved: a name
that resolved to a public address then may resolve to `127.0.0.1` or `10.0.0.5` now (issue
15.9). In production only `https` to public addresses; elsewhere `http` too, and loopback (the
tests' receivers), but never private, link-local or other non-public addresses. The check runs
on the addresses the name resolves to at connection time, and the connection goes to the
address that was checked (`GuardedBackend`), so a second, different answer of the resolver
(DNS rebinding) cannot slip past it. Redirects are never followed: a 3xx counts as a failed
delivery, so no redirect can lead anywhere unchecked. Proxies from the environment are not
used, for the same reason.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

SIGNATURE_HEADER = "X-OPI-Signature"
EVENT = "deadline.reminder"


class WebhookRefused(Exception):
    """The receiver answered with something other than 2xx."""


class DestinationRefused(WebhookRefused):
    """The webhook's address is not one the service may send to."""


def resolve(host: str, port: int) -> list[str]:
    """The IP addresses `host` resolves to now (tests replace this with their own resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_allowed(address: str, *, production: bool) -> bool:
    """Whether a webhook may connect to `address`: public unicast addresses, and loopback
    outside production."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not production
    return ip.is_global and not ip.is_multicast


def vetted_addresses(host: str, port: int, *, production: bool) -> list[str]:
    """The addresses of `host`, all of them allowed; `DestinationRefused` if any is not (an
    attacker's name could mix a public address with a private one)."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise DestinationRefused(f"the webhook host {host!r} does not resolve: {exc}") from exc
    refused = [a for a in addresses if not address_allowed(a, production=production)]
    if refused or not addresses:
        raise DestinationRefused(
            f"the webhook host {host!r} resolves to an address webhooks may not reach "
            f"({', '.join(refused) or 'none'})"
        )
    return addresses


def check_url(url: str, *, production: bool) -> None:
    """Refuse a webhook URL whose scheme is not allowed here (`https` only in production)."""
    scheme = urlsplit(url).scheme.lower()
    allowed = ("https",) if production else ("http", "https")
    if scheme not in allowed:
        raise DestinationRefused(f"webhooks use {' or '.join(allowed)} here, not {scheme!r}")


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to checked addresses of the host.

    TLS still verifies the certificate against the host name: httpcore starts TLS with the
    request's host as the server name, whatever address the TCP connection went to.
    """

    def __init__(self, *, production: bool) -> None:
        self.production = production

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first checked address of `host` that answers."""
        error: Exception | None = None
        for address in vetted_addresses(host, port, production=self.production):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


def client(timeout: float, *, production: bool) -> httpx.Client:
    """An HTTP client for webhooks: checked destinations, no proxies, no redirects."""
    transport = httpx.HTTPTransport()
    # httpx takes no network backend of its own; its transport's pool is rebuilt with the
    # guarded one (a test delivers to a name only the test's resolver knows, so this breaking
    # in a later httpx fails loudly).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=GuardedBackend(production=production),
    )
    return httpx.Client(
        transport=transport, timeout=timeout, trust_env=False, follow_redirects=False
    )


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: what `X-OPI-Signature` carries for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` is the right signature of `body` (for receivers, and the tests)."""
    return hmac.compare_digest(signature(secret, body), header)


def send(
    http: httpx.Client,
    url: str,
    secret: str,
    payload: dict[str, Any],
    dedup_key: str,
    *,
    production: bool = True,
) -> None:
    """POST the payload with `http` (a `client()`); anything but a 2xx answer raises."""
    check_url(url, production=production)
    body = body_bytes(payload)
    response = http.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, body),
            "Idempotency-Key": dedup_key,
            "X-OPI-Event": EVENT,
            "User-Agent": "opi-workflow-reminders",
        },
        follow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise WebhookRefused(f"the webhook answered HTTP {response.status_code}")
