"""The need catalogue (issue 17): shared needs, their Danish full-text search, join requests.

`join_requests` holds a municipality's requests to co-own another's shared need, at most one
pending per municipality and case (a partial unique index).

`cases.shared_at` says since when the lead municipality shares the need with every other
municipality (NULL: not shared). Search differs by database, with the same meaning:

- PostgreSQL stems with its built-in `danish` text-search configuration: one GIN index on the
  `danish` tsvector of the case's internal search text (`search_full`, title and need, with
  its part separator turned into a space), partial on the shared cases, the only ones the
  catalogue searches. Ranking adds `pg_trgm` similarity, whose index 0007 made.
- SQLite has FTS5 but no Danish tokenizer: `cases.need_terms` holds the need's text already
  stemmed in Python (`workflow.needs.terms`; kept on both databases, so a copy moved between
  them stays searchable), and an external-content FTS5 table `need_fts` indexes it, kept in
  step by three triggers.
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from migrations.backfill import id_batches
from migrations.columns import JSON, TIME, create_indexes, create_keyed_table, create_pending_index
from workflow.needs.terms import need_terms

revision: str = "0010"
down_revision: str | None = "0009"

BATCH = 2_000
TSVECTOR = "to_tsvector('danish'::regconfig, replace(search_full, '\u24e2', ' '))"
"""The indexed expression; `workflow.needs.catalogue` queries exactly this one."""

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("need", JSON),
    sa.column("need_terms", sa.Text()),
)

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE need_fts USING fts5(need_terms, content='cases', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER cases_need_fts_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO need_fts(rowid, need_terms) VALUES (new.id, new.need_terms); END",
    "CREATE TRIGGER cases_need_fts_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO need_fts(need_fts, rowid, need_terms) VALUES ('delete', old.id, old.need_terms); "
    "END",
    "CREATE TRIGGER cases_need_fts_update AFTER UPDATE OF need_terms ON cases BEGIN "
    "INSERT INTO need_fts(need_fts, rowid, need_terms) VALUES ('delete', old.id, old.need_terms); "
    "INSERT INTO need_fts(rowid, need_terms) VALUES (new.id, new.need_terms); END",
]


def _batches() -> Iterator[list[dict[str, Any]]]:
    """Every case's stemmed need terms, a batch of rows at a time, in id order."""
    for rows in id_batches(
        _cases, _cases.c.title, _cases.c.need["description"].as_string(), size=BATCH
    ):
        yield [
            {"case_id": cid, "terms": need_terms(title, description)}
            for cid, title, description in rows
        ]


def _join_requests() -> None:
    create_keyed_table(
        "join_requests",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.String(2000), nullable=True),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("decided_at", TIME, nullable=True),
    )
    create_indexes("join_requests", "case_id")
    create_pending_index(
        "ux_join_requests_pending", "join_requests", ["case_id", "organisation_id"], unique=True
    )


def upgrade() -> None:
    _join_requests()
    op.add_column("cases", sa.Column("shared_at", TIME, nullable=True))
    op.add_column("cases", sa.Column("need_terms", sa.Text(), nullable=False, server_default=""))
    create_indexes("cases", "shared_at")
    fill = (
        sa.update(_cases)
        .where(_cases.c.id == sa.bindparam("case_id"))
        .values(need_terms=sa.bindparam("terms"))
    )
    for batch in _batches():
        op.get_bind().execute(fill, batch)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_cases_need_danish ON cases USING gin (({TSVECTOR})) "
            "WHERE shared_at IS NOT NULL"
        )
        return  # PostgreSQL stems with its own `danish` configuration.
    for statement in SQLITE_FTS:
        op.execute(statement)
    op.execute("INSERT INTO need_fts(need_fts) VALUES ('rebuild')")


def downgrade() -> None:
    op.drop_table("join_requests")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_need_danish")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS cases_need_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS need_fts")
    op.drop_index("ix_cases_shared_at", "cases")
    op.drop_column("cases", "need_terms")
    op.drop_column("cases", "shared_at")
