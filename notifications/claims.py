"""The outbox rows' life: claimed in batches, settled, then marked sent, retried or failed.

Claiming: on PostgreSQL, `SELECT ... FOR UPDATE SKIP LOCKED` picks due rows no other sweep is
claiming right now, and a lease (`lease_owner`, `lease_until`) keeps them ours while we deliver
outside any transaction; a sweep that dies leaves its lease to expire, and another sweep
takes the rows over. On SQLite every transaction begins with BEGIN IMMEDIATE (see
`workflow.core.db`), so exactly one claiming writer runs at a time and the same query is safe
there without row locks.

Each step is one short transaction per batch. Nothing is held open while a mail or webhook
is in flight. Locks are always taken in the same order (audit chain heads by chain, then
reminder rows by id), the order every other writer of these rows follows (a writer of a case
locks the case and its head first), so sweeps never deadlock with each other or with the API.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, or_, select, update
from sqlmodel import Session, col

from notifications import facts
from notifications.facts import CaseFacts, DeadlineFacts, OrganisationFacts, ReminderFacts
from workflow.access.actor import SYSTEM_SWEEP
from workflow.audit import writer as audit
from workflow.core.db import session_scope
from workflow.core.id_lists import among
from workflow.core.settings import Settings
from workflow.core.unit_of_work import UnitOfWork, work_scope
from workflow.deadlines import outbox
from workflow.deadlines.ladder import escalation_number
from workflow.models import Case, Deadline, DeadlineStatus, Reminder, ReminderStatus

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
                .where(among(col(Reminder.id), ids))
                .values(
                    lease_owner=worker,
                    lease_until=now + timedelta(seconds=settings.lease_seconds),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        return sorted(i for i in ids if i is not None)


@dataclass
class Batch:
    """A claimed batch's rows and everything needed to render them, loaded in bulk."""

    rows: list[ReminderFacts]
    deadlines: dict[int, DeadlineFacts] = field(default_factory=dict)
    cases: dict[int, CaseFacts] = field(default_factory=dict)
    organisations: dict[int, OrganisationFacts] = field(default_factory=dict)


def load_batch(session: Session, ids: list[int]) -> Batch:
    """Lock the rows and load their deadlines, cases and organisations, one query each."""
    batch = Batch(facts.lock_reminders(session, ids))
    if not batch.rows:
        return batch
    batch.deadlines = facts.load(session, DeadlineFacts, {r.deadline_id for r in batch.rows})
    batch.cases = facts.load(session, CaseFacts, {r.case_id for r in batch.rows})
    wanted = {r.recipient_organisation_id for r in batch.rows}
    for deadline in batch.deadlines.values():
        case = batch.cases.get(deadline.case_id)
        wanted.add(
            deadline.responsible_organisation_id or (case.lead_municipality_id if case else 0)
        )
    batch.organisations = facts.load(session, OrganisationFacts, wanted)
    return batch


def _latest_due_rungs(
    session: Session, rows: list[ReminderFacts], now: datetime
) -> dict[tuple, int]:
    """For each (deadline, revision, recipient, channel) in `rows`: the highest rung due."""
    keys = {(r.deadline_id, r.revision, r.recipient_organisation_id, r.channel) for r in rows}
    group = (
        col(Reminder.deadline_id),
        col(Reminder.revision),
        col(Reminder.recipient_organisation_id),
        col(Reminder.channel),
    )
    found = session.execute(
        select(*group, func.max(Reminder.rung_order))
        .where(
            among(col(Reminder.deadline_id), sorted({k[0] for k in keys})),
            col(Reminder.send_at) <= now,
            col(Reminder.status).in_([ReminderStatus.PENDING.value, ReminderStatus.SENT.value]),
        )
        .group_by(*group)
    ).all()
    return {tuple(r[:4]): int(r[4]) for r in found if tuple(r[:4]) in keys}


def settle(session: Session, batch: Batch, worker: str, now: datetime) -> list[ReminderFacts]:
    """The claimed rows still to be delivered; every other row is closed or released.

    A row whose deadline is closed or moved is cancelled; one overtaken by a later rung that
    is also due (a missed window) is skipped; one whose case went on hold is released.
    """
    latest = _latest_due_rungs(session, batch.rows, now)
    deliver: list[ReminderFacts] = []
    cancelled: list[int] = []
    skipped: list[int] = []
    released: list[int] = []
    for row in batch.rows:
        if row.status != ReminderStatus.PENDING.value or row.lease_owner != worker:
            continue  # handled elsewhere meanwhile, or our lease ran out and was taken over
        deadline, case = batch.deadlines[row.deadline_id], batch.cases[row.case_id]
        key = (row.deadline_id, row.revision, row.recipient_organisation_id, row.channel)
        if deadline.status != DeadlineStatus.OPEN.value or deadline.revision != row.revision:
            cancelled.append(row.id)
        elif case.on_hold:
            released.append(row.id)
        elif latest.get(key, row.rung_order) > row.rung_order:
            skipped.append(row.id)
        else:
            deliver.append(row)
    _close(session, cancelled, ReminderStatus.CANCELLED, now)
    _close(session, skipped, ReminderStatus.SKIPPED, now)
    release(session, released, now)
    return deliver


