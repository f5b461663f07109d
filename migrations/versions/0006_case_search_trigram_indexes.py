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

from alembic import op

from migrations.case_trigrams import available, create_text_indexes, drop_text_indexes

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not available("pg_trgm"):
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    create_text_indexes()


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    drop_text_indexes()
    # pg_trgm stays: other objects may have come to depend on it.
