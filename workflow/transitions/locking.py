"""Locking a case for writing, shared by the engine and every other writer of a case."""

from sqlalchemy import String, cast, literal, select
from sqlmodel import col

from workflow.audit.writer import ChainHead, case_chain
from workflow.core.errors import NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditHead, Case


def lock_case(work: UnitOfWork, case_id: int) -> Case:
    """Load the case for writing: a row lock on PostgreSQL, on the case's audit chain head too.

    SQLite needs no row lock: every transaction there starts with BEGIN IMMEDIATE and so
    already holds the database's write lock (see `workflow.core.db`). A case already locked in
    this unit of work (a route checks `If-Match`, then calls the engine) is returned as it
    stands, without asking the database again.

    Every write of a case appends to its audit chain, so the chain's head is locked and read
    in the same statement (one round trip instead of two) and held in the unit of work for
    `workflow.audit.writer`. This fixes the lock order of every writer of a case: the case and
    its head first, then reminder rows; the reminder sweep takes the heads of a batch's cases
    before their reminder rows (`notifications.claims.finish`), so the two never deadlock.
    A case whose chain has no head row yet (none written by this code) is locked alone.
    """
    locked = work.cases
    case = locked.get(case_id)
    if case is not None:
        return case
    chain = case_chain(case_id)
    found = work.session.execute(
        _LOCK_WITH_HEAD.where(col(Case.id) == case_id),
        execution_options={"populate_existing": True},
    ).first()
    if found is not None:
        case, seq, hash_ = found
        work.heads[chain] = ChainHead(chain, seq, hash_, seq)
    else:
        case = work.session.get(Case, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise NotFound(f"Case {case_id} does not exist.")
    locked[case_id] = case
    return case


_LOCK_WITH_HEAD = (
    select(Case, col(AuditHead.seq), col(AuditHead.hash))
    .join(
        AuditHead,
        col(AuditHead.chain) == literal(case_chain(0)[:-1]) + cast(col(Case.id), String),
    )
    .with_for_update()
)
