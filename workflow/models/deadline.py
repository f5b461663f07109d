"""Deadlines of a case and the reminder outbox (SPEC §5).

A reminder is a row written in the same transaction as the change that causes it (a phase
change, a new or moved deadline, a sent escalation). The sweep in `notifications/` claims due
rows, delivers them and marks them; `dedup_key` is unique and travels with the message (email
`Message-ID`, webhook `Idempotency-Key`), so a resend after a crash is recognisable.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workflow.core.limits import MAX_REASON, MAX_TITLE
from workflow.models.columns import time_field


class DeadlineStatus(StrEnum):
    """Where a deadline stands."""

    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"


class DeadlineKind(StrEnum):
    """What a deadline is for: one per phase deadline of SPEC §5, `custom` for managers'."""

    SUBMISSION = "submission"
    ASSESSMENT = "assessment"
    SIGNATURE = "signature"
    BASELINE_MEASUREMENT = "baseline_measurement"
    MIDTERM_EVALUATION = "midterm_evaluation"
    FINAL_EVALUATION = "final_evaluation"
    KNOWLEDGE_SHARING = "knowledge_sharing"
    ADOPTION_FOLLOW_UP = "adoption_follow_up"
    CUSTOM = "custom"


class Deadline(SQLModel, table=True):
    """Something due in a case by `due_at`, with the organisation responsible for it.

    `revision` grows each time the deadline is moved; reminders and acknowledgements belong
    to one revision, so moving a deadline starts a fresh reminder ladder.
    """

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_status_due_at", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    phase: str = Field(max_length=20)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=MAX_TITLE)
    due_at: datetime = time_field(now=False)
    responsible_organisation_id: int | None = Field(
        default=None, foreign_key="organisations.id", index=True
    )
    status: str = Field(default=DeadlineStatus.OPEN.value, max_length=20)
    revision: int = Field(default=1)
    escalates: bool = Field(default=True)
    """False for deadlines that cannot be met late (a call's submission deadline)."""
    created_by: str = Field(max_length=200)
    created_at: datetime = time_field()
    updated_at: datetime = time_field()
    closed_at: datetime | None = time_field(nullable=True, now=False)
    closed_reason: str | None = Field(default=None, max_length=MAX_REASON)


class ReminderStatus(StrEnum):
    """Delivery state of one reminder row."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    """Superseded by a later rung that was also due (a missed window, coalesced)."""


class Channel(StrEnum):
    """How a reminder reaches its recipient."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class Reminder(SQLModel, table=True):
    """One reminder to one organisation over one channel: the outbox row."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index(  # in the claim's order (migration 0018)
            "ix_reminders_due",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_reminders_deadline_recipient", "deadline_id", "recipient_organisation_id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    dedup_key: str = Field(max_length=200, unique=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    deadline_id: int = Field(foreign_key="deadlines.id")
    revision: int
    rung: str = Field(max_length=10)
    """`pre7`, `pre1`, `due`, or `esc1`, `esc2`, ... for the weekly escalations."""
    rung_order: int
    recipient_organisation_id: int = Field(foreign_key="organisations.id")
    recipient_role: str = Field(max_length=20)
    channel: str = Field(max_length=10)
    send_at: datetime = time_field(now=False)
    next_attempt_at: datetime = time_field(now=False)
    status: str = Field(default=ReminderStatus.PENDING.value, max_length=20)
    attempts: int = Field(default=0)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = time_field(nullable=True, now=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = time_field(nullable=True, now=False)
    created_at: datetime = time_field()
    updated_at: datetime = time_field()


class DeadlineAcknowledgement(SQLModel, table=True):
    """A recipient confirmed, through the signed link, that it knows of a deadline."""

    __tablename__ = "deadline_acknowledgements"
    __table_args__ = (UniqueConstraint("deadline_id", "revision", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadlines.id")
    revision: int
    organisation_id: int = Field(foreign_key="organisations.id")
    acknowledged_at: datetime = time_field()
