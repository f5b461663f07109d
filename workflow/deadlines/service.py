"""Deadlines of a case: creating, moving, meeting, cancelling and acknowledging them.

Every change writes its audit event and its reminder rows (or cancels them) in the caller's
transaction; nothing here commits. The phase rules of SPEC §5 that call these functions live
in `workflow.deadlines.phase_rules`.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from states import TERMINAL, CaseState
from states.text import Text
from workflow.access.actor import Actor
from workflow.access.policy import competes, sees_all
from workflow.access.roles import Role
from workflow.access.scope import can_see, is_participant, visible_cases_clause
from workflow.audit import writer as audit
from workflow.core.errors import Conflict, InvalidInput, NotFound, check_reason, check_text
from workflow.core.limits import MAX_REASON, MAX_TITLE
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines import outbox
from workflow.models import (
    Case,
    Deadline,
    DeadlineAcknowledgement,
    DeadlineKind,
    DeadlineStatus,
    Organisation,
    Reminder,
    ReminderStatus,
)
from workflow.transitions.locking import lock_case

KIND_TITLES: dict[str, tuple[str, str]] = {
    DeadlineKind.SUBMISSION: ("Frist for forslag", "Proposal submission deadline"),
    DeadlineKind.ASSESSMENT: ("Vurdering af forslag", "Assessment of proposals"),
    DeadlineKind.SIGNATURE: (
        "Underskrift af samarbejdsaftalen",
        "Signature of the collaboration agreement",
    ),
    DeadlineKind.BASELINE_MEASUREMENT: ("Baselinemåling", "Baseline measurement"),
    DeadlineKind.MIDTERM_EVALUATION: ("Midtvejsevaluering", "Mid-term evaluation"),
    DeadlineKind.FINAL_EVALUATION: ("Slutevaluering", "Final evaluation"),
    DeadlineKind.KNOWLEDGE_SHARING: ("Vidensdeling", "Knowledge sharing"),
    DeadlineKind.ADOPTION_FOLLOW_UP: ("Opfølgning på udbredelse", "Adoption follow-up"),
}


def localized_title(deadline: Deadline, language: str) -> str:
    """The deadline's title in `language` (managers' own titles are shown as written)."""
    return title_in(deadline.kind, deadline.title, language)


def title_in(kind: str, title: str, language: str) -> str:
    """The title of a deadline of `kind` in `language`; `title` when the kind has none."""
    titles = KIND_TITLES.get(kind)
    if titles is None:
        return title
    return Text(*titles).pick(language)


_DESCRIBED = ("id", "kind", "title", "phase", "due_at", "responsible_organisation_id", "revision")
"""The columns `_describe` reports (`id` as `deadline_id`)."""


def _describe(deadline: Any) -> dict[str, object]:
    """What a deadline's audit events say of it, from a `Deadline` or a row of `_DESCRIBED`."""
    return {"deadline_id": deadline.id, **{n: getattr(deadline, n) for n in _DESCRIBED[1:]}}


@dataclass(frozen=True, slots=True)
class NewDeadline:
    """A deadline to create: what it is, when it is due and who answers for it."""

    kind: str
    due_at: datetime
    responsible_organisation_id: int | None
    title: str | None = None
    escalates: bool = True


def create_deadline(
    work: UnitOfWork,
    case: Case,
    actor: Actor,
    *,
    kind: str,
    due_at: datetime,
    responsible_organisation_id: int | None,
    now: datetime,
    title: str | None = None,
    escalates: bool = True,
    calendar: str | None = None,
) -> Deadline:
    """A new open deadline in the case's current phase, its reminders and its audit event."""
    wanted = NewDeadline(kind, due_at, responsible_organisation_id, title, escalates)
    return create_deadlines(work, case, actor, [wanted], now=now, calendar=calendar)[0]


