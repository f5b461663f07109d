"""Stored web sessions end on their own: idle timeout, absolute lifetime (issue 16 item 5)."""

from datetime import timedelta

from sqlmodel import Session

from tests.factories import DatabaseTarget, invite_person, make_org
from workflow.access.roles import Role
from workflow.access.sessions import Lifetimes, live_session, start_session
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork

LIFETIMES = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


def _started(db: DatabaseTarget) -> tuple[str, Session]:
    session = Session(db.engine, expire_on_commit=False)
    org = make_org(session, "Furesø Kommune")
    work = UnitOfWork(session)
    user = invite_person(work, "Anne Projektleder", "anne@furesoe.dk", Role.MANAGER, org.id)
    raw_id, _ = start_session(
        session, via="oidc", now=utcnow(), lifetimes=LIFETIMES, user_id=user.id
    )
    work.commit()
    return raw_id, session


def test_a_session_ends_after_its_idle_timeout_and_activity_keeps_it_alive(
    db: DatabaseTarget,
) -> None:
    raw_id, session = _started(db)
    with session:
        start = utcnow()
        for minutes in (25, 50, 75):  # each request within 30 minutes of the one before
            live = live_session(
                session, raw_id, start + timedelta(minutes=minutes), LIFETIMES, None
            )
            assert live is not None and live.actor.name == "Anne Projektleder"
            assert (live.actor.via, live.actor.user_id is not None) == ("oidc", True)
        assert (
            live_session(session, raw_id, start + timedelta(minutes=106), LIFETIMES, None) is None
        )


def test_a_busy_session_still_ends_at_its_absolute_lifetime(db: DatabaseTarget) -> None:
    raw_id, session = _started(db)
    with session:
        start = utcnow()
        for minutes in range(20, 7 * 60 + 50, 20):  # a request every 20 minutes for 7h40
            now = start + timedelta(minutes=minutes)
            assert live_session(session, raw_id, now, LIFETIMES, None) is not None
        assert (
            live_session(session, raw_id, start + timedelta(hours=8, minutes=1), LIFETIMES, None)
            is None
        )


def test_an_unknown_id_is_no_session(db: DatabaseTarget) -> None:
    raw_id, session = _started(db)
    with session:
        assert live_session(session, raw_id[:-1] + "x", utcnow(), LIFETIMES, None) is None
