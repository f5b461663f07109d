"""Stored search texts for `GET /cases?q=` (issue 6), replacing 0006's four text indexes.

`q` used to match four expressions (title and need description, each lower-cased by the
database and as written), which PostgreSQL combined from four trigram indexes before checking
every candidate row against all four. Each case now keeps two search texts, case-folded by the
application (`workflow.cases.search`): `search_full` (title and need description) and `search_call`
(title and call text, what a company searches). This revision adds them, fills them for the
existing cases, and on PostgreSQL indexes each with one trigram GIN index that also holds
`state` (through `btree_gin`), so a search within a phase is one index scan. 0006's
indexes go: nothing queries their expressions any more, and every change of a title or a need
paid for them.

Where `pg_trgm` (or `btree_gin`) is not available the indexes (or their `state`) are left out
and search still works, only slower. SQLite has no trigram indexes; it scans the short folded
texts instead of lower-casing the sections in Python for each row.
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from migrations.backfill import id_batches
from migrations.case_trigrams import available, create_text_indexes, drop_text_indexes
from migrations.columns import JSON
from workflow.cases.search import search_texts

revision: str = "0007"
down_revision: str | None = "0006"

NEW_INDEXES = {"ix_cases_search_full": "search_full", "ix_cases_search_call": "search_call"}
COLUMNS = ("search_full", "search_call")
BATCH = 2_000

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("need", JSON),
    sa.column("call", JSON),
    sa.column("search_full", sa.Text()),
    sa.column("search_call", sa.Text()),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _batches() -> Iterator[list[dict[str, Any]]]:
    """Every case's new search texts, a batch of rows at a time, in id order."""
    for rows in id_batches(
        _cases,
        _cases.c.title,
        _cases.c.need["description"].as_string(),
        _cases.c.call["text"].as_string(),
        size=BATCH,
    ):
        batch = []
        for case_id, title, description, text in rows:
            full, call = search_texts(title, {"description": description}, {"text": text})
            batch.append({"case_id": case_id, "full_text": full, "call_text": call})
        yield batch


def upgrade() -> None:
    postgres = _postgresql()
    if postgres:
        drop_text_indexes()
    for name in COLUMNS:
        op.add_column("cases", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    fill = (
        sa.update(_cases)
        .where(_cases.c.id == sa.bindparam("case_id"))
        .values(search_full=sa.bindparam("full_text"), search_call=sa.bindparam("call_text"))
    )
    for batch in _batches():
        op.get_bind().execute(fill, batch)
    if not postgres:
        return  # SQLite would rebuild the table to drop the default, and has no trigrams.
    # Every writer sets the texts (the ORM in `workflow.models.case`, the benchmark's COPY):
    # a row without them fails instead of silently never being found.
    for name in COLUMNS:
        op.alter_column("cases", name, server_default=None)
    if not available("pg_trgm"):
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with_state = available("btree_gin")
    if with_state:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, column in NEW_INDEXES.items():
        columns = f"state, {column} gin_trgm_ops" if with_state else f"{column} gin_trgm_ops"
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases USING gin ({columns})")


def downgrade() -> None:
    if _postgresql():
        for name in NEW_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        if available("pg_trgm"):
            create_text_indexes()
    for name in COLUMNS:
        op.drop_column("cases", name)  # SQLite drops a column in place since 3.35
    # pg_trgm and btree_gin stay: other objects may have come to depend on them.
