"""A fixed data set for the leaders' overview, built through the real engine at fixed times.

Every case is created and moved by `create_case` and `apply_trigger` at the times below (UTC,
10:00 each day, so every stay is a whole number of days), so the audit log holds exactly the
transitions the figures are computed from. The expected figures are worked out by hand in
`tests/workflow/leaders/test_figures.py`, from this timeline:

| case | lead | need | match | agreement | pilot | scale | end |
|---|---|---|---|---|---|---|---|
| A | Furesø | Jan 5 (10 d) | Jan 15 (45 d) | Mar 1 (20 d) | Mar 21 (60 d) | May 20 (30 d) | Jun 19|
| B | Furesø | Jan 10 (22 d) | Feb 1 (47 d) | Mar 20 (21 d) | Apr 10, still there | | |
| C | Furesø | Feb 10 (20 d) | Mar 2, still there | | | | |
| D | Furesø | Mar 1 (10 d) | Mar 11 (21 d) | | | | cancelled Apr 1 |
| E | Randers, Furesø takes part | Feb 1 (5 d) | Feb 6, still there | | | | |
| H | Furesø | Dec 15 2025 (21 d) | Jan 5 (46 d) | Feb 20, still there | | | |
| G | Gladsaxe | Apr 1, still there | | | | | |

Refused advances: B on Jan 14 and Jan 16 (`call.ready`), C on Feb 12 (every need code and
`call.ready`), B on Jul 10 (outside the first half of 2026). Reminders: some of B's and E's
rows are given a delivery outcome at fixed times (`REMINDER_OUTCOMES`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from states.ready import ready_sections
from tests.factories import World as FactoryWorld
from tests.factories import make_org, make_ready, manager_of, patch
from workflow.access.actor import Actor
from workflow.access.roles import Role
from workflow.cases.service import create_case
from workflow.core.errors import RequirementsUnmet
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Organisation, Reminder
from workflow.proposals.service import add_participant
from workflow.transitions.engine import apply_trigger

TEST_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def day(month: int, d: int, year: int = 2026) -> datetime:
    """10:00 UTC on that day."""
    return datetime(year, month, d, 10, 0, tzinfo=UTC)


@dataclass
class LeadersData:
    """The organisations and cases of the data set."""

    furesoe: Organisation
    randers: Organisation
    gladsaxe: Organisation
    company: Organisation
    cases: dict[str, Case]


def _new(session: Session, lead: Organisation, title: str, at: datetime) -> Case:
    work = UnitOfWork(session)
    case = create_case(
        work, manager_of(lead), title=title, need={}, lead_municipality_id=lead.id or 0, now=at
    )
    work.commit()
    return case


def _advance(session: Session, world: FactoryWorld, case: Case, at: datetime) -> Case:
    """Make the case ready (a few days before `at`) and advance it at `at`."""
    world.clock = at - timedelta(days=3)
    make_ready(session, world, case)
    assert world.clock < at, "the data set's stay is too short for the phase"
    session.refresh(case)
    return apply_trigger(
        UnitOfWork(session),
        case.id or 0,
        "advance",
        world.manager,
        expected_version=case.version,
        now=at,
    )


def _refused(session: Session, world: FactoryWorld, case: Case, at: datetime) -> None:
    session.refresh(case)
    try:
        apply_trigger(UnitOfWork(session), case.id or 0, "advance", world.manager, now=at)
    except RequirementsUnmet:
        return
    raise AssertionError("the advance was meant to be refused")


def _walk(session: Session, world: FactoryWorld, case: Case, moves: list[datetime]) -> Case:
    for at in moves:
        case = _advance(session, world, case, at)
    return case


REMINDER_OUTCOMES: dict[str, list[tuple[str, datetime]]] = {
    "B": [
        ("sent", day(2, 10)),
        ("sent", day(2, 11)),
        ("failed", day(4, 5)),
        ("sent", day(8, 1)),
    ],
    "E": [("sent", day(3, 3))],
}
"""Outcomes given to the first reminder rows (by id) of a case: status and when."""

EFFECTS = [
    {
        "metric": "Uro-episoder pr. uge",
        "baseline": 14,
        "target": 7,
        "result": 8,
        "unit": "episoder",
    },
    {"metric": "Sygefravær", "baseline": "5,0", "target": "4", "result": "4,5", "unit": "%"},
]
"""Case A's measured success criteria: effects -42.9 % and -10.0 %."""


