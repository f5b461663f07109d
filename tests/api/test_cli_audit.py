"""`opi audit verify` and `opi audit checkpoint`, run as the real command in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from tests.audit_support import KEY, attacker, overwrite, tell_story
from tests.factories import DatabaseTarget
from workflow.models import AuditCheckpoint

ROOT = Path(__file__).resolve().parents[2]


def opi(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `opi <args>` against `db_url` with the test audit key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPI_")}
    env |= {"OPI_DATABASE_URL": db_url, "OPI_AUDIT_KEY": KEY, "OPI_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_verify_exits_zero_on_a_sound_log_and_non_zero_on_a_broken_one(
    db: DatabaseTarget,
) -> None:
    story = tell_story(db)
    sound = opi(db.url, "audit", "verify")
    assert sound.returncode == 0, sound.stderr
    assert "audit log OK" in sound.stdout
    with attacker(db) as conn:
        overwrite(conn, story.chain, 3, data='{"title":"Forfalsket"}')
    broken = opi(db.url, "audit", "verify")
    assert broken.returncode == 1
    assert f"first broken: {story.chain} seq 3: hash-mismatch" in broken.stdout
    as_json = opi(db.url, "audit", "verify", "--json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert report["first_broken"]["case_id"] == story.case_id
    assert report["first_broken"]["seq"] == 3
    other = opi(db.url, "audit", "verify", "--case", str(story.other_id))
    assert other.returncode == 0, other.stdout


def test_checkpoint_writes_a_signed_checkpoint_on_demand(db: DatabaseTarget) -> None:
    story = tell_story(db)
    first = opi(db.url, "audit", "checkpoint")
    assert first.returncode == 0, first.stderr
    assert "checkpoint written" in first.stdout
    again = opi(db.url, "audit", "checkpoint", "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["created"] is False
    with Session(db.engine) as session:
        rows = session.exec(select(AuditCheckpoint)).all()
    assert [r.actor_name for r in rows] == ["system:audit-checkpoint"]
    verified = opi(db.url, "audit", "verify")
    assert f"compared with checkpoint {rows[0].id}" in verified.stdout
    with attacker(db) as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_events WHERE chain = '{story.chain}' AND seq = 2")
    refused = opi(db.url, "audit", "checkpoint")
    assert refused.returncode == 1
    assert "no checkpoint written" in refused.stderr


def test_an_unreachable_database_is_an_error(tmp_path: Path) -> None:
    result = opi(f"sqlite:///{tmp_path}/missing/dir/opi.db", "audit", "verify")
    assert result.returncode == 2
    assert "cannot verify" in result.stderr
