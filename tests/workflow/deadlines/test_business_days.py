"""The Danish business-day calendar and the reminder ladder computed on it (SPEC §5)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflow.deadlines.business_days import (
    COPENHAGEN,
    add_business_days,
    business_day_on_or_after,
    business_day_on_or_before,
    holiday_name,
    is_business_day,
    send_time_on,
)
from workflow.deadlines.ladder import (
    PlannedReminder,
    escalation_time,
    latest_escalation_due,
    next_escalation,
    plan,
    rung_order,
)

LEAD, COMPANY = 1, 2


def cph(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Copenhagen wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN).astimezone(UTC)


def rungs(planned: list[PlannedReminder], org: int) -> dict[str, datetime]:
    return {p.rung: p.send_at for p in planned if p.organisation_id == org}


# --- the calendar ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # Second Day of Christmas (a Saturday too)
        (date(2026, 12, 24), True),  # Christmas Eve is no public holiday by law
        (date(2027, 3, 25), False),  # Maundy Thursday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 5, 6), False),  # Ascension Day
        (date(2027, 5, 17), False),  # Whit Monday
        (date(2027, 3, 13), False),  # a Saturday
        (date(2027, 3, 14), False),  # a Sunday
        (date(2027, 3, 15), True),  # a plain Monday
    ],
    ids=str,
)
def test_business_days_follow_the_danish_public_holidays(day: date, business: bool) -> None:
    assert is_business_day(day) is business


def test_holiday_names_come_from_the_holidays_library() -> None:
    assert holiday_name(date(2027, 3, 29)) is not None
    assert holiday_name(date(2027, 3, 30)) is None


def test_moving_off_non_business_days() -> None:
    assert business_day_on_or_before(date(2027, 3, 29)) == date(2027, 3, 24)  # Easter → Wed
    assert business_day_on_or_after(date(2027, 3, 25)) == date(2027, 3, 30)
    assert business_day_on_or_after(date(2026, 12, 25)) == date(2026, 12, 28)
    assert add_business_days(date(2027, 3, 24), 3) == date(2027, 4, 1)


def test_send_time_is_nine_in_copenhagen_in_winter_and_summer() -> None:
    assert send_time_on(date(2027, 1, 15)) == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert send_time_on(date(2027, 6, 15)) == datetime(2027, 6, 15, 7, 0, tzinfo=UTC)


# --- the ladder on the Danish calendar ---------------------------------------------------


def test_a_reminder_falling_on_a_saturday_moves_to_the_friday_before() -> None:
    due = cph(2027, 3, 13, 12)  # a Saturday
    planned = plan(due, [COMPANY], LEAD, "danish", now=cph(2027, 2, 1))
    company = rungs(planned, COMPANY)
    assert company["pre7"] == cph(2027, 3, 5)  # Saturday 6 March → Friday 5 March, 09:00
    # "One day before" and "on the due date" both fall on Friday 12 March: one reminder.
    assert company["due"] == cph(2027, 3, 12)
    assert "pre1" not in company
    lead = rungs(planned, LEAD)
    assert lead["due"] == cph(2027, 3, 12)
    assert lead["esc1"] == cph(2027, 3, 17)  # 3 business days after: Mon, Tue, Wed


def test_a_reminder_falling_on_christmas_day_moves_to_the_business_day_before() -> None:
    due = cph(2027, 1, 1, 12)  # New Year's Day, a public holiday
    company = rungs(plan(due, [COMPANY], LEAD, "danish", now=cph(2026, 12, 1)), COMPANY)
    assert company["pre7"] == cph(2026, 12, 24)  # Christmas Day → Christmas Eve
    assert company["due"] == cph(2026, 12, 31)  # the due day itself is a holiday
    assert "pre1" not in company  # 31 December carries both


def test_an_escalation_falling_on_christmas_day_moves_to_the_business_day_after() -> None:
    due = cph(2026, 12, 15, 12)
    assert escalation_time(due, 1, "danish") == cph(2026, 12, 18)
    assert escalation_time(due, 2, "danish") == cph(2026, 12, 28)  # not the 25th
    assert escalation_time(due, 3, "danish") == cph(2027, 1, 4)  # not New Year's Day


def test_reminders_around_easter_monday() -> None:
    due = cph(2027, 3, 30, 12)  # the Tuesday after Easter Monday
    planned = plan(due, [COMPANY], LEAD, "danish", now=cph(2027, 3, 1))
    company = rungs(planned, COMPANY)
    assert company["pre7"] == cph(2027, 3, 23)
    # One day before is Easter Monday; Easter and Maundy Thursday push it to Wednesday.
    assert company["pre1"] == cph(2027, 3, 24)
    assert company["due"] == cph(2027, 3, 30)  # summer time by then: 07:00 UTC
    assert company["due"].hour == 7
    assert rungs(planned, LEAD)["esc1"] == cph(2027, 4, 2)


def test_a_weekly_escalation_on_easter_monday_moves_to_the_tuesday() -> None:
    due = cph(2027, 3, 17, 12)
    assert escalation_time(due, 1, "danish") == cph(2027, 3, 22)
    assert escalation_time(due, 2, "danish") == cph(2027, 3, 30)
    assert escalation_time(due, 3, "danish") == cph(2027, 4, 5)


# --- the ladder with OPI_REMINDER_CALENDAR=any -------------------------------------------


def test_the_any_calendar_keeps_exact_offsets_at_any_hour() -> None:
    due = datetime(2027, 3, 13, 3, 17, tzinfo=UTC)  # a Saturday, at night
    planned = plan(due, [COMPANY], LEAD, "any", now=due - timedelta(days=30))
    assert rungs(planned, COMPANY) == {
        "pre7": due - timedelta(days=7),
        "pre1": due - timedelta(days=1),
        "due": due,
    }
    assert rungs(planned, LEAD) == {"due": due, "esc1": due + timedelta(days=3)}
    assert escalation_time(due, 4, "any") == due + timedelta(days=3 + 21)


def test_rungs_go_to_the_right_recipients_with_their_roles() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    planned = plan(due, [COMPANY], LEAD, "any", now=due - timedelta(days=30))
    roles = {(p.rung, p.organisation_id): p.role for p in planned}
    assert roles == {
        ("pre7", COMPANY): "responsible",
        ("pre1", COMPANY): "responsible",
        ("due", COMPANY): "responsible",
        ("due", LEAD): "manager",
        ("esc1", LEAD): "manager",
    }


def test_when_the_lead_is_responsible_it_gets_one_reminder_per_rung() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    planned = plan(due, [LEAD], LEAD, "any", now=due - timedelta(days=30))
    assert sorted(p.rung for p in planned) == ["due", "esc1", "pre1", "pre7"]
    assert next(p for p in planned if p.rung == "due").role == "responsible"


def test_deadlines_that_cannot_be_met_late_do_not_escalate() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    planned = plan(due, [COMPANY], LEAD, "any", now=due - timedelta(days=30), escalates=False)
    assert not [p for p in planned if p.rung.startswith("esc")]


# --- coalescing missed windows -------------------------------------------------------------


def test_rungs_already_past_at_creation_collapse_into_the_latest() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    now = due - timedelta(days=2)  # the 7-day reminder's time has passed
    company = rungs(plan(due, [COMPANY], LEAD, "any", now=now), COMPANY)
    assert company == {"pre7": due - timedelta(days=7), "pre1": due - timedelta(days=1), "due": due}

    now = due - timedelta(hours=2)  # both reminders before the due date have passed
    company = rungs(plan(due, [COMPANY], LEAD, "any", now=now), COMPANY)
    assert company == {"pre1": due - timedelta(days=1), "due": due}


def test_a_long_overdue_deadline_gets_one_escalation_not_a_burst() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    now = due + timedelta(days=20)  # escalations 1 (day 3), 2 (day 10), 3 (day 17) are past
    planned = plan(due, [COMPANY], LEAD, "any", now=now)
    assert rungs(planned, COMPANY) == {"due": due}
    assert rungs(planned, LEAD) == {"esc3": due + timedelta(days=17)}


def test_the_next_weekly_escalation_skips_the_weeks_nobody_swept() -> None:
    due = datetime(2027, 3, 10, 12, tzinfo=UTC)
    assert next_escalation(due, due + timedelta(days=4), "any", previous=1) == (
        2,
        due + timedelta(days=10),
    )
    n, at = next_escalation(due, due + timedelta(days=30), "any", previous=1)
    assert (n, at) == (5, due + timedelta(days=31))
    assert latest_escalation_due(due, due + timedelta(days=2), "any") is None
    assert latest_escalation_due(due, due + timedelta(days=3), "any") == (1, due + timedelta(3))


def test_danish_next_escalation_agrees_with_the_slot_formula() -> None:
    due = cph(2026, 12, 15, 12)
    for days in range(0, 60):
        after = due + timedelta(days=days)
        n, at = next_escalation(due, after, "danish")
        assert at > after
        assert n == 1 or escalation_time(due, n - 1, "danish") <= after


def test_rung_order() -> None:
    assert [rung_order(r) for r in ("pre7", "pre1", "due", "esc1", "esc12")] == [1, 2, 3, 4, 15]
    with pytest.raises(ValueError):
        rung_order("esc0")