def build(session: Session) -> LeadersData:
    """The data set (see the module docstring)."""
    furesoe = make_org(session, "Furesø Kommune")
    randers = make_org(session, "Randers Kommune")
    gladsaxe = make_org(session, "Gladsaxe Kommune")
    company = make_org(session, "RoligRum ApS", "company")
    rival = make_org(session, "SenseCare Nordic A/S", "company")
    session.commit()
    fw = FactoryWorld(lead=furesoe, company=company, rival=rival, adopter=randers)
    rw = FactoryWorld(lead=randers, company=company, rival=rival, adopter=furesoe)
    cases: dict[str, Case] = {}

    a = _new(session, furesoe, "A: Rolige dage", day(1, 5))
    a = _walk(session, fw, a, [day(1, 15), day(3, 1), day(3, 21)])
    patch(session, a, {"pilot": {"success_criteria": EFFECTS}}, fw.manager, day(5, 1))
    cases["A"] = _walk(session, fw, a, [day(5, 20), day(6, 19)])

    b = _new(session, furesoe, "B: Tryg nattevagt", day(1, 10))
    ready_need = {"need": _need_only(day(1, 12))}
    b = patch(session, b, ready_need, fw.manager, day(1, 12))
    _refused(session, fw, b, day(1, 14))
    _refused(session, fw, b, day(1, 16))
    cases["B"] = _walk(session, fw, b, [day(2, 1), day(3, 20), day(4, 10)])

    c = _new(session, furesoe, "C: Digital genoptræning", day(2, 10))
    _refused(session, fw, c, day(2, 12))
    cases["C"] = _walk(session, fw, c, [day(3, 2)])

    d = _new(session, furesoe, "D: Sansehaver", day(3, 1))
    d = _walk(session, fw, d, [day(3, 11)])
    cases["D"] = apply_trigger(
        UnitOfWork(session), d.id or 0, "cancel", fw.manager, reason="Ingen midler", now=day(4, 1)
    )

    e = _new(session, randers, "E: Fælles madservice", day(2, 1))
    work = UnitOfWork(session)
    add_participant(
        work,
        e.id or 0,
        manager_of(randers),
        organisation_id=furesoe.id or 0,
        role="municipality",
        now=day(2, 2),
    )
    work.commit()
    session.refresh(e)
    cases["E"] = _walk(session, rw, e, [day(2, 6)])

    h = _new(session, furesoe, "H: Velfærdsteknologi", day(12, 15, 2025))
    cases["H"] = _walk(session, fw, h, [day(1, 5), day(2, 20)])

    cases["G"] = _new(session, gladsaxe, "G: Klimatilpasning", day(4, 1))

    _refused(session, fw, cases["B"], day(7, 10))
    for name, outcomes in REMINDER_OUTCOMES.items():
        _give_outcomes(session, cases[name], outcomes)
    return LeadersData(furesoe, randers, gladsaxe, company, cases)


def _need_only(at: datetime) -> dict[str, object]:
    return ready_sections("need", at)["need"]


def _give_outcomes(session: Session, case: Case, outcomes: list[tuple[str, datetime]]) -> None:
    ids = (
        session.execute(
            select(col(Reminder.id))
            .where(col(Reminder.case_id) == case.id)
            .order_by(col(Reminder.id))
        )
        .scalars()
        .all()
    )
    assert len(ids) >= len(outcomes), f"case {case.title} has only {len(ids)} reminders"
    for reminder_id, (status, at) in zip(ids, outcomes, strict=False):
        values: dict[str, object] = {"status": status, "updated_at": at}
        if status == "sent":
            values["sent_at"] = at
        session.execute(update(Reminder).where(col(Reminder.id) == reminder_id).values(**values))
    session.commit()


def actor_of(role: Role, org: Organisation | None) -> Actor:
    """An actor of `role` for `org` (None: no organisation)."""
    return Actor(f"{role.value} test", role, org.id if org else None)
