"""The reminder sweep: claim due outbox rows, deliver each, mark it. Safe to run anywhere.

Any number of processes may sweep the same database at once (see `notifications.claims`).
Each row is handled on its own, so one bad row never stops the batch. The engine and the
settings are arguments, never process globals, so tests and workers choose their own.
"""

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine

from notifications import claims, mailer, webhook
from notifications.content import gather, webhook_payload
from workflow.db import session_scope
from workflow.models import Channel, Organisation, ReminderStatus
from workflow.settings import Settings
from workflow.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ROWS_PER_PASS = 5_000


@dataclass
class SweepResult:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    not_sent: int = 0
    """Cancelled, skipped as superseded, released for a case on hold, or handled elsewhere."""
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A rendered reminder ready to leave the process."""

    reminder_id: int
    dedup_key: str
    channel: str
    mail: EmailMessage | None = None
    url: str | None = None
    secret: str | None = None
    payload: dict[str, Any] | None = None


def worker_id() -> str:
    """A name for this sweeper that is unique across hosts, processes and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def prepare(
    engine: Engine, reminder_id: int, worker: str, now: datetime, settings: Settings
) -> Delivery | None:
    """Check the claimed row is still due and render it; None when it is not to be sent."""
    with session_scope(engine) as session:
        row = claims.lock_row(session, reminder_id)
        if row is None or not claims.settle_before_delivery(session, row, worker, now):
            return None
        content = gather(session, row, settings, now)
        assert row.id is not None
        if row.channel == Channel.EMAIL.value:
            return Delivery(
                row.id,
                row.dedup_key,
                row.channel,
                mail=mailer.build_message(settings, content, now),
            )
        org = session.get(Organisation, row.recipient_organisation_id)
        if org is None or not org.webhook_url or not org.webhook_secret:
            row.status = ReminderStatus.CANCELLED.value
            row.last_error = "the organisation no longer has a webhook URL and secret"
            row.lease_owner, row.lease_until = None, None
            return None
        return Delivery(
            row.id,
            row.dedup_key,
            row.channel,
            url=org.webhook_url,
            secret=org.webhook_secret,
            payload=webhook_payload(content),
        )


def deliver(delivery: Delivery, settings: Settings) -> None:
    """Send one reminder over its channel; raises on any failure."""
    if delivery.mail is not None:
        mailer.send(settings, delivery.mail)
        return
    assert delivery.url and delivery.secret and delivery.payload is not None
    webhook.send(
        delivery.url,
        delivery.secret,
        delivery.payload,
        delivery.dedup_key,
        settings.delivery_timeout,
    )


def process(
    engine: Engine, reminder_id: int, worker: str, settings: Settings, now: datetime | None
) -> str:
    """Prepare, deliver and mark one claimed reminder; what became of it."""
    delivery = prepare(engine, reminder_id, worker, now or utcnow(), settings)
    if delivery is None:
        return "not_sent"
    try:
        deliver(delivery, settings)
    except Exception as exc:  # every delivery failure is recorded on the row, never raised
        error = f"{type(exc).__name__}: {exc}"
        log.warning("reminder %s not delivered: %s", delivery.dedup_key, error)
        status = claims.mark_failed(engine, reminder_id, worker, error, now or utcnow(), settings)
        return "failed" if status is ReminderStatus.FAILED else "retried"
    claims.mark_sent(engine, reminder_id, worker, now or utcnow(), settings)
    return "sent"


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
    worker = worker or worker_id()
    result = SweepResult()
    while result.claimed < max_rows:
        batch = min(settings.sweep_batch, max_rows - result.claimed)
        ids = claims.claim(engine, worker, now or utcnow(), settings, batch)
        if not ids:
            break
        result.claimed += len(ids)
        for reminder_id in ids:
            try:
                outcome = process(engine, reminder_id, worker, settings, now)
            except Exception as exc:  # one bad row never stops the batch
                log.exception("reminder %s could not be handled", reminder_id)
                result.errors.append(f"{reminder_id}: {type(exc).__name__}: {exc}")
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result
