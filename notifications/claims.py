"""The outbox rows' life: claimed, prepared, then marked sent, retried or failed.

Claiming: on PostgreSQL, `SELECT ... FOR UPDATE SKIP LOCKED` picks due rows no other sweep is
claiming right now, and a lease (`lease_owner`, `lease_until`) keeps them ours while we deliver
outside any transaction; a sweep that dies leaves its lease to expire, and another sweep
takes the rows over. On SQLite every transaction begins with BEGIN IMMEDIATE (see
`workflow.db`), so exactly one claiming writer runs at a time and the same query is safe
there without row locks.

Each step is its own short transaction. Nothing is held open while a mail or webhook is in
flight.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlmodel import Session, col

from workflow import audit, outbox
from workflow.actor import SYSTEM_SWEEP
from workflow.db import session_scope
from workflow.models import Case, Deadline, DeadlineStatus, Reminder, ReminderStatus
from workflow.settings import Settings

MAX_BACKOFF = timedelta(hours=6)
MAX_ERROR_LENGTH = 2000


def claim(engine: Engine, worker: str, now: datetime, settings: Settings, limit: int) -> list[int]:
    """Lease up to `limit` due reminders of cases not on hold to `worker`; their ids."""
    with session_scope(engine) as session:
        ids = list(
            session.execute(
                select(col(Reminder.id))
                .join(Case, col(Case.id) == col(Reminder.case_id))
                .where(
                    col(Reminder.status) == ReminderStatus.PENDING.value,
                    col(Reminder.next_attempt_at) <= now,
                    or_(
                        col(Reminder.lease_until).is_(None),
                        col(Reminder.lease_until) <= now,
                    ),
                    col(Case.on_hold).is_(False),
                )
                .order_by(col(Reminder.next_attempt_at), col(Reminder.id))
                .limit(limit)
                .with_for_update(skip_locked=True, of=Reminder)
            ).scalars()
        )
        if ids:
            session.execute(
                update(Reminder)
                .where(col(Reminder.id).in_(ids))
                .values(
                    lease_owner=worker,
                    lease_until=now + timedelta(seconds=settings.lease_seconds),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        return [i for i in ids if i is not None]


def lock_row(session: Session, reminder_id: int) -> Reminder | None:
    """The reminder, locked for this transaction."""
    return session.execute(
        select(Reminder)
        .where(col(Reminder.id) == reminder_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def superseded(session: Session, row: Reminder, now: datetime) -> bool:
    """Whether a later rung for the same recipient and channel is due too (a missed window)."""
    later = session.execute(
        select(col(Reminder.id))
        .where(
            col(Reminder.deadline_id) == row.deadline_id,
            col(Reminder.revision) == row.revision,
            col(Reminder.recipient_organisation_id) == row.recipient_organisation_id,
            col(Reminder.channel) == row.channel,
            col(Reminder.rung_order) > row.rung_order,
            col(Reminder.send_at) <= now,
            col(Reminder.status).in_([ReminderStatus.PENDING.value, ReminderStatus.SENT.value]),
        )
        .limit(1)
    ).first()
    return later is not None


def settle_before_delivery(session: Session, row: Reminder, worker: str, now: datetime) -> bool:
    """Decide whether a claimed row is still to be delivered; close it if not.

    A row whose deadline is closed or moved is cancelled; one overtaken by a later rung that
    is also due is skipped; one whose case went on hold is released for later.
    """
    if row.status != ReminderStatus.PENDING.value or row.lease_owner != worker:
        return False  # handled elsewhere meanwhile, or our lease ran out and was taken over
    deadline = session.get(Deadline, row.deadline_id)
    case = session.get(Case, row.case_id)
    assert deadline is not None and case is not None
    if deadline.status != DeadlineStatus.OPEN.value or deadline.revision != row.revision:
        _close(row, ReminderStatus.CANCELLED, now)
        return False
    if case.on_hold:
        row.lease_owner, row.lease_until, row.updated_at = None, None, now
        return False
    if superseded(session, row, now):
        _close(row, ReminderStatus.SKIPPED, now)
        return False
    return True


def _close(row: Reminder, status: ReminderStatus, now: datetime) -> None:
    row.status = status.value
    row.lease_owner, row.lease_until, row.updated_at = None, None, now


def _describe(row: Reminder) -> dict[str, object]:
    return {
        "reminder_id": row.id,
        "dedup_key": row.dedup_key,
        "deadline_id": row.deadline_id,
        "rung": row.rung,
        "channel": row.channel,
        "recipient_organisation_id": row.recipient_organisation_id,
        "attempts": row.attempts,
    }


def mark_sent(
    engine: Engine, reminder_id: int, worker: str, now: datetime, settings: Settings
) -> bool:
    """Record a delivery; schedule the next weekly escalation. False if already recorded."""
    with session_scope(engine) as session:
        row = lock_row(session, reminder_id)
        if row is None or row.status not in (
            ReminderStatus.PENDING.value,
            ReminderStatus.CANCELLED.value,  # closed while in flight: it still went out
        ):
            return False
        row.attempts += 1
        row.status, row.sent_at, row.last_error = ReminderStatus.SENT.value, now, None
        row.lease_owner, row.lease_until, row.updated_at = None, None, now
        audit.record(
            session,
            SYSTEM_SWEEP,
            "reminder.sent",
            {**_describe(row), "worker": worker},
            case_id=row.case_id,
            at=now,
        )
        _next_escalation(session, row, now, settings)
        return True


def mark_failed(
    engine: Engine, reminder_id: int, worker: str, error: str, now: datetime, settings: Settings
) -> ReminderStatus | None:
    """Record a failed try: retry later with exponential backoff, or fail for good."""
    with session_scope(engine) as session:
        row = lock_row(session, reminder_id)
        if row is None or row.status != ReminderStatus.PENDING.value:
            return None
        row.attempts += 1
        row.last_error = error[:MAX_ERROR_LENGTH]
        row.lease_owner, row.lease_until, row.updated_at = None, None, now
        if row.attempts < settings.max_attempts:
            row.next_attempt_at = now + backoff(row.attempts, settings)
            return ReminderStatus.PENDING
        row.status = ReminderStatus.FAILED.value
        audit.record(
            session,
            SYSTEM_SWEEP,
            "reminder.failed",
            {**_describe(row), "error": row.last_error, "worker": worker},
            case_id=row.case_id,
            at=now,
        )
        _next_escalation(session, row, now, settings)
        return ReminderStatus.FAILED


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait before try `attempts + 1`: the base delay doubled per failed try, capped."""
    delay = timedelta(seconds=settings.retry_base_seconds * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


def _next_escalation(session: Session, row: Reminder, now: datetime, settings: Settings) -> None:
    deadline = session.get(Deadline, row.deadline_id)
    if deadline is not None:
        outbox.schedule_next_escalation(session, row, deadline, now, settings.reminder_calendar)
