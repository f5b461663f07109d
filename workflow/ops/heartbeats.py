"""Recording and reading job heartbeats (`job_heartbeats`)."""

from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from workflow.core.db import session_scope
from workflow.core.timeutil import utcnow
from workflow.models import JobHeartbeat

AUDIT_VERIFICATION = "audit-verification"


def record_run(engine: Engine, name: str, *, ok: bool, at: datetime | None = None) -> None:
    """Note that job `name` ran at `at` (now), and whether it ran well, in one upsert.

    An upsert rather than read-then-write: the same job may finish in two processes at once.
    """
    at = at or utcnow()
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    values = {"name": name, "last_run_at": at, "last_ok_at": at if ok else None}
    statement = insert(JobHeartbeat).values(**values)
    updates = {"last_run_at": statement.excluded.last_run_at}
    if ok:
        updates["last_ok_at"] = statement.excluded.last_ok_at
    with session_scope(engine) as session:
        session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=updates))


def last_ok(session: Session, name: str) -> datetime | None:
    """When job `name` last ran well, or None if it never has."""
    return session.execute(
        select(col(JobHeartbeat.last_ok_at)).where(col(JobHeartbeat.name) == name)
    ).scalar_one_or_none()
