"""Alembic environment: runs the migrations on the URL given by `workflow.core.migrate`."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import workflow.models  # noqa: F401  (registers the tables on the metadata)
from workflow.core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the live database, reusing a connection handed in by the caller."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
