"""How many SQL statements each phase change runs: pinned per change and per database.

Issue 18 names this file. Every change of a case's state goes through
`workflow.transitions.engine.apply_trigger`; a statement more or less in any of them shows
here first, with the statements listed. The counts are what the engine sends inside its unit
of work (the lock of the case included; the request's token lookup is the API's and is counted
by `bench.statements`). Both databases run the same statements, so one count is pinned per
change and each test checks it on both.

Two properties are pinned beside the counts:

- entering `match` with 0 or 3 interested companies (1 or 4 deadlines created, each with its
  reminder ladder and audit event) costs the same statements: deadlines, reminders and events
  are each written with one statement;
- leaving a phase with 1 or 20 open deadlines costs the same statements: the deadlines are
  closed, and all their unsent reminders cancelled, with one statement (and each closed
  deadline's audit event still counts its cancelled reminders).

Counting statements is deterministic; no test here measures time (that is `bench/`'s work).
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session, col

from tests.factories import (
    DatabaseTarget,
    World,
    drive,
    make_org,
    make_ready,
    make_world,
    new_case,
)
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import add_deadline
from workflow.models import AuditEvent, Case, Deadline, Reminder
from workflow.proposals.service import add_participant
from workflow.transitions.engine import apply_trigger

# Pinned statement counts per change, on either database. "advance" brings the case's requirements
# in order first; the other triggers carry a reason where they need one. The statements:
#   1. the case and its audit chain head, locked and read together (`lock_case`);
#   2. the case's relations, one UNION ALL (for `advance`'s guards, and for the deadlines
#      and reminder recipients of a phase entered);
#   3. the case's UPDATE;
#   4. the open deadlines of the phase left closed (`UPDATE ... RETURNING`; not for pause
#      and resume); the database cancels their unsent reminders as it closes them (a
#      trigger, migration 0019), and the statement returns how many each had;
#   5. the deadlines of the phase entered inserted (`INSERT ... RETURNING`), 6. their
#      reminders inserted;
#   7. the audit events inserted; the database moves the chain's head (migration 0016).
# Issue 18 aims at <= 7 in every phase change.
PINNED: dict[str, int] = {
    "need --advance--> match": 7,
    "match --advance--> agreement": 7,
    "agreement --advance--> pilot": 7,
    "pilot --advance--> scale": 7,
    "scale --advance--> completed": 5,
    "match --send_back--> need": 4,
    "agreement --send_back--> match": 7,
    "pilot --send_back--> agreement": 5,
    "need --cancel--> cancelled": 4,
    "pilot --cancel--> cancelled": 4,
    "cancelled --reopen--> pilot": 7,
    "match --pause--> match": 3,
    "match --resume--> match": 3,
}

REASON = "Afventer kommunalbestyrelsen"


@contextmanager
def counted(db: DatabaseTarget) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (BEGIN/COMMIT excluded)."""
    statements: list[str] = []

    def on_execute(*args: Any) -> None:
        sql = " ".join(str(args[2]).split())
        if not sql.upper().startswith(("BEGIN", "COMMIT")):
            statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _apply(
    db: DatabaseTarget,
    world: World,
    case_id: int,
    trigger: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> tuple[list[str], Case]:
    """Apply `trigger` in a session of its own; the statements it ran and the case after."""
    reason = None if trigger in ("advance", "resume") else REASON
    with Session(db.engine, expire_on_commit=False) as session, counted(db) as statements:
        case = apply_trigger(
            UnitOfWork(session),
            case_id,
            trigger,
            world.manager,
            reason=reason,
            expected_version=version,
            now=now or world.tick(),
        )
    return statements, case


def _in_state(session: Session, world: World, state: str) -> Case:
    """A case in `state` (a phase, or `cancelled` from `pilot`), driven by the real engine."""
    case = new_case(session, world.lead)
    if state == "cancelled":
        case = drive(session, world, case, "pilot")
        return drive(session, world, case, "cancelled")
    return drive(session, world, case, state)


def _prepare(session: Session, world: World, change: str) -> tuple[Case, str]:
    """The case the change starts from, ready for it; the trigger."""
    source, trigger = change.split(" ")[0], change.split("--")[1]
    case = _in_state(session, world, source)
    if trigger == "advance":
        case = make_ready(session, world, case)
    if trigger == "resume":
        assert case.id is not None
        case = apply_trigger(
            UnitOfWork(session), case.id, "pause", world.manager, reason=REASON, now=world.tick()
        )
    return case, trigger


@pytest.mark.parametrize("change", list(PINNED))
def test_each_phase_change_runs_its_pinned_statements(db: DatabaseTarget, change: str) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case, trigger = _prepare(session, world, change)
    assert case.id is not None
    statements, after = _apply(db, world, case.id, trigger, version=case.version)
    assert after.state == change.split(" ")[-1]
    expected = PINNED[change]
    listing = "\n".join(f"{n}. {s[:200]}" for n, s in enumerate(statements, 1))
    assert len(statements) == expected, f"{len(statements)}, pinned {expected}:\n{listing}"


# --- the same count for few and many deadlines ---------------------------------------------


def _ready_with_bidders(session: Session, world: World, bidders: int) -> tuple[int, int]:
    """A case ready to advance into `match` with `bidders` interested companies: id, version."""
    case = new_case(session, world.lead)
    assert case.id is not None
    work = UnitOfWork(session)
    for n in range(bidders):
        company = make_org(session, f"Byder {n} ApS", "company")
        session.commit()
        add_participant(
            work,
            case.id,
            world.manager,
            organisation_id=company.id or 0,
            role="interested",
            now=world.clock,
        )
        work.commit()
    session.refresh(case)
    case = make_ready(session, world, case)
    assert case.id is not None
    return case.id, case.version


def _count(session: Session, model: type[Deadline] | type[Reminder], *where: Any) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_entering_match_costs_the_same_for_one_deadline_or_four(db: DatabaseTarget) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        alone = _ready_with_bidders(session, world, bidders=0)
        crowded = _ready_with_bidders(session, world, bidders=3)

    few, _ = _apply(db, world, alone[0], "advance", version=alone[1])
    many, _ = _apply(db, world, crowded[0], "advance", version=crowded[1])

    with Session(db.engine) as session:
        made = {
            case_id: (
                _count(session, Deadline, col(Deadline.case_id) == case_id),
                _count(session, Reminder, col(Reminder.case_id) == case_id),
            )
            for case_id in (alone[0], crowded[0])
        }
    assert made[alone[0]][0] == 1 and made[crowded[0]][0] == 4  # assessment (+ a submission each)
    assert made[crowded[0]][1] > made[alone[0]][1] > 0
    assert len(many) == len(few) == PINNED["need --advance--> match"], "\n".join(many)


def _in_match_with_deadlines(session: Session, world: World, extra: int) -> tuple[int, int]:
    """A case in `match`, ready to advance, with `extra` open deadlines of its own (each with
    its reminders) beside the assessment deadline: id, version."""
    case = drive(session, world, new_case(session, world.lead), "match")
    case = make_ready(session, world, case)
    assert case.id is not None
    work = UnitOfWork(session)
    for n in range(extra):
        add_deadline(
            work,
            case.id,
            world.manager,
            title=f"Delleverance {n}",
            due_at=world.clock + timedelta(days=20 + n),
            responsible_organisation_id=None,
            now=world.clock,
        )
    work.commit()
    session.refresh(case)
    return case.id, case.version


OPEN: Callable[[int], tuple[Any, ...]] = lambda case_id: (  # noqa: E731
    col(Deadline.case_id) == case_id,
    col(Deadline.status) == "open",
)


@pytest.mark.parametrize("deadlines", [1, 20])
def test_leaving_a_phase_costs_the_same_for_one_open_deadline_or_twenty(
    db: DatabaseTarget, deadlines: int
) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case_id, version = _in_match_with_deadlines(session, world, extra=deadlines)
        assert _count(session, Deadline, *OPEN(case_id)) == deadlines + 1  # + assessment
        pending = (col(Reminder.case_id) == case_id, col(Reminder.status) == "pending")
        pending_before = _count(session, Reminder, *pending)
        pending_per_deadline: dict[int, int] = {
            deadline_id: n
            for deadline_id, n in session.execute(
                select(col(Reminder.deadline_id), func.count())
                .where(*pending)
                .group_by(col(Reminder.deadline_id))
            )
        }

    statements, _ = _apply(db, world, case_id, "advance", version=version, now=world.clock)

    with Session(db.engine) as session:
        still_open = _count(session, Deadline, *OPEN(case_id))
        cancelled = _count(
            session,
            Reminder,
            col(Reminder.case_id) == case_id,
            col(Reminder.status) == "cancelled",
        )
        closed_events = [
            json.loads(e.data)
            for e in session.execute(
                select(AuditEvent).where(
                    col(AuditEvent.case_id) == case_id,
                    col(AuditEvent.action) == "deadline.cancelled",
                )
            ).scalars()
        ]
    # Every match deadline closed; only the agreement's signature deadlines are open now.
    assert still_open == 2  # the lead and the selected company sign
    assert cancelled == pending_before > deadlines
    # Each closed deadline's audit event says how many of its reminders were cancelled.
    assert len(closed_events) == deadlines + 1
    assert {e["deadline_id"]: e["reminders_cancelled"] for e in closed_events} == {
        deadline_id: pending_per_deadline.get(deadline_id, 0)
        for deadline_id in (e["deadline_id"] for e in closed_events)
    }
    assert sum(e["reminders_cancelled"] for e in closed_events) == pending_before
    expected = PINNED["match --advance--> agreement"]
    assert len(statements) == expected, "\n".join(statements)
