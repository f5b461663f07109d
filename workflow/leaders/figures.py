"""The leaders' overview ("Overblik for ledere", issue 17 item 4): the figures, in SQL.

Every figure is one SQLAlchemy Core query, the same on PostgreSQL and SQLite (the few
expressions they spell differently are `workflow.leaders.dialect`), over the cases in the
caller's scope (`cases_in_scope`). The phases a case went through are read from its creation
and its `case.transition` audit events, the record that cannot be rewritten: no extra history
table to keep in step.

What each figure counts (README "Overblik for ledere"):

- `phases`: per month of the period, the cases in each state at the end of the month (for
  the running month: now).
- `phase_times`: per phase, the stays that ended in the period: how many, median and
  90th percentile in days (linear interpolation between the two nearest ranks, exactly as
  PostgreSQL's `percentile_cont`, computed with `ROW_NUMBER` so SQLite gives the same).
  Time on hold counts: the case was in the phase.
- `conversion`: the cases created in the period, and how many of them have by now reached
  match, pilot and scale.
- `overdue`: open deadlines past due now, per lead municipality.
- `refusals`: refused `advance` attempts in the period by unmet requirement code: where cases
  get stuck.
- `reminders`: per month, reminders delivered and reminders given up on (`failed`).
- `pilot_effects`: every measured success criterion of the cases' pilots with the effect in
  percent of the baseline (`states.sections.effect_percent`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlmodel import Session, col

from states import PHASES, CaseState
from states.sections import effect_percent
from workflow.access.actor import Actor
from workflow.access.policy import Action, may, require, sees_all
from workflow.access.scope import visible_cases_clause
from workflow.core.errors import Forbidden, NotFound
from workflow.core.timeutil import UTCDateTime
from workflow.leaders.dialect import Dialect
from workflow.leaders.period import Month, Period
from workflow.models import (
    AuditEvent,
    Case,
    Deadline,
    DeadlineStatus,
    Organisation,
    OrganisationKind,
    Participant,
    Reminder,
    ReminderStatus,
)

TRANSITION = "case.transition"
REFUSED = "case.transition_refused"
FUNNEL: tuple[CaseState, ...] = (
    CaseState.NEED,
    CaseState.MATCH,
    CaseState.PILOT,
    CaseState.SCALE,
)
"""The conversion steps issue 17 names: need -> match -> pilot -> scale."""
STATES: tuple[CaseState, ...] = tuple(CaseState)
PERCENTILES = (50, 90)
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class PhaseCount:
    """How many cases were in `state` at the end of `month`."""

    month: str
    state: str
    cases: int


@dataclass(frozen=True, slots=True)
class PhaseTime:
    """How long the stays in `phase` that ended in the period took, in days."""

    phase: str
    stays: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True, slots=True)
class ConversionStep:
    """Of the cases created in the period, how many reached `phase`."""

    phase: str
    cases: int
    percent_of_created: float | None
    percent_of_previous: float | None


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """Open deadlines past due in the cases a municipality leads."""

    municipality_id: int
    municipality: str
    deadlines: int
    cases: int


@dataclass(frozen=True, slots=True)
class RefusalRow:
    """Refused advances that named `code` unmet."""

    code: str
    phase: str
    refusals: int
    cases: int


@dataclass(frozen=True, slots=True)
class ReminderMonth:
    """Reminders delivered and given up on in `month`."""

    month: str
    sent: int
    failed: int


@dataclass(frozen=True, slots=True)
class PilotEffect:
    """One measured success criterion of a case's pilot."""

    case_id: int
    title: str
    metric: str
    baseline: Any
    target: Any
    result: Any
    unit: str | None
    effect_percent: float | None


@dataclass(frozen=True, slots=True)
class Overview:
    """Every figure for one scope and period."""

    municipality_id: int | None
    period: Period
    generated_at: datetime
    phases: list[PhaseCount]
    phase_times: list[PhaseTime]
    conversion: list[ConversionStep]
    overdue: list[OverdueRow]
    refusals: list[RefusalRow]
    reminders: list[ReminderMonth]
    pilot_effects: list[PilotEffect]