def _write(session: Session, ids: list[int], now: datetime, **values: object) -> None:
    """Set `values` on the rows `ids` (locked by the caller), their lease given up."""
    if not ids:
        return
    session.execute(
        update(Reminder)
        .where(among(col(Reminder.id), ids))
        .values(lease_owner=None, lease_until=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, ids: list[int], now: datetime) -> None:
    """Give up the rows' lease so they are claimed again later."""
    _write(session, ids, now)


def _close(session: Session, ids: list[int], status: ReminderStatus, now: datetime) -> None:
    _write(session, ids, now, status=status.value)


def close_undeliverable(session: Session, row: ReminderFacts, error: str, now: datetime) -> None:
    """Cancel a row that can no longer be delivered at all (a webhook URL was removed)."""
    _write(
        session,
        [row.id],
        now,
        status=ReminderStatus.CANCELLED.value,
        last_error=error[:MAX_ERROR_LENGTH],
    )


def _describe(row: ReminderFacts, worker: str) -> dict[str, object]:
    return {
        "reminder_id": row.id,
        "dedup_key": row.dedup_key,
        "deadline_id": row.deadline_id,
        "rung": row.rung,
        "channel": row.channel,
        "recipient_organisation_id": row.recipient_organisation_id,
        "attempts": row.attempts,
        "worker": worker,
    }


@dataclass
class FinishResult:
    """What `finish` recorded."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def finish(
    engine: Engine,
    worker: str,
    outcomes: dict[int, str | None],
    unsent: list[int],
    now: datetime,
    settings: Settings,
) -> FinishResult:
    """Record a batch's deliveries in one transaction, each with its audit event.

    `outcomes` maps a reminder to None (delivered) or the error of its failed try; `unsent`
    are rows not tried at all (the lease was running out), released for the next sweep. A
    delivered row is marked sent even if it was cancelled while in flight, since it went out.
    """
    result = FinishResult()
    with work_scope(engine) as work:
        session = work.session
        ids = [*outcomes, *unsent]
        # The heads of the batch's cases before its reminder rows: the lock order of every
        # writer of a case (`workflow.transitions.locking.lock_case`), so no deadlock.
        case_ids = session.execute(
            select(col(Reminder.case_id)).where(among(col(Reminder.id), ids)).distinct()
        ).scalars()
        audit.lock_chains(work, [audit.case_chain(case_id) for case_id in case_ids])
        rows = facts.lock_reminders(session, ids)
        events: list[tuple[ReminderFacts, str, dict[str, object]]] = []
        sent: list[int] = []
        released: list[int] = []
        for row in rows:
            if row.id not in outcomes:
                if row.status == ReminderStatus.PENDING.value and row.lease_owner == worker:
                    released.append(row.id)
                continue
            error = outcomes[row.id]
            if error is None and row.status in (
                ReminderStatus.PENDING.value,
                ReminderStatus.CANCELLED.value,
            ):
                sent.append(row.id)
                row.attempts += 1
                events.append((row, "reminder.sent", _describe(row, worker)))
                result.sent += 1
            elif error is not None and row.status == ReminderStatus.PENDING.value:
                row.attempts += 1
                last_error = error[:MAX_ERROR_LENGTH]
                retry = row.attempts < settings.max_attempts
                then: dict[str, object] = (
                    {"next_attempt_at": now + backoff(row.attempts, settings)}
                    if retry
                    else {"status": ReminderStatus.FAILED.value}
                )
                _write(session, [row.id], now, attempts=row.attempts, last_error=last_error, **then)
                if retry:
                    result.retried += 1
                    continue
                data = {**_describe(row, worker), "error": last_error}
                events.append((row, "reminder.failed", data))
                result.failed += 1
        release(session, released, now)
        _mark_sent(session, sent, now)
        events.sort(key=lambda e: (e[0].case_id, e[0].id))
        audit.record_many(work, SYSTEM_SWEEP, [(r.case_id, a, d) for r, a, d in events], now)
        for row, _, _ in events:
            _next_escalation(work, row, now, settings)
    return result


def _mark_sent(session: Session, ids: list[int], now: datetime) -> None:
    """Mark delivered rows sent with one UPDATE (the caller holds their row locks): nearly
    every row of a batch ends here."""
    _write(
        session,
        ids,
        now,
        attempts=col(Reminder.attempts) + 1,
        status=ReminderStatus.SENT.value,
        sent_at=now,
        last_error=None,
    )


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait before try `attempts + 1`: the base delay doubled per failed try, capped."""
    delay = timedelta(seconds=settings.retry_base_seconds * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


def _next_escalation(
    work: UnitOfWork, row: ReminderFacts, now: datetime, settings: Settings
) -> None:
    if escalation_number(row.rung) is None:
        return
    deadline = work.session.get(Deadline, row.deadline_id)
    if deadline is not None:
        outbox.schedule_next_escalation(work, row, deadline, now, settings.reminder_calendar)
