"""A server refuses the wrong database (issue 15, finding 13).

`opi serve` and `opi worker` on a database that is not migrated, or behind, used to start,
answer `/healthz` and then fail every request. Now they refuse with one line, and `/readyz`
answers 503 while the schema is behind.
"""

import subprocess
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tests.api_helpers import ApiClient
from tests.factories import DatabaseTarget
from tests.served import OPI, opi_serve, served_env
from workflow.core.migrate import alembic_config, head_revision, upgrade


def previous_revision(url: str) -> str:
    """The revision just before this version's newest."""
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_revision(script.get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OPI, *args],
        env=served_env(url, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "command_args", [("serve",), ("worker", "--once")], ids=["serve", "worker"]
)
def test_a_database_behind_is_refused_with_one_line(
    empty_db: str, command_args: tuple[str, ...]
) -> None:
    behind = previous_revision(empty_db)
    upgrade(empty_db, behind)
    done = run(*command_args, url=empty_db)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    head = head_revision(empty_db)
    assert lines == [
        f"opi {command_args[0]}: database at revision {behind}, this version needs {head}: "
        "run `opi db upgrade`"
    ]


@pytest.mark.parametrize("empty_db", ["postgresql"], indirect=True)
def test_an_unmigrated_postgresql_database_is_refused(empty_db: str) -> None:
    done = run("worker", "--once", url=empty_db)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"opi worker: the database has no schema, this version needs {head_revision(empty_db)}: "
        "run `opi db upgrade`"
    ]


def test_an_empty_sqlite_file_is_migrated_in_development_only(tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    refused = run(
        "worker",
        "--once",
        url=fresh,
        OPI_ENVIRONMENT="production",
        OPI_SECRET_KEY="k" * 40,
        OPI_AUDIT_KEY="a" * 40,
    )
    assert refused.returncode == 2
    assert "the database has no schema" in refused.stderr
    with opi_serve(served_env(fresh, OPI_ENVIRONMENT="development"), tmp_path / "s.log") as base:
        assert httpx.get(f"{base}/readyz", timeout=10).json()["migrations"] == "head"


def test_a_database_ahead_of_the_code_is_refused(empty_db: str) -> None:
    upgrade(empty_db)
    engine = create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    done = run("serve", url=empty_db)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"opi serve: database at revision 9999, which this version does not know (it needs "
        f"{head_revision(empty_db)}): run the newer version, or restore a backup taken for "
        "this one"
    ]


def test_readyz_answers_503_while_the_schema_is_behind(api: ApiClient, db: DatabaseTarget) -> None:
    assert api.client.get("/readyz").status_code == 200
    db.engine.dispose()  # let Alembic take the tables it changes
    command.downgrade(alembic_config(db.url), "-1")
    behind = api.client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["migrations"] == "behind"
    upgrade(db.url)
    assert api.client.get("/readyz").status_code == 200