FIGURES = (
    "phases",
    "phase_times",
    "conversion",
    "overdue",
    "refusals",
    "reminders",
    "pilot_effects",
)
"""The figures' names, in the order the page shows them (also the CSV and sheet names)."""


# --- scope ------------------------------------------------------------------------------------


def may_read_overview(actor: Actor) -> bool:
    """Whether the navigation offers the page (the role may; `cases_in_scope` decides the rest)."""
    return may(actor, Action.READ_OVERVIEW)


def cases_in_scope(session: Session, actor: Actor, municipality_id: int | None) -> Select[Any]:
    """The ids of the cases the overview counts: the municipality's (lead or taking part),
    within what `actor` may see.

    A municipality's people see their own municipality's overview only (another id is 403);
    admins and auditors see every case, or one municipality's with `municipality_id` (404 when
    no such municipality exists).
    """
    require(actor, Action.READ_OVERVIEW)
    if not sees_all(actor):
        if municipality_id is not None and municipality_id != actor.organisation_id:
            raise Forbidden("A municipality sees its own overview only.")
        municipality_id = actor.organisation_id
    elif municipality_id is not None:
        org = session.get(Organisation, municipality_id)
        if org is None or org.kind != OrganisationKind.MUNICIPALITY.value:
            raise NotFound(f"Municipality {municipality_id} was not found.")
    query = select(col(Case.id)).where(visible_cases_clause(actor))
    if municipality_id is not None:
        query = query.where(
            exists().where(
                col(Participant.case_id) == col(Case.id),
                col(Participant.organisation_id) == municipality_id,
            )
        )
    return query


# --- the figures ------------------------------------------------------------------------------


def overview(
    session: Session,
    actor: Actor,
    period: Period,
    now: datetime,
    municipality_id: int | None = None,
) -> Overview:
    """Every figure of the overview for `actor` (scoped) over `period`, as of `now`."""
    scope = cases_in_scope(session, actor, municipality_id)
    sql = Dialect(session.get_bind().dialect.name)
    stays = _stays(sql, scope)
    return Overview(
        municipality_id=municipality_id,
        period=period,
        generated_at=now,
        phases=phase_counts(session, stays, period, now),
        phase_times=phase_times(session, sql, stays, period),
        conversion=conversion(session, sql, scope, period),
        overdue=overdue(session, scope, now),
        refusals=refusals(session, sql, scope, period),
        reminders=reminders(session, scope, period),
        pilot_effects=pilot_effects(session, sql, scope),
    )


def _stays(sql: Dialect, scope: Select[Any]) -> Subquery:
    """Each time a case entered a state: `case_id`, `state`, `entered`, `left` (NULL: still
    there). A case enters `need` when it is created and another state with each transition
    that changes its state (pause and resume do not)."""
    to_state = sql.json_text(col(AuditEvent.data), "to")
    from_state = sql.json_text(col(AuditEvent.data), "from")
    changes = union_all(
        select(
            col(Case.id).label("case_id"),
            col(Case.created_at).label("at"),
            literal(0).label("seq"),
            literal(CaseState.NEED.value).label("state"),
        ).where(col(Case.id).in_(scope)),
        select(
            col(AuditEvent.case_id),
            col(AuditEvent.at),
            col(AuditEvent.seq),
            to_state,
        ).where(
            col(AuditEvent.action) == TRANSITION,
            to_state != from_state,
            col(AuditEvent.case_id).in_(scope),
        ),
    ).subquery("changes")
    left = func.lead(changes.c.at, type_=UTCDateTime).over(
        partition_by=changes.c.case_id, order_by=(changes.c.at, changes.c.seq)
    )
    return select(
        changes.c.case_id,
        changes.c.state,
        type_coerce(changes.c.at, UTCDateTime).label("entered"),
        left.label("left"),
    ).subquery("stays")


def _at(value: datetime) -> ColumnElement[datetime]:
    return literal(value, UTCDateTime)


def _months(months: list[Month], now: datetime | None = None) -> Subquery:
    """The months as rows `month`, `start`, `end`, `at` (the end, or `now` when sooner)."""
    rows = [
        select(
            literal(m.label).label("month"),
            _at(m.start).label("start"),
            _at(m.end).label("end"),
            _at(min(m.end, now) if now else m.end).label("at"),
        )
        for m in months
    ]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("months")


