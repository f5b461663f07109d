"""The reminder sweep: claim due outbox rows, deliver them, mark them. Safe to run anywhere.

Any number of processes may sweep the same database at once (see `notifications.claims`).
Work goes in batches of `OPI_SWEEP_BATCH`: one transaction claims a batch, one loads and
renders it, a few threads deliver it (each with its own SMTP connection and HTTP client, kept
for the whole pass), and one transaction records the outcome. Each reminder's delivery
succeeds or fails on its own, so one bad row never stops the batch. The engine and the
settings are arguments, never process globals, so tests and workers choose their own.
"""

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from notifications import claims, mailer, webhook
from notifications.content import gather, webhook_payload
from workflow.db import session_scope
from workflow.models import Channel, Reminder
from workflow.settings import Settings
from workflow.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ROWS_PER_PASS = 20_000
LEASE_SAFETY = 0.8
"""Deliveries stop once this share of the lease has gone, so no other sweep takes a row over
while it is still being sent."""


@dataclass
class SweepResult:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    not_sent: int = 0
    """Cancelled, skipped as superseded, released for a case on hold or a running-out lease,
    or handled elsewhere."""
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A rendered reminder ready to leave the process."""

    reminder_id: int
    dedup_key: str
    mail: mailer.OutgoingMail | None = None
    url: str | None = None
    secret: str | None = None
    payload: dict[str, Any] | None = None


def worker_id() -> str:
    """A name for this sweeper that is unique across hosts, processes and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def prepare(
    engine: Engine, ids: list[int], worker: str, now: datetime, settings: Settings
) -> tuple[list[Delivery], dict[int, str | None]]:
    """Settle and render a claimed batch: the deliveries, and failures found on the way."""
    deliveries: list[Delivery] = []
    failures: dict[int, str | None] = {}
    with session_scope(engine) as session:
        batch = claims.load_batch(session, ids)
        for row in claims.settle(session, batch, worker, now):
            try:
                delivery = _render(row, batch, settings, now)
            except Exception as exc:  # a row that cannot be rendered fails like a delivery
                log.exception("reminder %s could not be rendered", row.dedup_key)
                failures[row.id or 0] = f"{type(exc).__name__}: {exc}"
                continue
            if delivery is None:
                claims.close_undeliverable(row, "the organisation has no webhook any more", now)
            else:
                deliveries.append(delivery)
    return deliveries, failures


def _render(
    row: Reminder, batch: claims.Batch, settings: Settings, now: datetime
) -> Delivery | None:
    assert row.id is not None
    deadline, case = batch.deadlines[row.deadline_id], batch.cases[row.case_id]
    recipient = batch.organisations[row.recipient_organisation_id]
    responsible = batch.organisations.get(
        deadline.responsible_organisation_id or case.lead_municipality_id
    )
    content = gather(row, deadline, case, recipient, responsible, settings, now)
    if row.channel == Channel.EMAIL.value:
        return Delivery(row.id, row.dedup_key, mail=mailer.build_mail(settings, content, now))
    if not recipient.webhook_url or not recipient.webhook_secret:
        return None
    return Delivery(
        row.id,
        row.dedup_key,
        url=recipient.webhook_url,
        secret=recipient.webhook_secret,
        payload=webhook_payload(content),
    )


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
            pair = (mailer.SmtpConnection(self.settings), httpx.Client(timeout=timeout))
            self._local.pair = pair
            with self._lock:
                self._opened.append(pair)
        return pair

    def deliver(self, delivery: Delivery) -> None:
        """Send one reminder over its channel; raises on any failure."""
        smtp, http = self._mine()
        if delivery.mail is not None:
            smtp.send(delivery.mail)
            return
        assert delivery.url and delivery.secret and delivery.payload is not None
        webhook.send(http, delivery.url, delivery.secret, delivery.payload, delivery.dedup_key)

    def close(self) -> None:
        """Close every connection opened by any thread."""
        for smtp, http in self._opened:
            smtp.close()
            http.close()


@contextmanager
def channels(settings: Settings) -> Iterator[tuple[Channels, ThreadPoolExecutor]]:
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


def deliver_all(
    deliveries: list[Delivery],
    opened: Channels,
    pool: ThreadPoolExecutor,
    stop_at: float,
) -> tuple[dict[int, str | None], list[int]]:
    """Deliver concurrently: each reminder's error (None when delivered), and those left
    untried because the lease was running out."""

    def one(delivery: Delivery) -> tuple[int, str | None] | None:
        if time.monotonic() > stop_at:
            return None
        try:
            opened.deliver(delivery)
        except Exception as exc:  # recorded on the row and in the log, never raised
            error = f"{type(exc).__name__}: {exc}"
            log.warning("reminder %s not delivered: %s", delivery.dedup_key, error)
            return delivery.reminder_id, error
        return delivery.reminder_id, None

    outcomes: dict[int, str | None] = {}
    unsent: list[int] = []
    for delivery, outcome in zip(deliveries, pool.map(one, deliveries), strict=True):
        if outcome is None:
            unsent.append(delivery.reminder_id)
        else:
            outcomes[outcome[0]] = outcome[1]
    return outcomes, unsent


def sweep(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime | None = None,
    worker: str | None = None,
    max_rows: int = MAX_ROWS_PER_PASS,
) -> SweepResult:
    """One pass: claim and handle due reminders in batches until none are due.

    `now` fixes the clock for tests; left out, each step reads the real time.
    """
    with channels(settings) as (opened, pool):
        sweeper = _Sweeper(engine, settings, worker or worker_id(), now, opened, pool)
        return sweeper.run(max_rows)


@dataclass
class _Sweeper:
    engine: Engine
    settings: Settings
    worker: str
    fixed_now: datetime | None
    opened: Channels
    pool: ThreadPoolExecutor
    result: SweepResult = field(default_factory=SweepResult)

    def now(self) -> datetime:
        return self.fixed_now or utcnow()

    def run(self, max_rows: int) -> SweepResult:
        result, settings = self.result, self.settings
        while result.claimed < max_rows:
            size = min(settings.sweep_batch, max_rows - result.claimed)
            stop_at = time.monotonic() + settings.lease_seconds * LEASE_SAFETY
            ids = claims.claim(self.engine, self.worker, self.now(), settings, size)
            if not ids:
                break
            result.claimed += len(ids)
            try:
                self.batch(ids, stop_at)
            except Exception as exc:  # the rows stay leased and are retried after the lease
                log.exception("a batch of %d reminders could not be handled", len(ids))
                result.errors.append(f"{type(exc).__name__}: {exc}")
        return result

    def batch(self, ids: list[int], stop_at: float) -> None:
        engine, settings, worker = self.engine, self.settings, self.worker
        deliveries, outcomes = prepare(engine, ids, worker, self.now(), settings)
        delivered, unsent = deliver_all(deliveries, self.opened, self.pool, stop_at)
        outcomes.update(delivered)
        recorded = claims.finish(engine, worker, outcomes, unsent, self.now(), settings)
        self.result.sent += recorded.sent
        self.result.retried += recorded.retried
        self.result.failed += recorded.failed
        self.result.not_sent += len(ids) - recorded.sent - recorded.retried - recorded.failed