def create_deadlines(
    work: UnitOfWork,
    case: Case,
    actor: Actor,
    wanted: list[NewDeadline],
    *,
    now: datetime,
    calendar: str | None = None,
) -> list[Deadline]:
    """`create_deadline` for several deadlines at once (a phase entered creates all its
    own): the deadlines in one flush, their reminders in one INSERT, an event each."""
    assert case.id is not None
    rows: list[dict[str, Any]] = [
        {
            "case_id": case.id,
            "phase": case.state,
            "kind": w.kind,
            "title": w.title or KIND_TITLES[w.kind][0],
            "due_at": w.due_at,
            "responsible_organisation_id": w.responsible_organisation_id,
            "status": DeadlineStatus.OPEN.value,
            "revision": 1,
            "escalates": w.escalates,
            "created_by": actor.name,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "closed_reason": None,
        }
        for w in wanted
    ]
    if not rows:
        return []
    # One INSERT ... VALUES (...), (...) RETURNING id for all of them on both databases
    # (SQLAlchemy's "insertmanyvalues"; the ORM's flush sends one per row on SQLite). One
    # statement numbers its rows in their order on both, so the ids, sorted, are the rows'
    # (asking SQLAlchemy to sort them by parameter order makes it send one per row on SQLite).
    # The objects returned are plain: nothing in this transaction loads them again.
    ids = sorted(work.session.connection().execute(_INSERT_DEADLINES, rows).scalars())
    deadlines = [Deadline(id=id_, **row) for id_, row in zip(ids, rows, strict=True)]
    reminders = outbox.schedule_many(work, case, deadlines, now, calendar)
    for deadline, count in zip(deadlines, reminders, strict=True):
        audit.record(
            work,
            actor,
            "deadline.created",
            {**_describe(deadline), "reminders": count},
            case_id=case.id,
            at=now,
        )
    return deadlines


_DEADLINES = Deadline.__table__  # type: ignore[attr-defined]
_INSERT_DEADLINES = _DEADLINES.insert().returning(_DEADLINES.c.id)
_REMINDERS = Reminder.__table__  # type: ignore[attr-defined]
_PENDING_REMINDERS = (
    select(func.count())
    .select_from(_REMINDERS)
    .where(
        # Named in full: SQLAlchemy writes SQLite's RETURNING columns without their table,
        # and a bare `id` inside the subquery would be the reminder's own.
        _REMINDERS.c.deadline_id == literal_column("deadlines.id", Integer),
        _REMINDERS.c.status == ReminderStatus.PENDING.value,
    )
    .scalar_subquery()
)
_CLOSE_OPEN = (
    _DEADLINES.update()
    .where(
        _DEADLINES.c.case_id == bindparam("b_case_id"),
        _DEADLINES.c.status == DeadlineStatus.OPEN.value,
    )
    .returning(
        *(_DEADLINES.c[name] for name in _DESCRIBED),
        _PENDING_REMINDERS.label("reminders_cancelled"),
    )
)
"""Closes the case's open deadlines; the database cancels their pending reminders as it does
(a trigger, migration 0019). `reminders_cancelled` counts each one's pending reminders as
the statement found them, before the trigger ran: on PostgreSQL `RETURNING` is computed
before the statement's AFTER row triggers fire and sees the statement's snapshot; SQLite
computes it before its AFTER triggers too (`tests/test_transition_statements.py` checks the
count against the rows on both)."""


def close_open_deadlines(
    work: UnitOfWork,
    case: Case,
    status: DeadlineStatus,
    actor: Actor,
    *,
    now: datetime,
    reason: str | None = None,
) -> int:
    """Close every open deadline of the case (a phase left) and cancel their unsent reminders:
    one `UPDATE ... RETURNING` however many there are (the database cancels the reminders of
    each deadline it closes, migration 0019); then an audit event each. How many were closed.

    The case is locked (with its audit chain head), so no one else opens or closes its
    deadlines meanwhile, and the reminder sweep, which takes a case's head before its
    reminder rows, cannot change their reminders between the count and the cancelling.
    """
    closed = {"status": status.value, "closed_at": now, "closed_reason": reason, "updated_at": now}
    found = sorted(
        work.session.connection().execute(_CLOSE_OPEN, {"b_case_id": case.id, **closed}),
        key=lambda row: row.id,
    )
    action = "deadline.met" if status is DeadlineStatus.MET else "deadline.cancelled"
    for row in found:
        audit.record(
            work,
            actor,
            action,
            {**_describe(row), "reason": reason, "reminders_cancelled": row.reminders_cancelled},
            case_id=case.id,
            at=now,
        )
    return len(found)


