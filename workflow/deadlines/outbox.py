"""Writing reminder rows into the outbox, always in the caller's transaction.

The rows are the promise to remind: they commit with the deadline change that causes them or
not at all. Delivering them is `notifications/`'s work; this module only plans and writes.
"""

from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import ColumnElement, insert, select, update
from sqlmodel import col

from workflow.cases.relations import held_relations
from workflow.core.settings import get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.ladder import (
    CO_OWNER,
    MANAGER,
    PRE_DUE_RUNGS,
    CalendarMode,
    PlannedReminder,
    escalation_number,
    escalation_rung,
    next_escalation,
    plan,
    rung_order,
)
from workflow.models import (
    Case,
    Channel,
    Deadline,
    Organisation,
    Reminder,
    ReminderStatus,
)
from workflow.needs.coowners import CO_OWNER_ROLE


def calendar_mode(calendar: str | None = None) -> CalendarMode:
    """`calendar` if given, else `OPI_REMINDER_CALENDAR`."""
    value = calendar or get_settings().reminder_calendar
    if value not in ("danish", "any"):
        raise ValueError(f"unknown reminder calendar {value!r}")
    return cast(CalendarMode, value)


def dedup_key(
    deadline_id: int, revision: int, rung: str, organisation_id: int, channel: str
) -> str:
    """The unique, stable key of one reminder; it is the left part of the email Message-ID."""
    return f"opi-d{deadline_id}-r{revision}-{rung}-o{organisation_id}-{channel}"


class Reachable(Protocol):
    """Where an organisation takes reminders: an `Organisation` or a case participant."""

    @property
    def webhook_url(self) -> str | None: ...

    @property
    def webhook_secret(self) -> str | None: ...


class LadderStep(Protocol):
    """A sent or failed reminder, as far as the next escalation depends on it: a `Reminder`
    or the sweep's plain reading of one (`notifications.facts.ReminderFacts`)."""

    case_id: int
    revision: int
    rung: str
    rung_order: int
    recipient_organisation_id: int
    recipient_role: str
    channel: str


def channels_for(org: Reachable) -> list[Channel]:
    """Email always; a webhook as well when the organisation has a URL and a signing secret."""
    channels = [Channel.EMAIL]
    if org.webhook_url and org.webhook_secret:
        channels.append(Channel.WEBHOOK)
    return channels


def responsible_organisation(case: Case, deadline: Deadline) -> int:
    """Who must meet the deadline; the lead municipality when no one else is named."""
    return deadline.responsible_organisation_id or case.lead_municipality_id


