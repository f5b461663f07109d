"""Column types and table parts that many migrations write alike.

The revisions used to spell out each type, key and index by hand, the way autogenerate wrote
them, so the same few lines stood in nearly every table. These helpers write them once. The
DDL they produce is exactly what the hand-written lines produced, on PostgreSQL and SQLite
alike, so a database migrated before and one migrated after cannot tell the difference.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

TIME = sa.DateTime(timezone=True)
"""A timestamp with its time zone (`UTCDateTime` in the models)."""
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
"""A JSON document, stored as JSONB on PostgreSQL."""
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""The key of a table that outgrows 32 bits (SQLite's INTEGER key is 64 bits already)."""
PENDING = sa.text("status = 'pending'")
"""The rows a partial index over pending rows holds."""


def create_keyed_table(name: str, *columns: Any, key_type: Any = None) -> None:
    """Create table `name` keyed by `id` (an integer unless `key_type` says otherwise), then
    `columns` and constraints, the way most of the schema's tables are keyed."""
    key = sa.Column("id", sa.Integer() if key_type is None else key_type, primary_key=True)
    op.create_table(name, key, *columns)


def references(column: str, table: str) -> sa.ForeignKeyConstraint:
    """`column` refers to the `id` of `table`."""
    return sa.ForeignKeyConstraint([column], [f"{table}.id"])


def create_indexes(table: str, *columns: str) -> None:
    """An index `ix_<table>_<column>` on each of `columns` alone (a model's `index=True`)."""
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def create_pending_index(name: str, table: str, columns: list[str], *, unique: bool) -> None:
    """An index `name` on `columns` of `table` that holds the pending rows only: the rows a
    sweep claims, or (`unique`) at most one pending row per value of `columns`, however many
    decided ones."""
    op.create_index(
        name, table, columns, unique=unique, sqlite_where=PENDING, postgresql_where=PENDING
    )
