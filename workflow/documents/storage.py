"""Content-addressed storage of documents' bytes, keyed by SHA-256.

Two stores behind one small interface: a directory on disk (the default on SQLite), and a table
of 1 MB chunks in PostgreSQL (`document_chunks`), so that several API hosts share documents with
no extra component. Both stream: a file is put from a file on disk and read back piece by piece,
never held in memory whole. The same bytes are kept once, however many documents hold them.

The database store writes its chunks in the caller's transaction, so a refused or failed upload
leaves nothing behind. The directory store moves a complete file into place atomically; when the
transaction that references it then fails, the file is unreferenced but whole (never half
written) and the next upload of the same bytes reuses it.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from platformdirs import user_data_path
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from workflow.core.settings import Settings
from workflow.models import DocumentChunk

CHUNK_BYTES = 1024 * 1024
"""The size of a stored chunk and of a read."""
READ_BYTES = 64 * 1024
"""How much a download sends at a time from a file."""


class DocumentStore(Protocol):
    """Where documents' bytes are kept."""

    def spool_dir(self) -> Path:
        """A directory for the temporary file of an upload in progress."""
        ...

    def put(self, session: Session, sha256: str, path: Path) -> None:
        """Keep the bytes of `path` (whose SHA-256 is `sha256`); nothing when already kept."""
        ...

    def read(self, sha256: str) -> Iterator[bytes]:
        """The bytes, piece by piece (it opens what it needs, so it may outlive a request's
        session while a response streams)."""
        ...


class DirectoryStore:
    """Files named by their SHA-256 under `root/ab/abcdef…`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def spool_dir(self) -> Path:
        """`root/.incoming`, on the same file system, so a finished upload is renamed into
        place rather than copied."""
        path = self.root / ".incoming"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path_of(self, sha256: str) -> Path:
        """Where the bytes of `sha256` are kept."""
        return self.root / sha256[:2] / sha256

    def put(self, session: Session, sha256: str, path: Path) -> None:
        """Link a copy into place under its hash; the upload's own temporary file stays the
        caller's to remove."""
        target = self.path_of(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{sha256}.{os.getpid()}.part")
        try:
            shutil.copyfile(path, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def read(self, sha256: str) -> Iterator[bytes]:
        """The file, `READ_BYTES` at a time."""
        with self.path_of(sha256).open("rb") as handle:
            while piece := handle.read(READ_BYTES):
                yield piece


class DatabaseStore:
    """Chunks of `CHUNK_BYTES` in the `document_chunks` table (PostgreSQL)."""

    def __init__(self, engine: Engine, spool: Path | None = None) -> None:
        self.engine = engine
        self.spool = spool

    def spool_dir(self) -> Path:
        """The system's temporary directory unless one is given."""
        if self.spool is None:
            import tempfile

            return Path(tempfile.gettempdir())
        self.spool.mkdir(parents=True, exist_ok=True)
        return self.spool

    def put(self, session: Session, sha256: str, path: Path) -> None:
        """Insert the chunks in the caller's transaction; a concurrent upload of the same
        bytes inserts the same rows, so a conflict is simply skipped."""
        kept = session.execute(
            select(col(DocumentChunk.n)).where(
                col(DocumentChunk.sha256) == sha256, col(DocumentChunk.n) == 0
            )
        ).first()
        if kept is not None:
            return
        with path.open("rb") as handle:
            n = 0
            while piece := handle.read(CHUNK_BYTES):
                row = {"sha256": sha256, "n": n, "data": piece}
                session.execute(pg_insert(DocumentChunk).values(row).on_conflict_do_nothing())
                n += 1

    def read(self, sha256: str) -> Iterator[bytes]:
        """Chunk after chunk, each fetched on its own, over one connection of its own."""
        with self.engine.connect() as connection:
            n = 0
            while True:
                piece = connection.execute(
                    select(col(DocumentChunk.data)).where(
                        col(DocumentChunk.sha256) == sha256, col(DocumentChunk.n) == n
                    )
                ).scalar_one_or_none()
                if piece is None:
                    break
                yield bytes(piece)
                n += 1


def default_documents_dir(database_url: str) -> Path:
    """`opi-documents` beside the SQLite file, or in the user's data directory."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().with_name("opi-documents")
    return user_data_path("opi-workflow") / "documents"


def store_for(settings: Settings, engine: Engine) -> DocumentStore:
    """The store the settings choose (`OPI_DOCUMENTS_STORE`, `OPI_DOCUMENTS_DIR`) for the
    database behind `engine`."""
    kind = settings.documents_store
    sqlite = engine.dialect.name == "sqlite"
    if kind == "auto":
        kind = "directory" if sqlite else "database"
    if kind == "database":
        if sqlite:
            raise ValueError("OPI_DOCUMENTS_STORE=database needs PostgreSQL")
        return DatabaseStore(engine, settings.documents_dir)
    url = engine.url.render_as_string(hide_password=True)
    return DirectoryStore(settings.documents_dir or default_documents_dir(url))