def _rows(
    case: Case,
    deadline: Deadline,
    planned: PlannedReminder,
    now: datetime,
    org: Reachable | None,
) -> list[dict[str, object]]:
    assert case.id is not None and deadline.id is not None
    if org is None:
        return []
    return [
        {
            "dedup_key": dedup_key(
                deadline.id, deadline.revision, planned.rung, planned.organisation_id, channel
            ),
            "case_id": case.id,
            "deadline_id": deadline.id,
            "revision": deadline.revision,
            "rung": planned.rung,
            "rung_order": planned.order,
            "recipient_organisation_id": planned.organisation_id,
            "recipient_role": planned.role,
            "channel": channel.value,
            "send_at": planned.send_at,
            "next_attempt_at": max(planned.send_at, now),
            "status": ReminderStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for channel in channels_for(org)
    ]


def schedule(
    work: UnitOfWork, case: Case, deadline: Deadline, now: datetime, calendar: str | None = None
) -> int:
    """Write the reminder ladder of an open deadline's current revision; the number of rows."""
    return schedule_many(work, case, [deadline], now, calendar)[0]


def schedule_many(
    work: UnitOfWork,
    case: Case,
    deadlines: list[Deadline],
    now: datetime,
    calendar: str | None = None,
    *,
    only_organisation_id: int | None = None,
) -> list[int]:
    """`schedule` for several deadlines of one case, with one INSERT; the rows of each.

    `only_organisation_id` writes one recipient's rows alone: a co-owner that joins a case
    whose deadlines are already open gets its share of their ladders.
    """
    work.session.flush()
    mode = calendar_mode(calendar)
    co_owners = _co_owners(work, case)
    ladders = [
        [
            row
            for row in _ladder(work, case, deadline, now, mode, co_owners)
            if only_organisation_id is None
            or row["recipient_organisation_id"] == only_organisation_id
        ]
        for deadline in deadlines
    ]
    rows = [row for ladder in ladders for row in ladder]
    if rows:
        # One executemany of the table's plain INSERT, on the session's connection (flushed
        # above): no ORM objects (or the ORM's bulk machinery) are needed for rows nothing
        # reads back in this transaction.
        work.session.connection().execute(_INSERT_REMINDER, rows)
    return [len(ladder) for ladder in ladders]


_INSERT_REMINDER = insert(Reminder.__table__)  # type: ignore[attr-defined]


def _co_owners(work: UnitOfWork, case: Case) -> list[int]:
    """The case's co-owning municipalities, from its participants as this unit of work holds
    them (read once; a transition has read them already)."""
    assert case.id is not None
    related = held_relations(work, case.id)
    return [p.organisation_id for p in related.participants if p.role == CO_OWNER_ROLE]


def with_co_owners(
    planned: list[PlannedReminder], lead: int, co_owners: list[int]
) -> list[PlannedReminder]:
    """`planned` with each of the lead municipality's rungs copied to every co-owner: a
    co-owner receives the case's reminders as the lead does (issue 17), without a second
    rung where it is a recipient already."""
    if not co_owners:
        return planned
    taken = {(p.organisation_id, p.rung) for p in planned}
    copies = [
        PlannedReminder(p.rung, p.order, p.send_at, org, CO_OWNER)
        for p in planned
        if p.organisation_id == lead
        for org in co_owners
        if (org, p.rung) not in taken
    ]
    return [*planned, *copies]


def _ladder(
    work: UnitOfWork,
    case: Case,
    deadline: Deadline,
    now: datetime,
    mode: CalendarMode,
    co_owners: list[int],
) -> list[dict[str, object]]:
    planned = plan(
        deadline.due_at,
        [responsible_organisation(case, deadline)],
        case.lead_municipality_id,
        mode,
        now=now,
        escalates=deadline.escalates,
    )
    planned = with_co_owners(planned, case.lead_municipality_id, co_owners)
    # Each recipient is looked up once (a ladder names the same one up to four times), in the
    # case's participants, read once per unit of work: the usual recipients (the lead
    # municipality, the companies) take part in the case, and a transition (its guards and
    # its answer) reads them anyway.
    assert case.id is not None
    related = held_relations(work, case.id)
    orgs: dict[int, Reachable | None] = {
        o: related.participant(o) or work.session.get(Organisation, o)
        for o in dict.fromkeys(p.organisation_id for p in planned)
    }
    return [r for p in planned for r in _rows(case, deadline, p, now, orgs[p.organisation_id])]


def cancel_pending(
    work: UnitOfWork,
    deadline: Deadline,
    now: datetime,
    *,
    organisation_id: int | None = None,
    pre_due_only: bool = False,
) -> int:
    """Cancel the deadline's reminders not yet sent (optionally one recipient's, pre-due only)."""
    assert deadline.id is not None
    where = [col(Reminder.deadline_id) == deadline.id]
    if organisation_id is not None:
        where.append(col(Reminder.recipient_organisation_id) == organisation_id)
    if pre_due_only:
        where.append(col(Reminder.rung).in_(list(PRE_DUE_RUNGS)))
    return len(_cancel(work, now, *where))


def cancel_pending_of(work: UnitOfWork, deadline_ids: list[int], now: datetime) -> dict[int, int]:
    """Cancel the unsent reminders of every deadline in `deadline_ids` with one statement;
    how many each deadline had. A transition leaving a phase closes all its deadlines, so its
    cost must not grow with their number."""
    if not deadline_ids:
        return {}
    counts = dict.fromkeys(deadline_ids, 0)
    for deadline_id in _cancel(work, now, col(Reminder.deadline_id).in_(deadline_ids)):
        counts[deadline_id] += 1
    return counts


def _cancel(work: UnitOfWork, now: datetime, *where: ColumnElement[bool]) -> list[int]:
    """Cancel the pending reminders matching `where`; the deadline id of each one cancelled.

    One `UPDATE ... WHERE id IN (SELECT ... ORDER BY id FOR UPDATE) RETURNING`: the rows are
    locked in id order, the order the sweep locks them in, so a sweep recording a batch and
    this update never deadlock on PostgreSQL (SQLite has no row locks; it needs none).
    """
    pending = (
        select(col(Reminder.id))
        .where(col(Reminder.status) == ReminderStatus.PENDING.value, *where)
        .order_by(col(Reminder.id))
        .with_for_update()
    )
    return list(
        work.session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(pending.scalar_subquery()))
            .values(
                status=ReminderStatus.CANCELLED.value,
                lease_owner=None,
                lease_until=None,
                updated_at=now,
            )
            .returning(col(Reminder.deadline_id))
            .execution_options(synchronize_session=False)
        ).scalars()
    )


def schedule_next_escalation(
    work: UnitOfWork, reminder: LadderStep, deadline: Deadline, now: datetime, calendar: str | None
) -> Reminder | None:
    """After escalation `n` is done with, the next weekly one: the first slot after `now`."""
    previous = escalation_number(reminder.rung)
    if previous is None or deadline.status != "open" or deadline.revision != reminder.revision:
        return None
    assert deadline.id is not None
    already = work.session.execute(
        select(col(Reminder.id)).where(
            col(Reminder.deadline_id) == deadline.id,
            col(Reminder.revision) == reminder.revision,
            col(Reminder.recipient_organisation_id) == reminder.recipient_organisation_id,
            col(Reminder.channel) == reminder.channel,
            col(Reminder.rung_order) > reminder.rung_order,
        )
    ).first()
    if already is not None:
        return None  # the ladder already goes on past this rung
    n, at = next_escalation(deadline.due_at, now, calendar_mode(calendar), previous)
    rung = escalation_rung(n)
    return work.insert(
        Reminder(
            dedup_key=dedup_key(
                deadline.id,
                deadline.revision,
                rung,
                reminder.recipient_organisation_id,
                reminder.channel,
            ),
            case_id=reminder.case_id,
            deadline_id=deadline.id,
            revision=deadline.revision,
            rung=rung,
            rung_order=rung_order(rung),
            recipient_organisation_id=reminder.recipient_organisation_id,
            recipient_role=CO_OWNER if reminder.recipient_role == CO_OWNER else MANAGER,
            channel=reminder.channel,
            send_at=at,
            next_attempt_at=at,
            created_at=now,
            updated_at=now,
        )
    )
