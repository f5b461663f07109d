"""The unit of work's guarantees: what one transaction holds is reused, and never outlives it.

A write carries one `UnitOfWork` through its calls (`workflow.core.unit_of_work`): the cases it
locked, the audit chain heads it read, the events it queued, the relations and sections it
read. These tests pin down that each is asked for once per transaction, that nothing survives
a commit or a rollback (also one done on the session behind the unit's back), that a head
moved by another session is read afresh, and that queued events are never silently lost.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, func, select
from sqlmodel import Session, col

from tests.chain import assert_chain_intact
from tests.factories import make_org, new_case
from workflow.access.actor import SYSTEM_CLI
from workflow.audit import writer as audit
from workflow.cases.facts import held_facts
from workflow.cases.relations import held_relations
from workflow.core.unit_of_work import LostAuditEvents, UnitOfWork
from workflow.models import AuditEvent
from workflow.proposals.service import add_participant
from workflow.transitions.locking import lock_case


@contextmanager
def counting(engine: Engine, table: str) -> Iterator[list[str]]:
    """The statements that name `table`, run while the block runs."""
    seen: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if table in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _case_id(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        case = new_case(session, make_org(session))
        assert case.id is not None
        return case.id


def _events(session: Session, case_id: int) -> int:
    return session.execute(
        select(func.count()).where(col(AuditEvent.chain) == audit.case_chain(case_id))
    ).scalar_one()


def test_a_chain_head_is_read_once_per_transaction(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine) as session, counting(engine, "FROM audit_heads") as selects:
        work = UnitOfWork(session)
        for n in range(3):
            audit.record(work, SYSTEM_CLI, "test.note", {"n": n}, case_id=case_id)
        work.commit()
        assert len(selects) == 1
        events = assert_chain_intact(session, audit.case_chain(case_id))
    assert [e.action for e in events] == ["case.created", "test.note", "test.note", "test.note"]


def test_a_head_moved_by_another_session_is_read_again(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as first:
        work = UnitOfWork(first)
        audit.record(work, SYSTEM_CLI, "test.first", {}, case_id=case_id)
        work.commit()  # `work` is used again below; it held the head at seq 2
        with Session(engine) as other:
            moving = UnitOfWork(other)
            audit.record(moving, SYSTEM_CLI, "test.other", {}, case_id=case_id)
            moving.commit()  # the chain moves on to seq 3 behind `work`'s back
        audit.record(work, SYSTEM_CLI, "test.again", {}, case_id=case_id)
        work.commit()
        events = assert_chain_intact(first, audit.case_chain(case_id))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.action for e in events][1:] == ["test.first", "test.other", "test.again"]


def test_a_case_is_locked_once_per_transaction_and_again_in_the_next(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        work = UnitOfWork(session)
        with counting(engine, "FROM cases") as selects:
            first = lock_case(work, case_id)
            assert lock_case(work, case_id) is first
        assert len(selects) == 1
        work.commit()
        with counting(engine, "FROM cases") as selects:
            lock_case(work, case_id)
        assert len(selects) == 1
        work.rollback()
        with counting(engine, "FROM cases") as selects:
            lock_case(work, case_id)
        assert len(selects) == 1


def test_nothing_outlives_a_transaction_ended_behind_the_units_back(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        work = UnitOfWork(session)
        case = lock_case(work, case_id)
        audit.record(work, SYSTEM_CLI, "test.dropped", {}, case_id=case_id)
        held_facts(work, case, case.created_at)
        assert work.cases and work.heads and work.queued and work.relations and work.sections
        session.rollback()  # not through the unit of work
        assert not (work.cases or work.heads or work.queued or work.relations or work.sections)
        with counting(engine, "FROM cases") as selects:
            lock_case(work, case_id)
        assert len(selects) == 1
        audit.record(work, SYSTEM_CLI, "test.kept", {}, case_id=case_id)
        work.commit()
        events = assert_chain_intact(session, audit.case_chain(case_id))
    assert [e.action for e in events] == ["case.created", "test.kept"]


def test_queued_events_are_never_lost_to_a_direct_commit(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        work = UnitOfWork(session)
        audit.record(work, SYSTEM_CLI, "test.queued", {}, case_id=case_id)
        with pytest.raises(LostAuditEvents):
            session.commit()
        session.rollback()
        assert _events(session, case_id) == 1  # only case.created
        # The unit of work is usable again, and a plain commit with nothing queued is fine.
        audit.record(work, SYSTEM_CLI, "test.written", {}, case_id=case_id)
        work.commit()
        session.commit()
        assert _events(session, case_id) == 2


def test_a_rolled_back_unit_writes_nothing(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        work = UnitOfWork(session)
        audit.record(work, SYSTEM_CLI, "test.rolled-back", {}, case_id=case_id)
        work.rollback()
        session.commit()
        assert _events(session, case_id) == 1
        assert_chain_intact(session, audit.case_chain(case_id))


def test_relations_are_read_once_and_again_after_a_writer_changes_them(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        company = make_org(session, "RoligRum ApS", "company")
        session.commit()
        work = UnitOfWork(session)
        with counting(engine, "FROM participants JOIN organisations") as reads:
            before = held_relations(work, case_id)
            assert held_relations(work, case_id) is before
            add_participant(
                work, case_id, SYSTEM_CLI, organisation_id=company.id or 0, role="interested"
            )
            after = held_relations(work, case_id)
        assert len(reads) == 2
        assert company.id not in {p.organisation_id for p in before.participants}
        assert company.id in {p.organisation_id for p in after.participants}
        work.commit()
