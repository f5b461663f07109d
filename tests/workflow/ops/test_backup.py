"""Backup and restore while writes run (issue 15, finding 16).

SQLite through `opi backup PATH` (SQLite's online backup API), PostgreSQL through `pg_dump`
and `pg_restore` as README "Operations" describes. Each restored copy holds every write
acknowledged before the backup began, and its audit log verifies.
"""

import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from notifications.scheduler import run_audit_checkpoint
from tests.conftest import PG_ADMIN_DSN, PG_HOST_URL
from tests.factories import DatabaseTarget
from tests.reminder_support import Scene, make_scene, make_settings
from workflow.audit.verify import verify_log
from workflow.cases.service import create_case
from workflow.core.db import make_engine
from workflow.core.unit_of_work import work_scope
from workflow.models import Case
from workflow.ops.backup import BackupRefused, backup_sqlite

AUDIT_KEY = "backup-test-audit-key-0123456789abcdef"


class Writer:
    """Creates cases one after another in a thread; `acknowledged` holds each committed id."""

    def __init__(self, engine: Engine, scene: Scene) -> None:
        self.engine, self.scene = engine, scene
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.some = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                with work_scope(self.engine) as work:
                    case = create_case(
                        work,
                        self.scene.manager,
                        title=f"Sag {n} under backup",
                        need={},
                        lead_municipality_id=self.scene.lead.id or 0,
                    )
                assert case.id is not None
                self.acknowledged.append(case.id)  # after the commit returned
                if n >= 20:
                    self.some.set()
        except BaseException as exc:
            self.failure = exc
            self.some.set()

    @contextmanager
    def running(self) -> Iterator["Writer"]:
        """Writes run for the block (at least 20 acknowledged before it starts)."""
        self.thread.start()
        try:
            assert self.some.wait(120), "the writer never got going"
            yield self
        finally:
            self.stop.set()
            self.thread.join(120)
        assert self.failure is None, self.failure


def assert_restored_copy_holds(restored: Engine, before_backup: list[int]) -> None:
    """Every acknowledged write is there and the audit log verifies under its checkpoint."""
    with Session(restored) as session:
        ids = set(session.execute(select(col(Case.id))).scalars())
    missing = sorted(set(before_backup) - ids)
    assert missing == [], f"acknowledged before the backup, missing from it: {missing}"
    report = verify_log(restored, AUDIT_KEY)
    assert report.ok, report.as_dict()
    assert report.checkpoint is not None


def prepare(db: DatabaseTarget) -> Scene:
    with Session(db.engine, expire_on_commit=False) as session:
        scene = make_scene(session)
    assert run_audit_checkpoint(db.engine, make_settings(audit_key=AUDIT_KEY)) is True
    return scene


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_opi_backup_of_sqlite_while_writes_run(db: DatabaseTarget, tmp_path: Path) -> None:
    writer = Writer(db.engine, prepare(db))
    target = tmp_path / "backup.db"
    with writer.running():
        before_backup = list(writer.acknowledged)
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "backup", str(target)],
            env={**os.environ, "OPI_DATABASE_URL": db.url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert len(writer.acknowledged) > len(before_backup)

    restored_path = tmp_path / "restored.db"
    shutil.copy(target, restored_path)  # restoring is putting the file in place
    restored = make_engine(f"sqlite:///{restored_path}")
    try:
        assert_restored_copy_holds(restored, before_backup)
    finally:
        restored.dispose()


def test_opi_backup_never_overwrites_and_refuses_postgresql(tmp_path: Path) -> None:
    existing = tmp_path / "there.db"
    existing.write_text("keep me")
    source = tmp_path / "source.db"
    source.touch()
    with pytest.raises(BackupRefused, match="never overwrites"):
        backup_sqlite(f"sqlite:///{source}", existing)
    assert existing.read_text() == "keep me"
    with pytest.raises(BackupRefused, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://postgres@127.0.0.1/opi", tmp_path / "x.db")


def pg_tool(name: str) -> str:
    """The path of `pg_dump` or `pg_restore`; in CI their absence is a failure."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (it comes with the PostgreSQL server)")
        pytest.skip(f"{name} is not installed")
    return found


def test_pg_dump_and_pg_restore_while_writes_run(pg_db: DatabaseTarget, tmp_path: Path) -> None:
    dsn = pg_db.url.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "opi.dump"
    writer = Writer(pg_db.engine, prepare(pg_db))
    with writer.running():
        before_backup = list(writer.acknowledged)
        subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", f"--file={dump}", dsn],
            check=True,
            timeout=300,
            capture_output=True,
        )
    assert len(writer.acknowledged) > len(before_backup)

    name = f"opi_t_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    restored = make_engine(f"{PG_HOST_URL}/{name}")
    try:
        target = f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
        subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", dump],
            check=True,
            timeout=300,
            capture_output=True,
        )
        assert_restored_copy_holds(restored, before_backup)
    finally:
        restored.dispose()
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