def close_deadline(
    work: UnitOfWork,
    deadline: Deadline,
    status: DeadlineStatus,
    actor: Actor,
    *,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Mark an open deadline met or cancelled and cancel its unsent reminders. Audited."""
    close_deadlines(work, [deadline], status, actor, now=now, reason=reason)


def close_deadlines(
    work: UnitOfWork,
    deadlines: list[Deadline],
    status: DeadlineStatus,
    actor: Actor,
    *,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Close several deadlines: their reminder rows cancelled, then the audit events.

    The caller has locked the case and with it the case's audit chain head
    (`workflow.transitions.locking.lock_case`), so the reminder rows are locked after the
    head, the order the sweep follows too. The deadlines are closed with one UPDATE, and
    their loaded objects told what it wrote: the cost does not grow with their number.
    """
    ids = [deadline.id for deadline in deadlines if deadline.id is not None]
    if not ids:
        return
    cancelled = outbox.cancel_pending_of(work, ids, now)
    closed = {"status": status.value, "closed_at": now, "closed_reason": reason, "updated_at": now}
    work.session.execute(
        update(Deadline)
        .where(col(Deadline.id).in_(ids))
        .values(**closed)
        .execution_options(synchronize_session=False)
    )
    for deadline in deadlines:
        for name, value in closed.items():
            set_committed_value(deadline, name, value)
    action = "deadline.met" if status is DeadlineStatus.MET else "deadline.cancelled"
    for deadline in deadlines:
        count = cancelled.get(deadline.id or 0, 0)
        audit.record(
            work,
            actor,
            action,
            {**_describe(deadline), "reason": reason, "reminders_cancelled": count},
            case_id=deadline.case_id,
            at=now,
        )


def open_deadlines(
    session: Session, case_id: int, *, kind: str | None = None, organisation_id: int | None = None
) -> list[Deadline]:
    """The case's open deadlines, optionally of one kind and one responsible organisation."""
    query = select(Deadline).where(
        col(Deadline.case_id) == case_id,
        col(Deadline.status) == DeadlineStatus.OPEN.value,
    )
    if kind is not None:
        query = query.where(col(Deadline.kind) == kind)
    if organisation_id is not None:
        query = query.where(col(Deadline.responsible_organisation_id) == organisation_id)
    return list(session.execute(query.order_by(col(Deadline.id))).scalars())


def meet(
    work: UnitOfWork, case_id: int, kind: str, organisation_id: int, actor: Actor, now: datetime
) -> int:
    """Mark the organisation's open deadlines of `kind` met (a signature, a proposal).

    Call it before the caller's own audit event (see `close_deadlines` on lock order).
    """
    found = open_deadlines(work.session, case_id, kind=kind, organisation_id=organisation_id)
    close_deadlines(work, found, DeadlineStatus.MET, actor, now=now)
    return len(found)


# --- what managers do through the API -------------------------------------------------


def _check_due(due_at: datetime, now: datetime) -> None:
    if due_at.tzinfo is None:
        raise InvalidInput("due_at needs a time zone (e.g. 2027-03-01T12:00:00+01:00).")
    if due_at <= now:
        raise InvalidInput("due_at must lie in the future.")


def _check_reason(reason: str | None, what: str) -> str:
    check_reason(reason, required=True, what=what, max_length=MAX_REASON)
    assert reason is not None
    return reason.strip()


def add_deadline(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    title: str,
    due_at: datetime,
    responsible_organisation_id: int | None,
    now: datetime | None = None,
    calendar: str | None = None,
) -> Deadline:
    """A manager's own deadline in the case's current phase, with its reminders. Audited."""
    now = now or utcnow()
    case = lock_case(work, case_id)
    if not can_see(work.session, actor, case):
        raise NotFound(f"Case {case_id} was not found.")
    if CaseState(case.state) in TERMINAL:
        raise Conflict(f"A {case.state} case takes no new deadlines.")
    check_text(title, "title")
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"A deadline needs a title of 1 to {MAX_TITLE} characters.")
    _check_due(due_at, now)
    if responsible_organisation_id is not None and not is_participant(
        work.session, case_id, responsible_organisation_id
    ):
        raise InvalidInput(
            f"Organisation {responsible_organisation_id} does not take part in case {case_id}."
        )
    return create_deadline(
        work,
        case,
        actor,
        kind=DeadlineKind.CUSTOM.value,
        title=title,
        due_at=due_at,
        responsible_organisation_id=responsible_organisation_id,
        now=now,
        calendar=calendar,
    )


