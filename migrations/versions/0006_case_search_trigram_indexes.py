"""Trigram indexes for text search in `GET /cases` on PostgreSQL.

`GET /cases?q=...` matches the title and the need's description, each both lower-cased and as
written (`workflow.cases.query`). Without an index, counting the matches reads and lower-cases
every case of the state asked for (about 100 ms over 100,000 cases); with a trigram GIN index
per expression PostgreSQL combines the four index scans (BitmapOr) and reads only the rows
that can match. The expressions are exactly those the query uses, or the planner ignores
them. Trigram indexes need the `pg_trgm` extension (a trusted extension shipped with
PostgreSQL); where it is not available the indexes are left out and search still works, only
slower. SQLite has no trigram indexes: nothing to do there.

The due-reminder claim (`ix_reminders_due`, partial on pending rows) and the audit chains
(`ix_audit_events_case_seq`) already have the indexes their queries need (0001, 0003).
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"

TEXT_INDEXES = {
    "ix_cases_title_lower_trgm": "lower((title)::text)",
    "ix_cases_title_trgm": "((title)::text)",
    "ix_cases_need_description_lower_trgm": "lower((need ->> 'description'))",
    "ix_cases_need_description_trgm": "((need ->> 'description'))",
}


def _trigrams_available() -> bool:
    bind = op.get_bind()
    return (
        bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).first()
        is not None
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _trigrams_available():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TEXT_INDEXES.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases USING gin ({expression} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TEXT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    # pg_trgm stays: other objects may have come to depend on it.
