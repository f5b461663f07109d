"""`opi backup PATH`: a consistent copy of a SQLite database while the service runs.

SQLite's online backup API copies page by page and restarts when a writer changes a page
it already copied, so the copy is one consistent snapshot: every transaction committed before
the backup finished is in it, or none of a transaction is. (A file copy of a database in WAL
mode could miss the WAL or tear a page.) PostgreSQL is backed up with `pg_dump`/`pg_restore`
(README "Operations").
"""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupRefused(Exception):
    """The backup cannot be taken; the message says why in one line."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the SQLite database at `database_url` to `target`; the number of pages copied.

    Refuses an existing `target` (a backup never overwrites) and a PostgreSQL URL.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            "opi backup copies SQLite databases; back up PostgreSQL with pg_dump "
            "(README, Operations)"
        )
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupRefused(f"no SQLite database at {source_path!r}")
    if target.exists():
        raise BackupRefused(f"{target} exists; a backup never overwrites a file")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            # Large steps: a step holds the read lock only briefly, and writers go on meanwhile.
            source.backup(copy, pages=1024)
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    partial.rename(target)  # the backup appears only when complete
    return pages