def _lock_with_case(work: UnitOfWork, deadline_id: int) -> tuple[Case, Deadline] | None:
    """The deadline and its case, both locked and read afresh; None if there is no such deadline.

    The case first, as every writer of a case's deadlines locks it: no deadlocks.
    """
    found = work.session.get(Deadline, deadline_id)
    if found is None:
        return None
    case = lock_case(work, found.case_id)
    deadline = work.session.get(Deadline, deadline_id, with_for_update=True, populate_existing=True)
    return None if deadline is None else (case, deadline)


def _lock_deadline(work: UnitOfWork, actor: Actor, deadline_id: int) -> tuple[Case, Deadline]:
    locked = _lock_with_case(work, deadline_id)
    if locked is None:
        raise NotFound(f"Deadline {deadline_id} was not found.")
    case, deadline = locked
    if not can_see(work.session, actor, case) or not _partner_may_see(actor, deadline):
        raise NotFound(f"Deadline {deadline_id} was not found.")
    return case, deadline


def move_deadline(
    work: UnitOfWork,
    deadline_id: int,
    actor: Actor,
    *,
    due_at: datetime,
    reason: str | None,
    now: datetime | None = None,
    calendar: str | None = None,
) -> Deadline:
    """Move an open deadline (a reason is required): a new revision with fresh reminders."""
    now = now or utcnow()
    reason = _check_reason(reason, "Moving a deadline")
    case, deadline = _lock_deadline(work, actor, deadline_id)
    if deadline.status != DeadlineStatus.OPEN.value:
        raise Conflict(f"The deadline is {deadline.status}; only open deadlines move.")
    _check_due(due_at, now)
    before = deadline.due_at
    cancelled = outbox.cancel_pending(work, deadline, now)
    deadline.due_at = due_at
    deadline.revision += 1
    deadline.updated_at = now
    reminders = outbox.schedule(work, case, deadline, now, calendar)
    audit.record(
        work,
        actor,
        "deadline.moved",
        {
            **_describe(deadline),
            "before": before,
            "after": due_at,
            "reason": reason,
            "reminders_cancelled": cancelled,
            "reminders": reminders,
        },
        case_id=case.id,
        at=now,
    )
    return deadline


def set_deadline_status(
    work: UnitOfWork,
    deadline_id: int,
    actor: Actor,
    *,
    status: DeadlineStatus,
    reason: str | None = None,
    now: datetime | None = None,
) -> Deadline:
    """A manager marks an open deadline met, or cancels it (with a reason)."""
    now = now or utcnow()
    if status is DeadlineStatus.CANCELLED:
        reason = _check_reason(reason, "Cancelling a deadline")
    elif status is not DeadlineStatus.MET:
        raise InvalidInput("A deadline's status can be set to 'met' or 'cancelled'.")
    _, deadline = _lock_deadline(work, actor, deadline_id)
    if deadline.status != DeadlineStatus.OPEN.value:
        raise Conflict(f"The deadline is already {deadline.status}.")
    close_deadline(work, deadline, status, actor, now=now, reason=reason)
    return deadline


