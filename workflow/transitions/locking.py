"""Locking a case for writing, shared by the engine and every other writer of a case."""

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core.db import transaction_memo
from workflow.core.errors import NotFound
from workflow.models import Case


def lock_case(session: Session, case_id: int) -> Case:
    """Load the case for writing: a row lock on PostgreSQL.

    SQLite needs no row lock: every transaction there starts with BEGIN IMMEDIATE and so
    already holds the database's write lock (see `workflow.core.db`). A case already locked in
    this transaction (a route checks `If-Match`, then calls the engine) is returned as it
    stands, without asking the database again.
    """
    locked = transaction_memo(session, "opi_locked_cases")
    case: Case | None = locked.get(case_id)
    if case is not None:
        return case
    case = session.execute(
        select(Case)
        .where(col(Case.id) == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(f"Case {case_id} does not exist.")
    locked[case_id] = case
    return case
