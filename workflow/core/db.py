"""Database engines and sessions for SQLite (embedded default) and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from workflow.core.settings import get_settings


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite set up for safe concurrent writers.

    On SQLite every transaction starts with BEGIN IMMEDIATE: it takes the write lock at once,
    so a read-check-write sequence (the transition engine's "lock, decide, write") cannot
    interleave with another writer. pysqlite's own transaction handling is switched off for
    that, as the SQLAlchemy documentation advises.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: `OPI_DATABASE_URL`).

    On PostgreSQL it keeps `OPI_DATABASE_POOL_SIZE` connections: a connection opened beyond
    the pool is closed when it is returned, so a service that often has more requests at once
    than its pool holds would open (and PostgreSQL fork) a new backend for many of them.

    A request that finds every connection taken waits `OPI_DATABASE_POOL_TIMEOUT` seconds, then
    gets 503 with Retry-After (`api/http/problems.py`), never a 500.
    """
    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        return make_engine(url, pool_timeout=settings.database_pool_timeout)
    return make_engine(
        url, pool_size=settings.database_pool_size, pool_timeout=settings.database_pool_timeout
    )


def add_or_refusal(session: Session, row: Any) -> IntegrityError | None:
    """Add and flush `row` in a savepoint. When a unique index refuses it (a concurrent
    writer's row won), the row leaves the session again and the refusal is returned; the
    caller's transaction goes on, so it can answer with the row that won."""
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        session.expunge(row)
        return exc
    return None


def engine_of(session: Session) -> Engine:
    """The engine a session reads from (for reads that open their own snapshot)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
