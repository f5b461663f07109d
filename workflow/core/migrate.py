"""Running the Alembic migrations from code (the CLI, the service start and the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (creating a SQLite file if needed)."""
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_at_head(engine: Engine) -> bool:
    """Whether the database's schema is the code's newest."""
    return current_revision(engine) == head_revision(engine.url.render_as_string(False))


def schema_problem(url: str) -> str | None:
    """Why the service must not start on the database at `url`, in one line; None when its
    schema is the code's newest.

    A service on a database that is behind (or ahead, or unreachable) would answer
    `/healthz` and then fail every request, so `opi serve` and `opi worker` refuse to start.
    """
    engine = create_engine(url, poolclass=NullPool)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
        return f"cannot read the database's schema revision: {reason[0] if reason else exc}"
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    if current == head:
        return None
    if current is None:
        return f"the database has no schema, this version needs {head}: run `opi db upgrade`"
    try:
        script.get_revision(current)
    except CommandError:
        return (
            f"database at revision {current}, which this version does not know (it needs "
            f"{head}): run the newer version, or restore a backup taken for this one"
        )
    return f"database at revision {current}, this version needs {head}: run `opi db upgrade`"


def is_empty(url: str) -> bool:
    """Whether the database at `url` holds no tables at all (a new SQLite file, say)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def prepare_for_service(url: str, environment: str) -> str | None:
    """Check the schema before a service starts; the one-line refusal, or None to go on.

    In development a new, empty SQLite file is migrated here, so `opi serve` works on a fresh
    checkout. A SQLite file that is behind is refused like PostgreSQL: a migration rewrites
    tables, and that should be a step someone takes on purpose (after `opi backup`).
    """
    if url.startswith("sqlite") and environment != "production" and is_empty(url):
        upgrade(url)
    return schema_problem(url)
