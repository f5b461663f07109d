"""The unit of work: one write transaction and what it already holds, passed to every writer.

A write (a transition, a proposal, a deadline moved, a sweep's batch) runs many small steps
that would otherwise each ask the database again for the same rows: the locked case, the audit
chain's head, the case's relations, its parsed sections. The writer creates one `UnitOfWork`
around its session and hands it down explicitly, so the data flow shows in the signatures and
nothing rides on the SQLAlchemy `Session` or on global session listeners.

Its promises:

- Everything it holds belongs to one database transaction. `commit` and `rollback` end the
  transaction and empty it; and if the session's transaction ended some other way (a caller
  rolled the session back), the next use notices the new transaction and starts empty, so a
  lock or a head read in an earlier transaction is never trusted again.
- Audit events queue in it and are written by `flush` or `commit`, all of one transaction
  together. Committing the session behind its back with events still queued would lose them,
  so while events wait the unit of work refuses such a commit (`LostAuditEvents`): the one
  hook it sets on its own session, which only ever says no and does no work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sqlalchemy import Engine, event
from sqlmodel import Session

from workflow.core.db import get_engine

if TYPE_CHECKING:  # the types it holds; the modules that fill them import this one
    from sqlalchemy.orm import SessionTransaction

    from workflow.audit.writer import ChainHead, NewEvent
    from workflow.cases.relations import CaseRelations
    from workflow.models import Case


T = TypeVar("T")


class LostAuditEvents(RuntimeError):
    """The session's transaction ended while audit events still waited to be written."""


class _Held(Generic[T]):
    """Something a `UnitOfWork` holds for its transaction, kept in the slot `_<name>`.

    Reading it first makes sure that transaction is still the session's (`_current`), so
    what an ended transaction held is never handed out.
    """

    __slots__ = ("_slot",)

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, work: UnitOfWork, owner: type | None = None) -> T:
        work._current()
        return cast(T, getattr(work, self._slot))


class UnitOfWork:
    """One write transaction of `session` and what it has locked, read and queued so far.

    `cases`: cases locked for writing (`workflow.transitions.locking.lock_case`).
    `heads`: audit chain heads read in this transaction, moved by the events queued.
    `events`: audit events queued, written in order by `flush`.
    `relations`: each case's participants, proposals and signatures, as read
    (`workflow.cases.relations`); a writer that changes them drops the case's entry.
    `sections`: parsed case sections, keyed by case and name (`workflow.cases.facts`).
    """

    __slots__ = (
        "_cases",
        "_events",
        "_guard",
        "_guarded",
        "_heads",
        "_relations",
        "_sections",
        "_tx",
        "session",
    )

    def __init__(self, session: Session) -> None:
        self.session = session
        self._tx: SessionTransaction | None = None
        self._guard = self._refuse_commit  # one object, so the hook can be removed again
        self._guarded = False
        self._clear()

    def _clear(self) -> None:
        self._unguard()
        self._cases: dict[int, Case] = {}
        self._heads: dict[str, ChainHead] = {}
        self._events: list[NewEvent] = []
        self._relations: dict[int, CaseRelations] = {}
        self._sections: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}

    def _current(self) -> None:
        """Begin the transaction if none is open; forget what an ended one held."""
        tx = self.session.get_transaction()
        if tx is not None and tx is self._tx:
            return
        # Ended without us: rolled back (queued events go with it; a direct commit with
        # events queued is refused by `_refuse_commit`), or committed with nothing queued.
        self._clear()
        if tx is None:
            self.session.connection()  # begins the transaction what we hold belongs to
            tx = self.session.get_transaction()
        self._tx = tx

    cases: _Held[dict[int, Case]] = _Held()
    """Cases locked for writing in this transaction, by id."""
    heads: _Held[dict[str, ChainHead]] = _Held()
    """Audit chain heads read in this transaction, by chain name."""
    relations: _Held[dict[int, CaseRelations]] = _Held()
    """Case relations read in this transaction, by case id."""
    sections: _Held[dict[tuple[int, str], tuple[dict[str, Any], Any]]] = _Held()
    """Parsed sections (`(stored dict, model)`) by case id and section name."""

    @property
    def queued(self) -> tuple[NewEvent, ...]:
        """Audit events queued in this transaction and not yet written, in order."""
        self._current()
        return tuple(self._events)

    def insert(self, row: T) -> T:
        """Add the new `row` and flush it, so its generated id is there for what refers to
        it next (an audit event, a child row); returns `row`."""
        self.session.add(row)
        self.session.flush()
        return row

    def queue(self, events: list[NewEvent]) -> None:
        """Queue audit events, in order, to be written by the next `flush`."""
        self._current()
        self._events.extend(events)
        if not self._guarded:
            event.listen(self.session, "before_commit", self._guard)
            self._guarded = True

    def take_queued(self) -> list[NewEvent]:
        """The queued events, handed over for writing; the queue is empty afterwards."""
        self._current()
        events, self._events = self._events, []
        self._unguard()
        return events

    def _refuse_commit(self, session: Session) -> None:
        # Never removes itself here (a listener must not change the list being run); the
        # next use of the unit of work does.
        if self._events and session.get_transaction() is self._tx:
            count, self._events = len(self._events), []
            raise LostAuditEvents(
                f"{count} audit event(s) are queued in a unit of work whose session is being "
                "committed directly; commit a write through its unit of work."
            )

    def _unguard(self) -> None:
        if self._guarded:
            event.remove(self.session, "before_commit", self._guard)
            self._guarded = False

    def flush(self) -> None:
        """Write the queued audit events and the session's pending changes."""
        from workflow.audit.writer import write_queued  # the writer imports this module

        self._current()
        write_queued(self)
        self.session.flush()

    def commit(self) -> None:
        """Write what is queued and commit; what this unit held ends with the transaction."""
        try:
            self.flush()
            self.session.commit()
        except BaseException:
            self.rollback()
            raise
        self._tx = None
        self._clear()

    def rollback(self) -> None:
        """Roll the transaction back and drop everything it held, queued events included."""
        self._tx = None
        self._clear()
        self.session.rollback()


@contextmanager
def work_scope(engine: Engine | None = None) -> Iterator[UnitOfWork]:
    """A unit of work on a new session: committed when the block ends normally, rolled back
    otherwise (for jobs such as the sweep and the CLI, which have no request around them)."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        work = UnitOfWork(session)
        try:
            yield work
        except BaseException:
            work.rollback()
            raise
        work.commit()
