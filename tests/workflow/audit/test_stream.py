"""The read side's machinery: one consistent snapshot, prefetching, the exact fallback check."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.audit_support import KEY, attacker, events_of, overwrite, tell_story
from tests.factories import NOW, DatabaseTarget
from workflow.access.actor import SYSTEM_CLI
from workflow.audit import writer as audit
from workflow.audit.stream import ReadSnapshot, prefetch
from workflow.audit.verify import Scope, _verify, verify_log
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent


def _count(db: DatabaseTarget) -> int:
    with Session(db.engine) as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_verification_sees_one_snapshot_while_events_are_appended(db: DatabaseTarget) -> None:
    tell_story(db)
    before = _count(db)
    with ReadSnapshot(db.engine) as snap:
        snap.one("SELECT COUNT(*) FROM audit_events")  # the snapshot starts here
        with Session(db.engine) as session:  # a writer is not blocked by the reader
            work = UnitOfWork(session)
            for n in range(3):
                audit.record(work, SYSTEM_CLI, "test.note", {"n": n})
            work.commit()
        report = _verify(snap, KEY, Scope(), None)
    assert report.ok, report.as_dict()
    assert report.events_checked == before
    assert verify_log(db.engine, KEY).events_checked == before + 3


def test_an_event_stored_in_an_unusual_but_equal_form_still_verifies(
    db: DatabaseTarget,
) -> None:
    """The fast path only proposes; the reference check decides (here: SQLite stores the time
    without microseconds, as Python's own sqlite3 adapter would; PostgreSQL: special
    characters in every text field)."""
    tell_story(db)
    with Session(db.engine) as session:
        odd = 'Nul \\ "quote" \t tab \u2028 æ'
        actor = SYSTEM_CLI.__class__(odd, "system", None)
        # No actor can hold an odd role any more (`Role`), but a stored row may carry one.
        object.__setattr__(actor, "role", 'r"\\\t')
        work = UnitOfWork(session)
        event = audit.record(work, actor, odd.replace(" ", ""), {"k": odd}, at=NOW)
        work.commit()
        event_id = session.execute(
            select(col(AuditEvent.id)).where(
                col(AuditEvent.chain) == event.chain, col(AuditEvent.seq) == event.seq
            )
        ).scalar_one()
    if db.backend == "sqlite":
        with attacker(db) as conn:
            conn.exec_driver_sql(
                f"UPDATE audit_events SET at = substr(at, 1, 19) WHERE id = {event_id}"
            )
    report = verify_log(db.engine, KEY)
    assert report.ok, report.as_dict()


def test_a_column_of_the_wrong_type_is_reported_not_crashed_on(db: DatabaseTarget) -> None:
    story = tell_story(db)
    with attacker(db) as conn:
        if db.backend == "sqlite":  # SQLite keeps whatever is stored
            conn.exec_driver_sql(
                f"UPDATE audit_events SET actor_name = 42 WHERE chain = '{story.chain}' AND seq = 2"
            )
        else:
            overwrite(conn, story.chain, 2, actor_organisation_id=None)
        assert len(events_of(conn, story.chain)) > 2
    report = verify_log(db.engine, KEY)
    assert report.first_broken is not None
    assert (report.first_broken.problem, report.first_broken.seq) == ("hash-mismatch", 2)


def test_prefetch_hands_over_every_item_in_order() -> None:
    assert list(prefetch(iter(range(100)), depth=2)) == list(range(100))


def test_prefetch_raises_the_producers_error() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        list(prefetch(failing()))


def test_closing_prefetch_early_stops_and_closes_the_source() -> None:
    closed = []

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.append(True)

    items = prefetch(endless(), depth=2)
    assert next(items) == 0
    items.close()
    assert closed == [True]
