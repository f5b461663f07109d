"""Deadlines and reminders as the pages show them, read through `workflow.deadlines.service`.

Which deadlines a user sees and what counts as overdue are `workflow.deadlines.service`' rules
(`visible_deadlines`, `overdue_clause`): a partner sees only the deadlines it is responsible
for, so the board never hints at a competitor's submission deadline.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from api.web.form_input import local_input
from api.web.i18n import pick
from states.text import Text
from workflow.access.actor import Actor
from workflow.access.organisations import organisation_names
from workflow.deadlines.service import localized_title, overdue_clause, visible_deadlines
from workflow.models import Deadline, DeadlineStatus, Reminder

_RUNGS: dict[str, tuple[str, str]] = {
    "pre7": ("7 dage før", "7 days before"),
    "pre1": ("1 dag før", "1 day before"),
    "due": ("På dagen", "On the day"),
}


def rung_label(rung: str, language: str) -> str:
    """`pre7`, `pre1`, `due`, `esc<n>` in words."""
    if rung.startswith("esc") and rung[3:].isdigit():
        return Text("Rykker {n}", "Escalation {n}").format(n=rung[3:]).pick(language)
    return pick(_RUNGS.get(rung), language, rung)


_PROBLEMS: tuple[tuple[tuple[str, ...], tuple[str, str]], ...] = (
    (
        ("no webhook",),
        (
            "Organisationen har ikke længere en webhook.",
            "The organisation no longer has a webhook.",
        ),
    ),
    (
        ("WebhookRefused",),
        (
            "Modtagerens webhook afviste påmindelsen.",
            "The recipient's webhook refused the reminder.",
        ),
    ),
    (
        ("SMTPRecipientsRefused", "SMTPSenderRefused", "SMTPDataError"),
        (
            "Mailserveren afviste modtagerens adresse eller beskeden.",
            "The mail server refused the recipient's address or the message.",
        ),
    ),
    (
        ("SMTP",),
        (
            "Mailserveren kunne ikke levere beskeden.",
            "The mail server could not deliver the message.",
        ),
    ),
    (
        ("Timeout", "timed out"),
        ("Modtageren svarede ikke i tide.", "The recipient did not answer in time."),
    ),
    (
        ("Connect", "refused", "OSError", "gaierror", "Name or service"),
        ("Modtageren kunne ikke nås.", "The recipient could not be reached."),
    ),
)
"""What a delivery error means, in words: the page never shows a raw exception text."""


def delivery_problem(last_error: str | None, language: str) -> str | None:
    """The reason a reminder was not delivered, in the page's language (None when delivered)."""
    if not last_error:
        return None
    for needles, pair in _PROBLEMS:
        if any(needle in last_error for needle in needles):
            return pair[1] if language == "en" else pair[0]
    return "Leveringen mislykkedes." if language != "en" else "Delivery failed."


@dataclass(slots=True)
class ReminderRow:
    """One reminder with its delivery status."""

    rung: str
    rung_label: str
    channel: str
    recipient: str
    send_at: datetime
    status: str
    attempts: int
    sent_at: datetime | None
    problem: str | None
    """Why it was not delivered, in words (`delivery_problem`)."""


@dataclass(slots=True)
class DeadlineRow:
    """One deadline of a case, with its reminders when the user may see them."""

    id: int
    title: str
    due_at: datetime
    status: str
    overdue: bool
    responsible: str | None
    due_input: str = ""
    """The due time as a `datetime-local` value, for "Flyt frist"."""
    reminders: list[ReminderRow] = field(default_factory=list)


def _overdue(
    db: Session,
    actor: Actor,
    column: Mapped[int] | Mapped[int | None],
    where: ColumnElement[bool],
    now: datetime,
) -> set[int]:
    """`column` (a case id or a deadline id) of the overdue deadlines the actor may see among
    those `where` selects: one rule for what counts as overdue, on the board and the case."""
    return set(
        db.execute(
            visible_deadlines(actor).with_only_columns(column).where(where, overdue_clause(now))
        ).scalars()
    )


def next_deadlines(
    db: Session, actor: Actor, case_ids: list[int], language: str, now: datetime
) -> dict[int, tuple[datetime, str, bool]]:
    """Each case's next open deadline the actor may see: (due, title, overdue)."""
    if not case_ids:
        return {}
    rows = db.execute(
        visible_deadlines(actor)
        .where(
            col(Deadline.case_id).in_(case_ids),
            col(Deadline.status) == DeadlineStatus.OPEN.value,
        )
        .order_by(col(Deadline.due_at), col(Deadline.id))
    ).scalars()
    overdue_ids = _overdue(
        db, actor, col(Deadline.case_id), col(Deadline.case_id).in_(case_ids), now
    )
    upcoming: dict[int, tuple[datetime, str, bool]] = {}
    for deadline in rows:
        if deadline.case_id not in upcoming:
            upcoming[deadline.case_id] = (
                deadline.due_at,
                localized_title(deadline, language),
                deadline.case_id in overdue_ids,
            )
    return upcoming


def case_deadlines(
    db: Session,
    actor: Actor,
    case_id: int,
    language: str,
    now: datetime,
    *,
    with_reminders: bool,
) -> list[DeadlineRow]:
    """The case's deadlines the actor may see, open ones first, soonest first."""
    deadlines = list(
        db.execute(
            visible_deadlines(actor)
            .where(col(Deadline.case_id) == case_id)
            .order_by(col(Deadline.due_at), col(Deadline.id))
        ).scalars()
    )
    overdue_ids = _overdue(db, actor, col(Deadline.id), col(Deadline.case_id) == case_id, now)
    reminders: dict[int, list[Reminder]] = {}
    if with_reminders and deadlines:
        for r in db.execute(
            select(Reminder)
            .where(col(Reminder.deadline_id).in_([d.id for d in deadlines]))
            .order_by(col(Reminder.send_at), col(Reminder.id))
        ).scalars():
            reminders.setdefault(r.deadline_id, []).append(r)
    org_ids = {d.responsible_organisation_id for d in deadlines if d.responsible_organisation_id}
    org_ids |= {r.recipient_organisation_id for rs in reminders.values() for r in rs}
    names = organisation_names(db, {i for i in org_ids if i is not None})
    rows = [
        DeadlineRow(
            id=d.id or 0,
            title=localized_title(d, language),
            due_at=d.due_at,
            status=d.status,
            overdue=d.id in overdue_ids,
            responsible=names.get(d.responsible_organisation_id or 0),
            due_input=local_input(d.due_at),
            reminders=[
                ReminderRow(
                    rung=r.rung,
                    rung_label=rung_label(r.rung, language),
                    channel=r.channel,
                    recipient=names.get(r.recipient_organisation_id, ""),
                    send_at=r.send_at,
                    status=r.status,
                    attempts=r.attempts,
                    sent_at=r.sent_at,
                    problem=None
                    if r.status == "sent"
                    else delivery_problem(r.last_error, language),
                )
                for r in reminders.get(d.id or 0, [])
            ],
        )
        for d in deadlines
    ]
    rows.sort(key=lambda row: row.status != DeadlineStatus.OPEN.value)
    return rows
