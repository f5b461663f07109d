"""Audit test support: a story to audit, and tampering with its log as an attacker would.

The attacker has database access and goes around the triggers.

PostgreSQL: `SET session_replication_role = replica` (superuser) switches ordinary triggers off
for the session. SQLite: drop the triggers, tamper, create them again. Both leave the
append-only triggers in place afterwards, exactly as an attacker covering their tracks would.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, select, update
from sqlmodel import Session

from tests.factories import DatabaseTarget, drive, make_world, new_case
from workflow.access.actor import SYSTEM_CLI
from workflow.access.tokens import create_token
from workflow.audit.writer import GENESIS_HASH, case_chain, event_bytes
from workflow.core.errors import RequirementsUnmet
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent
from workflow.transitions.engine import apply_trigger

GUARDED_TABLES = ("audit_events", "audit_checkpoints", "audit_checkpoint_heads")
EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]


@contextmanager
def attacker(db: DatabaseTarget) -> Iterator[Connection]:
    """A connection on which UPDATE, DELETE (and TRUNCATE) of the audit tables go through."""
    with db.engine.connect() as conn:
        if db.backend == "postgresql":
            conn.exec_driver_sql("SET session_replication_role = replica")
            yield conn
            conn.commit()
            conn.exec_driver_sql("SET session_replication_role = DEFAULT")
            conn.commit()
            return
        names = ", ".join(f"'{t}'" for t in GUARDED_TABLES)
        triggers = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})"
        ).all()
        assert triggers, "the migrations should have created the append-only triggers"
        for name, _ in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield conn
        for _, sql in triggers:
            conn.exec_driver_sql(sql)
        conn.commit()


def overwrite(conn: Connection, chain: str, seq: int, /, **values: Any) -> None:
    """Overwrite columns of event `seq` of `chain` (on an `attacker` connection), leaving its
    hash as it was. The columns may include `seq` itself (hence positional-only)."""
    conn.execute(update(EVENTS).where(EVENTS.c.chain == chain, EVENTS.c.seq == seq).values(values))


def events_of(conn: Connection, chain: str) -> list[dict[str, Any]]:
    """The chain's events as plain dicts (typed: `at` is an aware datetime), in seq order."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    rows = conn.execute(select(table).where(table.c.chain == chain).order_by(table.c.seq))
    return [dict(r) for r in rows.mappings()]


def hash_of(event: dict[str, Any]) -> str:
    """The hash the event's fields give (what a careful attacker recomputes)."""
    fields = {k: v for k, v in event.items() if k not in ("id", "case_id", "hash")}
    return hashlib.sha256(event_bytes(**fields)).hexdigest()


def rewrite_chain(conn: Connection, chain: str, from_seq: int = 1) -> None:
    """Recompute every hash and link of the chain from `from_seq` on, and its head row."""
    prev = GENESIS_HASH
    for event in events_of(conn, chain):
        if event["seq"] >= from_seq:
            event["prev_hash"] = prev
            event["hash"] = hash_of(event)
            conn.exec_driver_sql(
                f"UPDATE audit_events SET prev_hash = '{event['prev_hash']}', "
                f"hash = '{event['hash']}' WHERE id = {event['id']}"
            )
        prev = event["hash"]
    set_head(conn, chain)


def set_head(conn: Connection, chain: str) -> None:
    """Make `audit_heads` agree with the chain's last event, as a careful attacker would."""
    events = events_of(conn, chain)
    seq, last = (events[-1]["seq"], events[-1]["hash"]) if events else (0, GENESIS_HASH)
    conn.exec_driver_sql(
        f"UPDATE audit_heads SET seq = {seq}, hash = '{last}' WHERE chain = '{chain}'"
    )


def insert_event(conn: Connection, event: dict[str, Any]) -> None:
    """Insert a forged event row."""
    values = {k: v for k, v in event.items() if k != "id"}
    conn.execute(AuditEvent.__table__.insert().values(**values))  # type: ignore[attr-defined]


# --- a small story whose audit log the tests tamper with ---------------------------------

KEY = "test-audit-key-0123456789"


@dataclass(frozen=True)
class Story:
    """Two cases and a global event, all written through the real engine."""

    case_id: int
    other_id: int
    lead_id: int
    other_lead_id: int

    @property
    def chain(self) -> str:
        """The main case's chain."""
        return case_chain(self.case_id)


def tell_story(db: DatabaseTarget) -> Story:
    """A case driven to pilot (with a refused attempt on the way), a second case led by
    another municipality, and an auditor token (an event of the global chain)."""
    with Session(db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case = new_case(session, world.lead)
        session.commit()
        case_id = case.id
        assert case_id is not None
        work = UnitOfWork(session)
        with pytest.raises(RequirementsUnmet):
            apply_trigger(work, case_id, "advance", world.manager, now=world.tick())
        drive(session, world, case, "pilot")
        other = new_case(session, world.adopter)
        work.commit()
        create_token(work, SYSTEM_CLI, name="Revisor", role="auditor", organisation_id=None)
        work.commit()
        assert other.id is not None
        return Story(case_id, other.id, world.lead.id or 0, world.adopter.id or 0)
