"""Delivery channels of a sweep pass: per thread, an SMTP connection and an HTTP client.

The sweep hands rendered reminders to a small thread pool; each thread keeps its own SMTP
connection (one handshake, STARTTLS and login per pass, not per mail) and its own HTTP client
for webhooks, so several reminders are in flight at once.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import httpx

from notifications import mailer, webhook
from workflow.core.settings import Settings

log = logging.getLogger(__name__)


class NotTried:
    """The marker `send_one` returns when the lease ran out before it could try."""


NOT_TRIED: Final = NotTried()


@dataclass(frozen=True, slots=True)
class Delivery:
    """A rendered reminder ready to leave the process."""

    reminder_id: int
    dedup_key: str
    mail: Callable[[], mailer.OutgoingMail] | None = None
    """Builds the mail; called on the delivery thread, so that building one mail overlaps
    with other threads waiting for the SMTP server's answers. A mail that cannot be built
    fails its try like a refused one."""
    url: str | None = None
    secret: str | None = None
    payload: dict[str, Any] | None = None


class Channels:
    """Per delivery thread: an SMTP connection and an HTTP client, reused for the pass."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._opened: list[tuple[mailer.SmtpConnection, httpx.Client]] = []
        self._lock = threading.Lock()

    def _mine(self) -> tuple[mailer.SmtpConnection, httpx.Client]:
        pair: tuple[mailer.SmtpConnection, httpx.Client] | None = getattr(self._local, "pair", None)
        if pair is None:
            timeout = self.settings.delivery_timeout
            http = webhook.client(timeout, production=self.settings.is_production)
            pair = (mailer.SmtpConnection(self.settings), http)
            self._local.pair = pair
            with self._lock:
                self._opened.append(pair)
        return pair

    def deliver(self, delivery: Delivery) -> None:
        """Send one reminder over its channel; raises on any failure."""
        smtp, http = self._mine()
        if delivery.mail is not None:
            smtp.send(delivery.mail())
            return
        assert delivery.url and delivery.secret and delivery.payload is not None
        webhook.send(
            http,
            delivery.url,
            delivery.secret,
            delivery.payload,
            delivery.dedup_key,
            production=self.settings.is_production,
        )

    def close(self) -> None:
        """Close every connection opened by any thread."""
        for smtp, http in self._opened:
            smtp.close()
            http.close()


@contextmanager
def delivery_channels(settings: Settings) -> Iterator[tuple[Channels, ThreadPoolExecutor]]:
    """Delivery threads and their connections for the length of a pass."""
    pool = ThreadPoolExecutor(
        max_workers=settings.delivery_concurrency, thread_name_prefix="opi-delivery"
    )
    opened = Channels(settings)
    try:
        yield opened, pool
    finally:
        pool.shutdown(wait=True)
        opened.close()


def send_one(opened: Channels, delivery: Delivery, stop_at: float) -> str | NotTried | None:
    """Deliver one reminder: None when delivered, the error when not, `NOT_TRIED` when the
    lease was running out (another sweep may take the row over soon, so it is left alone)."""
    if time.monotonic() > stop_at:
        return NOT_TRIED
    try:
        opened.deliver(delivery)
    except Exception as exc:  # recorded on the row and in the log, never raised
        error = f"{type(exc).__name__}: {exc}"
        log.warning("reminder %s not delivered: %s", delivery.dedup_key, error)
        return error
    return None
