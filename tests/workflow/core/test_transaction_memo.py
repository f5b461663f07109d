"""What one transaction already holds is reused, and never outlives the transaction.

The audit writer and `lock_case` keep the rows they locked for the rest of the transaction
(`workflow.core.db.transaction_memo`), so a transition asks for its case and its chain's head once.
These tests pin down that a memo never leaks into another transaction or a savepoint, and that
a head this session loaded earlier is refreshed when another session moved the chain on.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlmodel import Session

from tests.chain import assert_chain_intact
from tests.factories import make_org, new_case
from workflow.access.actor import SYSTEM_CLI
from workflow.audit import writer as audit
from workflow.core.db import transaction_memo
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
        session.commit()
        assert case.id is not None
        return case.id


def test_a_chain_head_is_locked_once_per_transaction(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine) as session, counting(engine, "FROM audit_heads") as selects:
        for n in range(3):
            audit.record(session, SYSTEM_CLI, "test.note", {"n": n}, case_id=case_id)
        session.commit()
        assert len(selects) == 1
        events = assert_chain_intact(session, audit.case_chain(case_id))
    assert [e.action for e in events] == ["case.created", "test.note", "test.note", "test.note"]


def test_a_head_loaded_in_an_earlier_transaction_is_refreshed(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as first:
        audit.record(first, SYSTEM_CLI, "test.first", {}, case_id=case_id)
        first.commit()  # `first` keeps its head object, now at seq 2
        with Session(engine) as other:
            audit.record(other, SYSTEM_CLI, "test.other", {}, case_id=case_id)
            other.commit()  # the chain moves on to seq 3 behind `first`'s back
        audit.record(first, SYSTEM_CLI, "test.again", {}, case_id=case_id)
        first.commit()
        events = assert_chain_intact(first, audit.case_chain(case_id))
    assert [e.seq for e in events] == [1, 2, 3, 4]


def test_a_case_is_locked_once_per_transaction_and_again_in_the_next(engine: Engine) -> None:
    case_id = _case_id(engine)
    with Session(engine, expire_on_commit=False) as session:
        with counting(engine, "FROM cases") as selects:
            first = lock_case(session, case_id)
            assert lock_case(session, case_id) is first
        assert len(selects) == 1
        session.commit()
        with counting(engine, "FROM cases") as selects:
            lock_case(session, case_id)
        assert len(selects) == 1
        session.rollback()


def test_a_memo_belongs_to_one_transaction_and_not_to_its_savepoints(engine: Engine) -> None:
    with Session(engine) as session:
        outer = transaction_memo(session, "test")
        outer["x"] = 1
        assert transaction_memo(session, "test") is outer
        with session.begin_nested():
            inner = transaction_memo(session, "test")
            assert inner is not outer and not inner
        session.commit()
        assert transaction_memo(session, "test") == {}
        session.rollback()
        assert transaction_memo(session, "test") == {}
