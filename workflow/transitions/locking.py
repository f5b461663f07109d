"""Locking a case for writing, shared by the engine and every other writer of a case."""

from sqlalchemy import select
from sqlmodel import col

from workflow.core.errors import NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case


def lock_case(work: UnitOfWork, case_id: int) -> Case:
    """Load the case for writing: a row lock on PostgreSQL.

    SQLite needs no row lock: every transaction there starts with BEGIN IMMEDIATE and so
    already holds the database's write lock (see `workflow.core.db`). A case already locked in
    this unit of work (a route checks `If-Match`, then calls the engine) is returned as it
    stands, without asking the database again.
    """
    locked = work.cases
    case = locked.get(case_id)
    if case is not None:
        return case
    case = work.session.execute(
        select(Case)
        .where(col(Case.id) == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(f"Case {case_id} does not exist.")
    locked[case_id] = case
    return case
