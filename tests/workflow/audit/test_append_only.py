"""The audit tables are append-only in the database itself, created so by the migrations."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tests.audit_support import KEY, tell_story
from tests.factories import DatabaseTarget
from workflow.access.actor import SYSTEM_CLI
from workflow.audit import writer as audit
from workflow.audit.verify import verify_and_checkpoint
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent

STATEMENTS = {
    "audit_events": ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"),
    "audit_checkpoints": (
        "UPDATE audit_checkpoints SET events = 0",
        "DELETE FROM audit_checkpoints",
    ),
    "audit_checkpoint_heads": (
        "UPDATE audit_checkpoint_heads SET seq = 0",
        "DELETE FROM audit_checkpoint_heads",
    ),
}
CASES = [
    pytest.param(table, sql, id=f"{table}-{sql.split()[0]}")
    for table, pair in STATEMENTS.items()
    for sql in pair
]


@pytest.fixture
def filled(db: DatabaseTarget) -> DatabaseTarget:
    """A database with events and a checkpoint in every audit table."""
    tell_story(db)
    assert verify_and_checkpoint(db.engine, KEY).created
    return db


def _count(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize(("table", "sql"), CASES)
def test_update_and_delete_are_refused(filled: DatabaseTarget, table: str, sql: str) -> None:
    with Session(filled.engine) as session:
        before = _count(session, table)
        assert before > 0
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql))
        session.rollback()
        assert _count(session, table) == before


@pytest.mark.parametrize("table", list(STATEMENTS))
def test_truncate_is_refused_on_postgresql(pg_db: DatabaseTarget, table: str) -> None:
    tell_story(pg_db)
    verify_and_checkpoint(pg_db.engine, KEY)
    with Session(pg_db.engine) as session:
        with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
            session.execute(text(f"TRUNCATE {table} CASCADE"))
        session.rollback()
        assert _count(session, table) > 0


def test_an_orm_change_to_an_event_is_refused(filled: DatabaseTarget) -> None:
    with Session(filled.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.seq == 1)).first()
        assert event is not None
        event.action = "case.deleted"
        with pytest.raises(DBAPIError, match="append-only"):
            session.commit()


def test_appending_still_works(filled: DatabaseTarget) -> None:
    """The triggers refuse changes, never new events."""
    with Session(filled.engine) as session:
        before = _count(session, "audit_events")
        work = UnitOfWork(session)
        audit.record(work, SYSTEM_CLI, "test.appended", {"n": 1})
        work.commit()
        assert _count(session, "audit_events") == before + 1
