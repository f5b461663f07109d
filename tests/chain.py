"""A test-side check of the audit chain, independent of the service's own verifier."""

import json

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from workflow.audit.writer import GENESIS_HASH, compute_hash
from workflow.models import AuditEvent


def assert_chain_intact(session: Session, chain: str) -> list[AuditEvent]:
    """Every event links to the previous one, seqs run 1..n, every hash recomputes."""
    events = list(
        session.execute(
            select(AuditEvent).where(col(AuditEvent.chain) == chain).order_by(col(AuditEvent.seq))
        ).scalars()
    )
    prev = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        assert event.seq == expected_seq, f"gap before seq {event.seq}"
        assert event.prev_hash == prev, f"broken link at seq {event.seq}"
        assert event.hash == compute_hash(event), f"hash mismatch at seq {event.seq}"
        json.loads(event.data)
        prev = event.hash
    return events


def events_named(engine: Engine, action: str) -> list[AuditEvent]:
    """The audit events of `action`, in the order they were written."""
    with Session(engine) as session:
        query = select(AuditEvent).where(col(AuditEvent.action) == action)
        return list(session.execute(query.order_by(col(AuditEvent.id))).scalars())
