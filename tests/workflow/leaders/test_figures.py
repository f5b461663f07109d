"""The leaders' overview figures on a fixed data set, against values worked out by hand.

The data set and its timeline are in `tests/leaders_data.py`. The period is the first half of
2026 (Copenhagen time), seen on 23 November 2026; Furesø's overview counts the cases it leads
(A, B, C, D, H) and E, which it takes part in; Gladsaxe's G only appears to admins and auditors.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.factories import DatabaseTarget
from tests.leaders_data import TEST_NOW, LeadersData, actor_of, build
from workflow.access.roles import Role
from workflow.core.errors import Forbidden, InvalidInput, NotFound
from workflow.leaders.figures import (
    ConversionStep,
    OverdueRow,
    Overview,
    PhaseTime,
    RefusalRow,
    ReminderMonth,
    overview,
)
from workflow.leaders.period import Period, default_period, make_period

HALF_YEAR = Period(date(2026, 1, 1), date(2026, 7, 1))


@pytest.fixture
def data(session: Session) -> Iterator[LeadersData]:
    """The data set, once per database."""
    yield build(session)


def _furesoe(session: Session, data: LeadersData, role: Role = Role.MANAGER) -> Overview:
    return overview(session, actor_of(role, data.furesoe), HALF_YEAR, TEST_NOW)


def _counts(result: Overview) -> dict[str, dict[str, int]]:
    by_month: dict[str, dict[str, int]] = {}
    for row in result.phases:
        if row.cases:
            by_month.setdefault(row.month, {})[row.state] = row.cases
    return by_month


def test_cases_per_phase_at_each_month_end(session: Session, data: LeadersData) -> None:
    assert _counts(_furesoe(session, data)) == {
        "2026-01": {"need": 1, "match": 2},
        "2026-02": {"need": 1, "match": 3, "agreement": 1},
        "2026-03": {"match": 3, "agreement": 2, "pilot": 1},
        "2026-04": {"match": 2, "agreement": 1, "pilot": 2, "cancelled": 1},
        "2026-05": {"match": 2, "agreement": 1, "pilot": 1, "scale": 1, "cancelled": 1},
        "2026-06": {"match": 2, "agreement": 1, "pilot": 1, "completed": 1, "cancelled": 1},
    }


def test_every_state_of_every_month_is_listed(session: Session, data: LeadersData) -> None:
    rows = _furesoe(session, data).phases
    assert len(rows) == 6 * 7  # six months, seven states, zeros included
    assert rows[0].month == "2026-01" and rows[0].state == "need"


def test_median_and_90th_percentile_per_phase(session: Session, data: LeadersData) -> None:
    # need: 5, 10, 10, 20, 21, 22 days -> median (10 + 20) / 2, p90 21 + 0.5 * (22 - 21)
    # match: 21, 45, 46, 47 -> median 45.5, p90 46 + 0.7 * (47 - 46)
    # agreement: 20, 21; pilot: 60; scale: 30
    assert _furesoe(session, data).phase_times == [
        PhaseTime("need", 6, 15.0, 21.5),
        PhaseTime("match", 4, 45.5, 46.7),
        PhaseTime("agreement", 2, 20.5, 20.9),
        PhaseTime("pilot", 1, 60.0, 60.0),
        PhaseTime("scale", 1, 30.0, 30.0),
    ]


def test_percentiles_equal_postgresqls_percentile_cont(pg_db: DatabaseTarget) -> None:
    """The portable percentile is PostgreSQL's own `percentile_cont` (which SQLite lacks),
    over the need stays of the data set (in days: 5, 10, 10, 20, 21, 22)."""
    with Session(pg_db.engine, expire_on_commit=False) as session:
        data = build(session)
        values = ", ".join(f"({d})" for d in (5, 10, 10, 20, 21, 22))
        p50, p90 = session.execute(
            text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY d) FROM (VALUES {values}) AS v(d)"
            )
        ).one()
        need = _furesoe(session, data).phase_times[0]
    assert (need.median_days, need.p90_days) == (p50, p90)


def test_conversion_of_the_cases_created_in_the_period(session: Session, data: LeadersData) -> None:
    # A, B, C, D, E created in the half year (H in December): all reached match, A and B
    # pilot, A scale.
    assert _furesoe(session, data).conversion == [
        ConversionStep("need", 5, 100.0, None),
        ConversionStep("match", 5, 100.0, 100.0),
        ConversionStep("pilot", 2, 40.0, 40.0),
        ConversionStep("scale", 1, 20.0, 50.0),
    ]


def test_overdue_deadlines_per_lead_municipality(session: Session, data: LeadersData) -> None:
    # C's assessment (due Apr 22), H's two signatures (due Mar 22); E's assessment (Mar 29).
    # B's pilot deadlines fall in 2027; A is completed and D cancelled.
    assert _furesoe(session, data).overdue == [
        OverdueRow(data.furesoe.id or 0, "Furesø Kommune", 3, 2),
        OverdueRow(data.randers.id or 0, "Randers Kommune", 1, 1),
    ]


def test_refused_advances_by_requirement_code(session: Session, data: LeadersData) -> None:
    # B twice on call.ready; C once on every need code and call.ready; B's July refusal is
    # outside the period.
    assert _furesoe(session, data).refusals == [
        RefusalRow("call.ready", "need", 3, 2),
        RefusalRow("need.description", "need", 1, 1),
        RefusalRow("need.expected_value", "need", 1, 1),
        RefusalRow("need.legal_track", "need", 1, 1),
        RefusalRow("need.owner", "need", 1, 1),
        RefusalRow("need.target_group", "need", 1, 1),
    ]


def test_reminders_sent_and_failed_per_month(session: Session, data: LeadersData) -> None:
    assert _furesoe(session, data).reminders == [
        ReminderMonth("2026-01", 0, 0),
        ReminderMonth("2026-02", 2, 0),
        ReminderMonth("2026-03", 1, 0),
        ReminderMonth("2026-04", 0, 1),
        ReminderMonth("2026-05", 0, 0),
        ReminderMonth("2026-06", 0, 0),
    ]


def test_pilot_effects(session: Session, data: LeadersData) -> None:
    effects = _furesoe(session, data).pilot_effects
    assert [
        (e.case_id, e.metric, e.baseline, e.result, e.unit, e.effect_percent) for e in effects
    ] == [
        (data.cases["A"].id, "Sygefravær", "5,0", "4,5", "%", -10.0),
        (data.cases["A"].id, "Uro-episoder pr. uge", 14, 8, "episoder", -42.9),
    ]


def test_staff_see_their_municipality_as_its_managers(session: Session, data: LeadersData) -> None:
    staff = _furesoe(session, data, Role.STAFF)
    manager = _furesoe(session, data)
    assert staff.conversion == manager.conversion and staff.overdue == manager.overdue


def test_another_municipality_sees_only_its_own_cases(session: Session, data: LeadersData) -> None:
    randers = overview(session, actor_of(Role.MANAGER, data.randers), HALF_YEAR, TEST_NOW)
    assert [s.cases for s in randers.conversion] == [1, 1, 0, 0]  # E only
    assert randers.overdue == [OverdueRow(data.randers.id or 0, "Randers Kommune", 1, 1)]
    assert randers.refusals == [] and randers.pilot_effects == []


def test_admins_and_auditors_see_every_municipality(session: Session, data: LeadersData) -> None:
    for role in (Role.ADMIN, Role.AUDITOR):
        everyone = overview(session, actor_of(role, None), HALF_YEAR, TEST_NOW)
        # G (Gladsaxe, created Apr 1, still in need) joins the cohort.
        assert [s.cases for s in everyone.conversion] == [6, 5, 2, 1]
        assert _counts(everyone)["2026-04"]["need"] == 1
        one = overview(session, actor_of(role, None), HALF_YEAR, TEST_NOW, data.randers.id)
        assert [s.cases for s in one.conversion] == [1, 1, 0, 0]


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SYSTEM, Role.RECIPIENT])
def test_others_may_not_read_the_overview(session: Session, data: LeadersData, role: Role) -> None:
    with pytest.raises(Forbidden):
        overview(session, actor_of(role, data.company), HALF_YEAR, TEST_NOW)


def test_a_municipality_may_not_read_anothers(session: Session, data: LeadersData) -> None:
    with pytest.raises(Forbidden):
        overview(
            session, actor_of(Role.MANAGER, data.furesoe), HALF_YEAR, TEST_NOW, data.randers.id
        )


def test_an_unknown_or_non_municipal_organisation_is_not_found(
    session: Session, data: LeadersData
) -> None:
    for org_id in (data.company.id, 999_999):
        with pytest.raises(NotFound):
            overview(session, actor_of(Role.ADMIN, None), HALF_YEAR, TEST_NOW, org_id)


def test_months_yet_to_begin_are_left_out(session: Session, data: LeadersData) -> None:
    result = overview(
        session, actor_of(Role.ADMIN, None), Period(date(2026, 11, 1), date(2027, 2, 1)), TEST_NOW
    )
    assert {row.month for row in result.phases} == {"2026-11"}
    assert [r.month for r in result.reminders] == ["2026-11", "2026-12", "2027-01"]


# --- the period ---------------------------------------------------------------------------------


def test_default_period_is_the_last_twelve_months() -> None:
    assert default_period(TEST_NOW) == Period(date(2025, 12, 1), date(2026, 12, 1))


def test_months_follow_copenhagen_time() -> None:
    months = Period(date(2026, 3, 15), date(2026, 5, 1)).months()
    assert [m.label for m in months] == ["2026-03", "2026-04"]
    assert months[0].start.isoformat() == "2026-03-14T23:00:00+00:00"  # winter time
    assert months[1].start.isoformat() == "2026-03-31T22:00:00+00:00"  # summer time


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 5, 1), date(2026, 5, 1)),
        (date(2026, 6, 1), date(2026, 5, 1)),
        (date(1999, 12, 1), date(2026, 5, 1)),
        (date(2026, 1, 1), date(2101, 1, 1)),
        (date(2000, 1, 1), date(2026, 1, 1)),
    ],
    ids=["empty", "reversed", "before-2000", "after-2100", "too-long"],
)
def test_bad_periods_are_refused(start: date, end: date) -> None:
    with pytest.raises(InvalidInput):
        make_period(start, end, TEST_NOW)
