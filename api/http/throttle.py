"""Throttling failed sign-ins and failed bearer tokens, per client address (issue 15.12).

Guessing a token is hopeless (43 random characters), but a short `OPI_ADMIN_TOKEN` outside
production, or a leaked prefix, is not; and every failed try costs a database read. So each
client address may fail `OPI_AUTH_FAILURE_LIMIT` times (default 20) within a sliding window of
`OPI_AUTH_FAILURE_WINDOW_SECONDS` (default 300). Past that, every attempt from the address to
authenticate, right or wrong, gets 429 with `Retry-After` until old failures leave the window:
answering a right token normally would tell a guesser which try was right. Requests that
authenticate successfully are never counted.

The window is the `limits` library's moving window in process memory: per process (each of
`--workers N` counts on its own; a restart forgets), which bounds guessing without a shared
store. Behind a reverse proxy the address is the one uvicorn takes from `X-Forwarded-For` of
a trusted proxy (`--forwarded-allow-ips`).
"""

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import HTTPConnection

from workflow.core.settings import Settings


class FailedAuthentications:
    """Failed authentications per client address in a sliding window."""

    def __init__(self, limit: int, window_seconds: int) -> None:
        self._item = RateLimitItemPerSecond(limit, window_seconds, namespace="opi-auth-failures")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @classmethod
    def from_settings(cls, settings: Settings) -> "FailedAuthentications":
        """The throttle the settings describe."""
        return cls(settings.auth_failure_limit, settings.auth_failure_window_seconds)

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it may try now."""
        if self._limiter.test(self._item, client):
            return None
        reset = self._limiter.get_window_stats(self._item, client).reset_time
        return max(1, math.ceil(reset - time.time()))

    def failed(self, client: str) -> None:
        """Count a failed attempt of `client`."""
        self._limiter.hit(self._item, client)


class PublicForms:
    """Requests sent from the public call pages (issue 17): per client address and in all,
    in a sliding window, so that the form without sign-in cannot be used to fill the
    database. Per process, like `FailedAuthentications`."""

    ALL = "all"

    def __init__(self, per_address: int, in_all: int, window_seconds: int) -> None:
        self._each = RateLimitItemPerSecond(per_address, window_seconds, namespace="opi-public")
        self._all = RateLimitItemPerSecond(in_all, window_seconds, namespace="opi-public-all")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @classmethod
    def from_settings(cls, settings: Settings) -> "PublicForms":
        """The throttle the settings describe."""
        return cls(
            settings.public_request_limit,
            settings.public_request_total_limit,
            settings.public_request_window_seconds,
        )

    def take(self, client: str) -> int | None:
        """Count one request of `client`; None when it may send it, else the seconds until
        it may (nothing is counted then)."""
        for item, key in ((self._each, client), (self._all, self.ALL)):
            if not self._limiter.test(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                return max(1, math.ceil(reset - time.time()))
        self._limiter.hit(self._each, client)
        self._limiter.hit(self._all, self.ALL)
        return None


def public_forms_of(connection: HTTPConnection) -> PublicForms:
    """The app's throttle of the public forms (made by `api.app.create_app`)."""
    forms: PublicForms = connection.app.state.public_forms
    return forms


def client_address(connection: HTTPConnection) -> str:
    """The address failures are counted under."""
    return connection.client.host if connection.client else "unknown"


def throttle_of(connection: HTTPConnection) -> FailedAuthentications:
    """The app's throttle (made by `api.app.create_app`, shared by the API and the pages)."""
    throttle: FailedAuthentications = connection.app.state.auth_failures
    return throttle