def phase_counts(
    session: Session, stays: Subquery, period: Period, now: datetime
) -> list[PhaseCount]:
    """Cases per state at the end of each month (months yet to begin are left out)."""
    months_list = [m for m in period.months() if m.start <= now]
    if not months_list:
        return []
    months = _months(months_list, now)
    query = (
        select(months.c.month, stays.c.state, func.count())
        .select_from(months)
        .join(
            stays,
            and_(
                stays.c.entered < months.c.at,
                or_(stays.c.left.is_(None), stays.c.left >= months.c.at),
            ),
        )
        .group_by(months.c.month, stays.c.state)
    )
    found = {(m, s): n for m, s, n in session.execute(query).all()}
    return [
        PhaseCount(m.label, s.value, int(found.get((m.label, s.value), 0)))
        for m in months_list
        for s in STATES
    ]


def _percentile(ranked: Subquery, percent: int) -> ColumnElement[float]:
    """`percentile_cont(percent / 100)` of `ranked.c.d` per group, from the rows' 0-based rank
    `rn` among `n`: position (n - 1) * p splits into a whole rank and a fraction, and the value
    lies that fraction of the way from the value at the rank to the next one's."""
    position = (ranked.c.n - 1) * percent
    whole = position // 100
    fraction = cast(position % 100, Integer) / 100.0
    return func.sum(
        case(
            (ranked.c.rn == whole, ranked.c.d * (1.0 - fraction)),
            (ranked.c.rn == whole + 1, ranked.c.d * fraction),
            else_=0.0,
        )
    )


def phase_times(session: Session, sql: Dialect, stays: Subquery, period: Period) -> list[PhaseTime]:
    """Median and 90th percentile of the days spent in each phase, over the stays that ended
    in the period."""
    seconds = sql.seconds_between(stays.c.entered, stays.c.left)
    ranked = (
        select(
            stays.c.state,
            seconds.label("d"),
            (func.row_number().over(partition_by=stays.c.state, order_by=seconds) - 1).label("rn"),
            func.count().over(partition_by=stays.c.state).label("n"),
        )
        .where(
            stays.c.left.is_not(None),
            stays.c.left >= _at(period.start_at),
            stays.c.left < _at(period.end_at),
            stays.c.state.in_([p.value for p in PHASES]),
        )
        .subquery("ranked")
    )
    query = select(
        ranked.c.state,
        func.max(ranked.c.n),
        *(_percentile(ranked, p) for p in PERCENTILES),
    ).group_by(ranked.c.state)
    found = {state: (n, p50, p90) for state, n, p50, p90 in session.execute(query).all()}
    result = []
    for phase in PHASES:
        n, p50, p90 = found.get(phase.value, (0, None, None))
        result.append(PhaseTime(phase.value, int(n), _days(p50), _days(p90)))
    return result


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / SECONDS_PER_DAY, 2)


def conversion(
    session: Session, sql: Dialect, scope: Select[Any], period: Period
) -> list[ConversionStep]:
    """Of the cases created in the period, how many have reached each step of the funnel."""

    def reached(state: CaseState) -> ColumnElement[int]:
        entered = exists().where(
            col(AuditEvent.case_id) == col(Case.id),
            col(AuditEvent.action) == TRANSITION,
            sql.json_text(col(AuditEvent.data), "to") == state.value,
        )
        return func.coalesce(func.sum(case((entered, 1), else_=0)), 0)

    query = select(
        func.count(),
        *(reached(state) for state in FUNNEL[1:]),
    ).where(
        col(Case.id).in_(scope),
        col(Case.created_at) >= _at(period.start_at),
        col(Case.created_at) < _at(period.end_at),
    )
    counts = [int(n) for n in session.execute(query).one()]
    steps = []
    for index, (state, n) in enumerate(zip(FUNNEL, counts, strict=True)):
        previous = counts[index - 1] if index else None
        steps.append(
            ConversionStep(
                state.value,
                n,
                _percent(n, counts[0]),
                _percent(n, previous) if previous is not None else None,
            )
        )
    return steps


