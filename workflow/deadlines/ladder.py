"""The reminder ladder of SPEC §5 as pure computation: which rungs, to whom, and when.

Rungs: `pre7` and `pre1` (7 days and 1 day before, to the responsible party), `due` (on the
due date, to the responsible party and the manager), and `esc1`, `esc2`, ... (overdue
escalation to the manager and the lead municipality 3 business days after the due date, then
weekly). With the `danish` calendar every rung goes out at 09:00 Copenhagen time on a Danish
business day: the rungs before and on the due date move back to the business day before, an
escalation moves on to the business day after. The `any` calendar keeps exact offsets from
`due_at` at any hour on any day.

The manager is reached through the lead municipality's organisation, so "the manager and the
lead municipality" is one recipient.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from workflow.access.roles import Role
from workflow.deadlines.business_days import (
    add_business_days,
    business_day_on_or_after,
    business_day_on_or_before,
    local_date,
    send_time_on,
)

CalendarMode = Literal["danish", "any"]

PRE_DUE_RUNGS: dict[str, int] = {"pre7": 7, "pre1": 1}
"""The rungs before the due date and how many days before it they fall."""
DUE_RUNG = "due"
ESCALATION_PREFIX = "esc"
ESCALATION_AFTER_BUSINESS_DAYS = 3
ESCALATION_INTERVAL = timedelta(days=7)

RESPONSIBLE = "responsible"
MANAGER = Role.MANAGER.value
"""The case's manager, as a reminder's recipient role."""
CO_OWNER = "co_owner"
"""A municipality co-owning the case, as a reminder's recipient role: it gets a copy of every
rung the lead municipality gets (`workflow.deadlines.outbox.with_co_owners`)."""


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One rung for one recipient organisation."""

    rung: str
    order: int
    send_at: datetime
    organisation_id: int
    role: str


def escalation_rung(n: int) -> str:
    """The name of the `n`-th escalation (`esc1`, `esc2`, ...)."""
    return f"{ESCALATION_PREFIX}{n}"


def escalation_number(rung: str) -> int | None:
    """`n` for `esc<n>`, None for the rungs before and on the due date."""
    if rung.startswith(ESCALATION_PREFIX):
        return int(rung[len(ESCALATION_PREFIX) :])
    return None


def rung_order(rung: str) -> int:
    """Later rungs sort higher: pre7 < pre1 < due < esc1 < esc2 < ..."""
    if rung in PRE_DUE_RUNGS:
        return 1 if rung == "pre7" else 2
    if rung == DUE_RUNG:
        return 3
    number = escalation_number(rung)
    if number is None or number < 1:
        raise ValueError(f"unknown rung {rung!r}")
    return 3 + number


def pre_due_time(due_at: datetime, days_before: int, calendar: CalendarMode) -> datetime:
    """When the reminder `days_before` the due date goes out."""
    if calendar == "any":
        return due_at - timedelta(days=days_before)
    day = local_date(due_at) - timedelta(days=days_before)
    return send_time_on(business_day_on_or_before(day))


def due_day_time(due_at: datetime, calendar: CalendarMode) -> datetime:
    """When the reminder on the due date goes out."""
    if calendar == "any":
        return due_at
    return send_time_on(business_day_on_or_before(local_date(due_at)))


def escalation_time(due_at: datetime, n: int, calendar: CalendarMode) -> datetime:
    """When the `n`-th overdue escalation (n >= 1) goes out."""
    if n < 1:
        raise ValueError("escalations are numbered from 1")
    if calendar == "any":
        return (
            due_at
            + timedelta(days=ESCALATION_AFTER_BUSINESS_DAYS)
            + (n - 1) * (ESCALATION_INTERVAL)
        )
    first = add_business_days(local_date(due_at), ESCALATION_AFTER_BUSINESS_DAYS)
    nominal = first + (n - 1) * ESCALATION_INTERVAL
    return send_time_on(business_day_on_or_after(nominal))


def next_escalation(
    due_at: datetime, after: datetime, calendar: CalendarMode, previous: int = 0
) -> tuple[int, datetime]:
    """The first escalation numbered above `previous` that falls after `after`.

    Weeks missed while no sweep ran are skipped, never sent in a burst.
    """
    n = previous + 1
    first = escalation_time(due_at, 1, calendar)
    if after >= first:
        # Jump close to the answer, then step; holiday shifts move a slot by days, not weeks.
        n = max(n, int((after - first) / ESCALATION_INTERVAL))
    while (at := escalation_time(due_at, n, calendar)) <= after:
        n += 1
    return n, at


def latest_escalation_due(
    due_at: datetime, now: datetime, calendar: CalendarMode
) -> tuple[int, datetime] | None:
    """The newest escalation whose time has come by `now`, or None if none has."""
    n, _ = next_escalation(due_at, now, calendar)
    if n == 1:
        return None
    return n - 1, escalation_time(due_at, n - 1, calendar)


def plan(
    due_at: datetime,
    responsible: Iterable[int],
    manager: int,
    calendar: CalendarMode,
    *,
    now: datetime,
    escalates: bool = True,
) -> list[PlannedReminder]:
    """Every reminder a deadline due at `due_at` needs, as seen at `now`.

    Two rungs that fall at the same moment for one recipient (a Saturday deadline puts "one
    day before" and "on the due date" both on Friday) collapse into the later one. Rungs whose
    time has already passed at `now` are coalesced: only the latest of them is kept, to go
    out at once, so a late deadline never causes a burst of stale reminders.
    """
    responsible = list(dict.fromkeys(responsible))
    entries: list[PlannedReminder] = []
    for org in responsible:
        for rung, days in PRE_DUE_RUNGS.items():
            at = pre_due_time(due_at, days, calendar)
            if at < due_at:
                entries.append(PlannedReminder(rung, rung_order(rung), at, org, RESPONSIBLE))
    due_time = due_day_time(due_at, calendar)
    for org in [*responsible, manager]:
        role = RESPONSIBLE if org in responsible else MANAGER
        entries.append(PlannedReminder(DUE_RUNG, rung_order(DUE_RUNG), due_time, org, role))
    if escalates:
        latest = latest_escalation_due(due_at, now, calendar)
        n, at = latest or (1, escalation_time(due_at, 1, calendar))
        entries.append(
            PlannedReminder(
                escalation_rung(n), rung_order(escalation_rung(n)), at, manager, MANAGER
            )
        )
    return _coalesce(entries, now)


def _coalesce(entries: list[PlannedReminder], now: datetime) -> list[PlannedReminder]:
    kept: dict[tuple[int, str], PlannedReminder] = {}
    for entry in entries:
        key = (entry.organisation_id, entry.rung)
        if key not in kept or kept[key].role == MANAGER:
            kept[key] = entry  # one row per recipient and rung; "responsible" wins the label
    by_org: dict[int, list[PlannedReminder]] = {}
    for entry in kept.values():
        by_org.setdefault(entry.organisation_id, []).append(entry)
    result: list[PlannedReminder] = []
    for rungs in by_org.values():
        rungs.sort(key=lambda e: e.order)
        latest_at: dict[datetime, PlannedReminder] = {}
        for entry in rungs:
            latest_at[entry.send_at] = entry  # same moment: the later rung wins
        survivors = sorted(latest_at.values(), key=lambda e: e.order)
        past = [e for e in survivors if e.send_at <= now]
        result.extend(e for e in survivors if e.send_at > now)
        if past:
            result.append(past[-1])
    return sorted(result, key=lambda e: (e.send_at, e.organisation_id, e.order))
