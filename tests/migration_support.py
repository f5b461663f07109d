"""Set-up of the migration tests: an empty database migrated to a given revision with an
engine on it, and rows written in raw SQL, as a schema of that revision holds them."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from workflow.core.db import make_engine
from workflow.core.migrate import upgrade

INSERT_FURESOE = text(
    "INSERT INTO organisations (name, kind, email, language, created_at) "
    "VALUES ('Furesø Kommune', 'municipality', 'opi@furesoe.dk', 'da', :at)"
)


@contextmanager
def migrated(url: str, revision: str = "head") -> Iterator[Engine]:
    """The database at `url` migrated to `revision`, and an engine on it for the block."""
    upgrade(url, revision)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def insert_furesoe(conn: Connection, at: str | datetime = "2026-11-01 10:00:00") -> None:
    """Furesø Kommune as a row of `organisations` (id 1 in an empty database)."""
    conn.execute(INSERT_FURESOE, {"at": at})
