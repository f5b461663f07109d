"""Concurrent writers on PostgreSQL: the row lock and the version check let exactly one win."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.chain import assert_chain_intact
from tests.factories import DatabaseTarget, make_ready, make_world, new_case
from workflow.audit.writer import case_chain
from workflow.core.db import make_engine
from workflow.core.errors import StaleVersion
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import AuditEvent
from workflow.transitions.engine import apply_trigger

THREADS = 50


def test_fifty_concurrent_advances_exactly_one_wins(pg_db: DatabaseTarget) -> None:
    with Session(pg_db.engine, expire_on_commit=False) as session:
        world = make_world(session)
        case = new_case(session, world.lead)
        session.commit()
        make_ready(session, world, case)
        session.refresh(case)
        case_id, version, manager, when = case.id, case.version, world.manager, world.tick()
    assert case_id is not None
    engine = make_engine(pg_db.url, pool_size=THREADS, max_overflow=0)
    barrier = threading.Barrier(THREADS)

    def attempt(_: int) -> str:
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                apply_trigger(
                    UnitOfWork(s), case_id, "advance", manager, expected_version=version, now=when
                )
            except StaleVersion:
                return "stale"
            return "ok"

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            outcomes = list(pool.map(attempt, range(THREADS)))
    finally:
        engine.dispose()
    assert outcomes.count("ok") == 1
    assert outcomes.count("stale") == THREADS - 1
    with Session(pg_db.engine) as session:
        transitions = session.execute(
            select(func.count()).where(
                col(AuditEvent.case_id) == case_id,
                col(AuditEvent.action) == "case.transition",
            )
        ).scalar_one()
        assert transitions == 1
        assert_chain_intact(session, case_chain(case_id))
