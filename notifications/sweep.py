"""The reminder sweep: claim due outbox rows, deliver them, mark them. Safe to run anywhere.

Any number of processes may sweep the same database at once (see `notifications.claims`).
Work goes in batches of `OPI_SWEEP_BATCH`: one transaction claims a batch, one loads it and
gathers what each reminder says, a few threads deliver it (each with its own SMTP connection
and HTTP client, kept for the whole pass, and each building a mail just before it sends it),
and one transaction records the outcome. Each reminder's delivery
succeeds or fails on its own, so one bad row never stops the batch. The engine and the
settings are arguments, never process globals, so tests and workers choose their own.
"""

import logging
import os
import socket
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy import Engine

from notifications import claims, mailer
from notifications.channels import Channels, Delivery, NotTried, delivery_channels, send_one
from notifications.content import gather, webhook_payload
from notifications.facts import ReminderFacts
from workflow.core.db import session_scope
from workflow.core.settings import Settings
from workflow.core.timeutil import utcnow
from workflow.models import Channel

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


def worker_id() -> str:
    """A name for this sweeper that is unique across hosts, processes and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def prepare(
    engine: Engine, ids: list[int], worker: str, now: datetime, settings: Settings
) -> tuple[list[Delivery], dict[int, str | None]]:
    """Settle a claimed batch and gather its content: the deliveries, and failures found on
    the way. A mail is built later, on its delivery thread (`Delivery.mail`): building it is
    a quarter of a sweep's work, and done there it overlaps with other threads' waiting for
    the SMTP server, where done here it held up every delivery thread (bench `sweep`)."""
    deliveries: list[Delivery] = []
    failures: dict[int, str | None] = {}
    with session_scope(engine) as session:
        batch = claims.load_batch(session, ids)
        for row in claims.settle(session, batch, worker, now):
            try:
                delivery = _render(row, batch, settings, now)
            except Exception as exc:  # a row that cannot be rendered fails like a delivery
                log.exception("reminder %s could not be rendered", row.dedup_key)
                failures[row.id] = f"{type(exc).__name__}: {exc}"
                continue
            if delivery is None:
                claims.close_undeliverable(
                    session, row, "the organisation has no webhook any more", now
                )
            else:
                deliveries.append(delivery)
    return deliveries, failures


def _render(
    row: ReminderFacts, batch: claims.Batch, settings: Settings, now: datetime
) -> Delivery | None:
    deadline, case = batch.deadlines[row.deadline_id], batch.cases[row.case_id]
    recipient = batch.organisations[row.recipient_organisation_id]
    responsible = batch.organisations.get(
        deadline.responsible_organisation_id or case.lead_municipality_id
    )
    content = gather(row, deadline, case, recipient, responsible, settings, now)
    if row.channel == Channel.EMAIL.value:
        mail = partial(mailer.build_mail, settings, content, now)
        return Delivery(row.id, row.dedup_key, mail=mail)
    if not recipient.webhook_url or not recipient.webhook_secret:
        return None
    return Delivery(
        row.id,
        row.dedup_key,
        url=recipient.webhook_url,
        secret=recipient.webhook_secret,
        payload=webhook_payload(content),
    )


def sweep(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime | None = None,
    worker: str | None = None,
    max_rows: int = MAX_ROWS_PER_PASS,
) -> SweepResult:
    """One pass: claim and handle due reminders in batches until none are due.

    The batches flow through a pipeline: while one batch is being delivered, the next is
    claimed, its content gathered and its deliveries queued behind it, and the one before
    is recorded, each in its own transaction.
    `now` fixes the clock for tests; left out, each step reads the real time.
    """
    with (
        delivery_channels(settings) as (opened, pool),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="opi-finish") as finisher,
    ):
        sweeper = _Sweeper(engine, settings, worker or worker_id(), now, opened, pool, finisher)
        return sweeper.run(max_rows)


@dataclass(frozen=True, slots=True)
class _Prepared:
    ids: list[int]
    deliveries: list[Delivery]
    failures: dict[int, str | None]
    stop_at: float


@dataclass
class _Sweeper:
    engine: Engine
    settings: Settings
    worker: str
    fixed_now: datetime | None
    opened: Channels
    pool: ThreadPoolExecutor
    finisher: ThreadPoolExecutor
    result: SweepResult = field(default_factory=SweepResult)

    def now(self) -> datetime:
        return self.fixed_now or utcnow()

    def run(self, max_rows: int) -> SweepResult:
        finishing: Future[claims.FinishResult] | None = None
        current = self.claim_and_prepare(max_rows)
        sending = self.send(current) if current is not None else []
        while current is not None:
            # While this batch is delivered, the next is claimed, gathered and queued behind
            # it, so the delivery threads go from one batch to the next without waiting.
            upcoming = self.claim_and_prepare(max_rows)
            queued = self.send(upcoming) if upcoming is not None else []
            outcomes, unsent = dict(current.failures), []
            for delivery, future in zip(current.deliveries, sending, strict=True):
                error = future.result()
                if isinstance(error, NotTried):
                    unsent.append(delivery.reminder_id)
                else:
                    outcomes[delivery.reminder_id] = error
            if finishing is not None:
                self.absorb(finishing)
            finishing = self.finisher.submit(
                claims.finish, self.engine, self.worker, outcomes, unsent, self.now(), self.settings
            )
            current, sending = upcoming, queued
        if finishing is not None:
            self.absorb(finishing)
        return self.result

    def send(self, batch: _Prepared) -> "list[Future[str | NotTried | None]]":
        """Queue a batch's deliveries on the delivery threads."""
        return [self.pool.submit(send_one, self.opened, d, batch.stop_at) for d in batch.deliveries]

    def claim_and_prepare(self, max_rows: int) -> _Prepared | None:
        """The next batch, claimed and its content gathered; None when nothing more is due."""
        if self.result.claimed >= max_rows:
            return None
        size = min(self.settings.sweep_batch, max_rows - self.result.claimed)
        stop_at = time.monotonic() + self.settings.lease_seconds * LEASE_SAFETY
        ids = claims.claim(self.engine, self.worker, self.now(), self.settings, size)
        if not ids:
            return None
        self.result.claimed += len(ids)
        self.result.not_sent += len(ids)  # until finish says otherwise
        try:
            deliveries, failures = prepare(self.engine, ids, self.worker, self.now(), self.settings)
        except Exception as exc:  # the rows stay leased and are retried after the lease
            log.exception("a batch of %d reminders could not be prepared", len(ids))
            self.result.errors.append(f"{type(exc).__name__}: {exc}")
            return _Prepared(ids, [], {}, stop_at)
        return _Prepared(ids, deliveries, failures, stop_at)

    def absorb(self, finishing: "Future[claims.FinishResult]") -> None:
        """Count what a batch's finish recorded (or the error that stopped it)."""
        try:
            recorded = finishing.result()
        except Exception as exc:  # the rows stay leased and are retried after the lease
            log.exception("a batch of reminders could not be recorded")
            self.result.errors.append(f"{type(exc).__name__}: {exc}")
            return
        self.result.sent += recorded.sent
        self.result.retried += recorded.retried
        self.result.failed += recorded.failed
        self.result.not_sent -= recorded.sent + recorded.retried + recorded.failed
