"""One runner at a time for a job that every process schedules (`opi serve --workers N`).

The reminder sweep needs no such lock: it claims rows (SKIP LOCKED, leases), so any number of
sweeps share the work. The audit checkpoint does: two processes verifying at once would both
find the chains changed and both sign the same heads. The job skips its turn when another
process holds the lock; the next interval tries again.
"""

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Hold the lock `name` for the block if no other process does; yields whether it got it.

    PostgreSQL: a session advisory lock (held by one pooled connection for the block, so it
    works across hosts too). SQLite: `flock` on a file beside the database, which the kernel
    releases when a process dies.
    """
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(f"opi:{name}".encode())
        with engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # one process owns an in-memory database
        return
    with Path(f"{database}.{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
