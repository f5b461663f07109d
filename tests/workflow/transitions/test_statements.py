"""How many SQL statements a transition runs: a fixed number, however many deadlines it makes.

A transition into `match` creates a submission deadline for every interested company, each
with its reminder ladder and audit event. These are written together (one flush of the
deadlines, one INSERT of all their reminders, one of all the events), and what the guards,
the deadlines and the answer read of the case's relations is read once, so a call with many
bidders costs no more statements than one with none. Counting statements is deterministic;
no test here measures time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlmodel import Session, col

from tests.factories import DatabaseTarget, World, make_org, make_ready, make_world, new_case
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Deadline, Reminder
from workflow.proposals.service import add_participant
from workflow.transitions.engine import apply_trigger


@contextmanager
def counted(db: DatabaseTarget) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (BEGIN/COMMIT excluded)."""
    statements: list[str] = []

    def on_execute(*args: Any) -> None:
        sql = str(args[2]).strip()
        if not sql.upper().startswith(("BEGIN", "COMMIT")):
            statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _ready_case(session: Session, world: World, bidders: int) -> tuple[int, int]:
    """A case ready to advance into `match` with `bidders` interested companies: id, version."""
    case = new_case(session, world.lead)
    session.commit()
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


def _advance(db: DatabaseTarget, world: World, case: tuple[int, int]) -> list[str]:
    case_id, version = case
    with Session(db.engine, expire_on_commit=False) as session, counted(db) as statements:
        work = UnitOfWork(session)
        apply_trigger(work, case_id, "advance", world.manager, expected_version=version)
    return statements


def _made(session: Session, case: tuple[int, int]) -> tuple[int, int]:
    deadlines = session.execute(
        select(func.count()).where(col(Deadline.case_id) == case[0])
    ).scalar_one()
    reminders = session.execute(
        select(func.count()).where(col(Reminder.case_id) == case[0])
    ).scalar_one()
    return deadlines, reminders


def test_a_transition_costs_the_same_statements_for_one_deadline_or_four(
    db: DatabaseTarget,
) -> None:
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        alone = _ready_case(session, world, bidders=0)
        crowded = _ready_case(session, world, bidders=3)

    few = _advance(db, world, alone)
    many = _advance(db, world, crowded)

    with Session(db.engine) as session:
        alone_made, crowded_made = _made(session, alone), _made(session, crowded)
    assert alone_made[0] == 1 and crowded_made[0] == 4  # assessment (+ a submission each)
    assert crowded_made[1] > alone_made[1] > 0
    # SQLAlchemy batches the deadlines' INSERT ... RETURNING on PostgreSQL; on SQLite (in
    # process, no round trips) it sends one per row.
    extra_inserts = 3 if db.backend == "sqlite" else 0
    assert len(many) == len(few) + extra_inserts, "\n".join(many)
    # Lock, relations (3), case update, open deadlines, deadlines, reminders, chain head
    # (lock, events, move): reading or writing anything per deadline would add to this.
    assert len(few) <= 11, "\n".join(few)