def _percent(part: int, whole: int | None) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def overdue(session: Session, scope: Select[Any], now: datetime) -> list[OverdueRow]:
    """Open deadlines past due at `now`, per lead municipality, most first."""
    deadlines = func.count(col(Deadline.id))
    query = (
        select(
            col(Case.lead_municipality_id),
            col(Organisation.name),
            deadlines,
            func.count(distinct(col(Deadline.case_id))),
        )
        .select_from(Deadline)
        .join(Case, col(Case.id) == col(Deadline.case_id))
        .join(Organisation, col(Organisation.id) == col(Case.lead_municipality_id))
        .where(
            col(Deadline.status) == DeadlineStatus.OPEN.value,
            col(Deadline.due_at) < _at(now),
            col(Case.id).in_(scope),
        )
        .group_by(col(Case.lead_municipality_id), col(Organisation.name))
        .order_by(deadlines.desc(), col(Organisation.name))
    )
    return [OverdueRow(int(i), name, int(d), int(c)) for i, name, d, c in session.execute(query)]


def refusals(
    session: Session, sql: Dialect, scope: Select[Any], period: Period
) -> list[RefusalRow]:
    """Refused advances in the period by unmet requirement code, the most frequent first."""
    unmet = sql.array_elements(col(AuditEvent.data), "unmet", stored_as_text=True)
    code = sql.element_text(unmet, "code")
    phase = sql.json_text(col(AuditEvent.data), "from")
    times = func.count()
    query = (
        select(code, phase, times, func.count(distinct(col(AuditEvent.case_id))))
        .select_from(AuditEvent)
        .join(unmet, true())
        .where(
            col(AuditEvent.action) == REFUSED,
            col(AuditEvent.at) >= _at(period.start_at),
            col(AuditEvent.at) < _at(period.end_at),
            col(AuditEvent.case_id).in_(scope),
        )
        .group_by(code, phase)
        .order_by(times.desc(), code)
    )
    return [
        RefusalRow(str(c), str(p), int(n), int(k))
        for c, p, n, k in session.execute(query)
        if c is not None
    ]


def reminders(session: Session, scope: Select[Any], period: Period) -> list[ReminderMonth]:
    """Per month: reminders delivered (by when they were sent) and given up on (by when the
    last try failed)."""
    months = _months(period.months())
    sent_in = and_(
        col(Reminder.status) == ReminderStatus.SENT.value,
        col(Reminder.sent_at) >= months.c.start,
        col(Reminder.sent_at) < months.c.end,
    )
    failed_in = and_(
        col(Reminder.status) == ReminderStatus.FAILED.value,
        col(Reminder.updated_at) >= months.c.start,
        col(Reminder.updated_at) < months.c.end,
    )
    query = (
        select(
            months.c.month,
            func.coalesce(func.sum(case((sent_in, 1), else_=0)), 0),
            func.coalesce(func.sum(case((failed_in, 1), else_=0)), 0),
        )
        .select_from(months)
        .outerjoin(Reminder, and_(col(Reminder.case_id).in_(scope), or_(sent_in, failed_in)))
        .group_by(months.c.month)
        .order_by(months.c.month)
    )
    return [ReminderMonth(m, int(s), int(f)) for m, s, f in session.execute(query)]


def pilot_effects(session: Session, sql: Dialect, scope: Select[Any]) -> list[PilotEffect]:
    """Every success criterion with a measured result, in the cases' pilots."""
    criteria = sql.array_elements(col(Case.pilot), "success_criteria", stored_as_text=False)
    query = (
        select(
            col(Case.id),
            col(Case.title),
            sql.element_text(criteria, "metric"),
            sql.element_value(criteria, "baseline"),
            sql.element_value(criteria, "target"),
            sql.element_value(criteria, "result"),
            sql.element_text(criteria, "unit"),
        )
        .select_from(Case)
        .join(criteria, true())
        .where(col(Case.id).in_(scope))
    )
    rows = [
        PilotEffect(
            int(case_id),
            title,
            str(metric or ""),
            baseline,
            target,
            result,
            unit,
            effect_percent(baseline, result),
        )
        for case_id, title, metric, baseline, target, result, unit in session.execute(query)
        if result is not None and result != ""
    ]
    return sorted(rows, key=lambda r: (r.case_id, r.metric))