# --- acknowledgement through the signed link ------------------------------------------


class AckOutcome(StrEnum):
    """What following an acknowledge link did."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already_acknowledged"
    OUTDATED = "outdated"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class AckResult:
    """The outcome, and the deadline and organisation it concerned."""

    outcome: AckOutcome
    deadline: Deadline
    organisation: Organisation
    reminders_stopped: int = 0


def acknowledge(
    work: UnitOfWork,
    deadline_id: int,
    organisation_id: int,
    revision: int,
    *,
    now: datetime | None = None,
) -> AckResult:
    """Record that the organisation knows of the deadline; stop its reminders before the due date.

    A link for an earlier revision (the deadline has moved since) or for a closed deadline
    changes nothing. A second acknowledgement is recorded only once.
    """
    now = now or utcnow()
    organisation = work.session.get(Organisation, organisation_id)
    locked = _lock_with_case(work, deadline_id) if organisation is not None else None
    if organisation is None or locked is None:
        raise NotFound("The reminder this link belongs to no longer exists.")
    _, deadline = locked
    if deadline.status != DeadlineStatus.OPEN.value:
        return AckResult(AckOutcome.CLOSED, deadline, organisation)
    if deadline.revision != revision:
        return AckResult(AckOutcome.OUTDATED, deadline, organisation)
    existing = work.session.execute(
        select(DeadlineAcknowledgement).where(
            col(DeadlineAcknowledgement.deadline_id) == deadline_id,
            col(DeadlineAcknowledgement.revision) == revision,
            col(DeadlineAcknowledgement.organisation_id) == organisation_id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return AckResult(AckOutcome.ALREADY, deadline, organisation)
    work.session.add(
        DeadlineAcknowledgement(
            deadline_id=deadline_id,
            revision=revision,
            organisation_id=organisation_id,
            acknowledged_at=now,
        )
    )
    stopped = outbox.cancel_pending(
        work, deadline, now, organisation_id=organisation_id, pre_due_only=True
    )
    actor = Actor(
        name=f"acknowledge-link:{organisation.name}"[:200],
        role=Role.RECIPIENT,
        organisation_id=organisation_id,
    )
    audit.record(
        work,
        actor,
        "reminder.acknowledged",
        {**_describe(deadline), "organisation_id": organisation_id, "reminders_stopped": stopped},
        case_id=deadline.case_id,
        at=now,
    )
    return AckResult(AckOutcome.ACKNOWLEDGED, deadline, organisation, stopped)


# --- reading -----------------------------------------------------------------------------


def _partner_may_see(actor: Actor, deadline: Deadline) -> bool:
    # Companies compete in the match phase: a partner sees only the deadlines it is
    # responsible for, never who else was asked to submit.
    return not competes(actor) or deadline.responsible_organisation_id == actor.organisation_id


def overdue_clause(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Open deadlines whose due time has passed."""
    return and_(
        col(Deadline.status) == DeadlineStatus.OPEN.value,
        col(Deadline.due_at) < now,
    )


def visible_deadlines(actor: Actor) -> Select[Deadline]:
    """Deadlines of the cases `actor` may see (a partner: only its own)."""
    if sees_all(actor):
        # Every deadline belongs to a case (a foreign key); joining the cases only to keep
        # them all made counting an auditor's deadlines three times slower.
        return select(Deadline)
    query = (
        select(Deadline)
        .join(Case, col(Case.id) == col(Deadline.case_id))
        .where(visible_cases_clause(actor))
    )
    if competes(actor):
        query = query.where(col(Deadline.responsible_organisation_id) == actor.organisation_id)
    return query


def get_visible_deadline(session: Session, actor: Actor, deadline_id: int) -> Deadline:
    """The deadline, or `NotFound` when it does not exist or lies outside the actor's scope."""
    deadline = session.execute(
        visible_deadlines(actor).where(col(Deadline.id) == deadline_id)
    ).scalar_one_or_none()
    if deadline is None:
        raise NotFound(f"Deadline {deadline_id} was not found.")
    return deadline
