"""The `opi` command line, run as a real subprocess."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tests.chain import assert_chain_intact
from tests.factories import DatabaseTarget
from tests.loopback import free_port, running
from workflow.access.tokens import actor_for_token
from workflow.audit.writer import case_chain
from workflow.models import Case

OPI = [sys.executable, "-m", "api.cli"]


def run_opi(*args: str, url: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPI_DATABASE_URL": url}
    return subprocess.run(
        [*OPI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_demo_loads_once_and_prints_a_token_per_role(db: DatabaseTarget) -> None:
    first = run_opi("demo", url=db.url)
    assert first.returncode == 0, first.stderr
    assert "demo data loaded" in first.stdout
    for role in ("admin", "manager", "staff", "partner", "auditor"):
        assert f"demo-{role}" in first.stdout
    again = run_opi("demo", url=db.url)
    assert again.returncode == 0 and "already present" in again.stdout
    with Session(db.engine) as session:
        states = dict(
            session.execute(select(Case.state, func.count()).group_by(col(Case.state))).all()
        )
        assert states == {"need": 1, "match": 1, "pilot": 1, "scale": 1}
        for case_id in session.execute(select(col(Case.id))).scalars():
            assert_chain_intact(session, case_chain(case_id))
        manager = actor_for_token(session, "demo-manager", None)
        assert manager is not None and manager.role == "manager"


def test_token_create_prints_a_working_token(db: DatabaseTarget) -> None:
    done = run_opi("token", "create", "--name", "Revisor", "--role", "auditor", url=db.url)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    with Session(db.engine) as session:
        actor = actor_for_token(session, token, None)
    assert actor is not None and (actor.name, actor.role) == ("Revisor", "auditor")
    refused = run_opi("token", "create", "--name", "X", "--role", "manager", url=db.url)
    assert refused.returncode == 2 and "organisation" in refused.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`opi serve` on a brand-new SQLite file, as `make run` starts it."""
    port = free_port()
    env = {**os.environ, "OPI_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    command = [*OPI, "serve", "--port", str(port), "--log-level", "warning"]
    with running(command, env, log_path, f"{base}/api/v1/healthz"):
        notice = log_path.read_text()
        assert "running in development (OPI_ENVIRONMENT)" in notice, notice
        assert "fresh.db.key" in notice or "opi-secret.key" in notice, notice
        yield base


def test_serve_creates_and_migrates_sqlite_on_first_start(served: str) -> None:
    ready = httpx.get(f"{served}/api/v1/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["migrations"] == "head"
    schema = httpx.get(f"{served}/openapi.json", timeout=5)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "opi-workflow"
    docs = httpx.get(f"{served}/docs", timeout=5)
    assert docs.status_code == 200


def test_token_revoke_ends_a_token_and_expiry_is_optional(db: DatabaseTarget) -> None:
    """Issue 15 finding 11: `opi token revoke` instead of SQL."""
    made = run_opi(
        "token",
        "create",
        "--name",
        "Revisor",
        "--role",
        "auditor",
        "--expires-days",
        "30",
        url=db.url,
    )
    assert made.returncode == 0, made.stderr
    with Session(db.engine) as session:
        actor = actor_for_token(session, made.stdout.strip(), None)
    assert actor is not None and actor.token_id is not None
    done = run_opi("token", "revoke", str(actor.token_id), url=db.url)
    assert done.returncode == 0 and "revoked" in done.stdout
    with Session(db.engine) as session:
        assert actor_for_token(session, made.stdout.strip(), None) is None
    missing = run_opi("token", "revoke", "999999", url=db.url)
    assert missing.returncode == 2 and "not found" in missing.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"OPI_ADMIN_TOKEN": "x"}, "OPI_ADMIN_TOKEN must be at least 32 characters"),
        ({"OPI_ADMIN_TOKEN": "x" * 32, "OPI_SECRET_KEY": ""}, "OPI_SECRET_KEY must be set"),
    ],
)
def test_serve_refuses_an_unsafe_production_configuration_in_one_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    production = {
        "OPI_ENVIRONMENT": "production",
        "OPI_SECRET_KEY": "s" * 40,
        "OPI_AUDIT_KEY": "k" * 40,
        "OPI_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    refused = subprocess.run(
        [*OPI, "serve", "--port", str(free_port())],
        env={**os.environ, **production, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and message in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
