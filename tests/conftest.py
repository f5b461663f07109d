"""Shared fixtures: one database fixture over SQLite and PostgreSQL, schema built by migrations.

Each test gets a database of its own: on SQLite a copy of a migrated template file, on
PostgreSQL a database cloned from a migrated template database (CREATE DATABASE ... TEMPLATE),
so tests never see each other's rows and the append-only audit table never needs clearing.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import DatabaseTarget
from workflow.core.db import make_engine
from workflow.core.migrate import upgrade

# The HTTP API fixtures (`api`, ...) live with their helpers; see tests/api_helpers.py.
pytest_plugins = ("tests.api_helpers",)

PG_ADMIN_DSN = os.environ.get("OPI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
PG_HOST_URL = os.environ.get("OPI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgresql")


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable (set CI to make this a failure): {exc}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test session."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head once per test session."""
    name = f"opi_tpl_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(f"{PG_HOST_URL}/{name}")
    # Alembic's engine is disposed, but make sure nothing lingers before cloning.
    yield name
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _new_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[DatabaseTarget]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield DatabaseTarget(backend, url, engine)
        engine.dispose()
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"opi_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    url = f"{PG_HOST_URL}/{name}"
    engine = make_engine(url)
    try:
        yield DatabaseTarget(backend, url, engine)
    finally:
        engine.dispose()
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseTarget]:
    """A fresh, migrated database: once on SQLite, once on PostgreSQL."""
    yield from _new_database(request.param, request, tmp_path)


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database with no schema at all (for migration tests): once on SQLite,
    once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"opi_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST_URL}/{name}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseTarget]:
    """A fresh, migrated PostgreSQL database (for tests only PostgreSQL can run)."""
    yield from _new_database("postgresql", request, tmp_path)


@pytest.fixture
def session(db: DatabaseTarget) -> Iterator[Session]:
    """A session on the parametrised test database (objects stay usable after commit)."""
    with Session(db.engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def engine(db: DatabaseTarget) -> Engine:
    """The engine of the parametrised test database."""
    return db.engine
