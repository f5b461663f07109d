"""Deadlines, reminders and their links (SPEC §5)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import Id, Strict, Timestamp

Title = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
Reason = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class DeadlineCreate(Strict):
    """`POST /cases/{id}/deadlines` (managers): a deadline of the case's current phase."""

    title: Title
    due_at: Timestamp = Field(description="When it is due; must lie in the future.")
    responsible_organisation_id: Id | None = Field(
        None, description="A participant of the case; the lead municipality when left out."
    )


class DeadlinePatch(Strict):
    """`PATCH /deadlines/{id}`: `{due_at, reason}` moves it; `{status}` marks it met (or
    cancels it, with a reason)."""

    due_at: Timestamp | None = None
    reason: Reason | None = None
    status: Literal["met", "cancelled"] | None = None

    @model_validator(mode="after")
    def _one_change(self) -> "DeadlinePatch":
        if (self.due_at is None) == (self.status is None):
            raise ValueError("give either due_at (with a reason) or status, not both")
        if self.due_at is not None and self.reason is None:
            raise ValueError("moving a deadline needs a reason")
        if self.status == "cancelled" and self.reason is None:
            raise ValueError("cancelling a deadline needs a reason")
        return self


class DeadlinePublic(BaseModel):
    """A deadline as its case's readers see it."""

    id: int
    case_id: int
    phase: str
    kind: str
    title: str = Field(description="In the `Accept-Language` language for the phase deadlines.")
    due_at: datetime
    responsible_organisation_id: int | None
    status: str
    revision: int = Field(description="Grows each time the deadline is moved.")
    overdue: bool
    escalates: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_reason: str | None


class ReminderPublic(BaseModel):
    """One reminder of a case and how its delivery went."""

    id: int
    deadline_id: int
    dedup_key: str = Field(description="Also the mail's Message-ID and the webhook's key.")
    rung: str = Field(description="`pre7`, `pre1`, `due`, or `esc1`, `esc2`, ...")
    channel: Literal["email", "webhook"]
    recipient_organisation_id: int
    recipient_role: str
    send_at: datetime
    status: Literal["pending", "sent", "failed", "cancelled", "skipped"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="Only while pending.")
    last_error: str | None
    sent_at: datetime | None


class CalendarFeed(BaseModel):
    """Where a calendar client subscribes to an organisation's open deadlines."""

    organisation_id: int
    url: str


class AckReply(BaseModel):
    """What following an acknowledge link did."""

    outcome: Literal["acknowledged", "already_acknowledged", "outdated", "closed"]
    deadline_id: int
    case_id: int
    organisation_id: int
    reminders_stopped: int
