"""Appending a sweep batch's audit events: what `workflow.audit.record` does per event, for
many events at once.

A batch of reminders yields one event per reminder, usually each in another case's chain.
Calling `record` for each costs three statements per event; here every chain head involved is
locked with one statement (in chain order, the same in every sweep, so sweeps never deadlock)
and the events are inserted together. Each event is built and hashed exactly as `record`
builds it (`workflow.audit.next_event`), so the chains verify the same way.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.actor import Actor
from workflow.audit import GENESIS_HASH, case_chain, next_event
from workflow.models import AuditEvent, AuditHead


def record_batch(
    session: Session, actor: Actor, events: list[tuple[int, str, dict[str, Any]]], at: datetime
) -> list[AuditEvent]:
    """Append `(case_id, action, data)` events, in order, each to its case's chain."""
    if not events:
        return []
    chains = sorted({case_chain(case_id) for case_id, _, _ in events})
    heads = {
        head.chain: head
        for head in session.execute(
            select(AuditHead)
            .where(col(AuditHead.chain).in_(chains))
            .order_by(col(AuditHead.chain))
            .with_for_update()
        ).scalars()
    }
    written: list[AuditEvent] = []
    for case_id, action, data in events:
        chain = case_chain(case_id)
        head = heads.get(chain)
        if head is None:
            head = heads[chain] = AuditHead(chain=chain, seq=0, hash=GENESIS_HASH)
            session.add(head)
        event = next_event(head, actor, action, data, case_id=case_id, at=at)
        written.append(event)
    session.add_all(written)
    session.flush()
    return written
