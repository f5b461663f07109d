"""The need's Danish `tsvector` kept in a stored generated column (issue 17's catalogue target).

0010 indexed the expression `to_tsvector('danish', search_full)`. The catalogue's prefix
queries (`'dem':*`) make every match a recheck and `ts_rank` takes the vector of every match,
so PostgreSQL recomputed the Danish stems of thousands of texts for each search. A stored
generated column computes them once, when the row is written, by the database itself: no
writer (the ORM, the benchmark's COPY) can forget or disagree with it, and the application
never writes it. The title is weighted A and the need's description B, so `ts_rank` puts a
need whose title holds the words before one that only mentions them: the part of relevance
that trigram similarity to the whole text stood for, without its cost (`workflow.needs.catalogue`).

Two partial GIN indexes on the column replace 0010's expression index: one on the shared
needs (the catalogue, as before), one on the cases in the knowledge library's states
(`workflow.knowledge`), which had no index before. Partial, so neither holds the many cases
its search never returns (a search would visit each of them in the table only to drop it),
and writing an unshared case in an early phase touches neither.

PostgreSQL only: SQLite searches its FTS5 table (`need_fts`, 0010) and is unchanged.
"""

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"

PART = "\u24c8"
"""`workflow.cases.search.SEPARATOR` (Ⓢ), which ends the title in `search_full`. 0010 replaced
its case-folded form (ⓢ), which never occurs there, so its vector glued the title's last word
and the description's first into one lexeme that no search found."""
VECTOR = (
    f"setweight(to_tsvector('danish'::regconfig, split_part(search_full, '{PART}', 1)), 'A') "
    f"|| setweight(to_tsvector('danish'::regconfig, "
    f"substr(search_full, strpos(search_full, '{PART}') + 1)), 'B')"
)
"""The title (before the first separator) weighted A, the description (after it) B."""
INDEXES = {
    "ix_cases_need_vector_shared": "shared_at IS NOT NULL",
    "ix_cases_need_vector_library": "state IN ('scale', 'completed', 'cancelled')",
}
"""Each partial index by the predicate its search implies: the catalogue's `shared_at IS NOT
NULL` (`workflow.needs.catalogue`), the library's states (`workflow.knowledge.library`)."""
OLD_VECTOR = "to_tsvector('danish'::regconfig, replace(search_full, '\u24e2', ' '))"
"""0010's indexed expression, exactly (with its separator)."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE cases ADD COLUMN need_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_cases_need_danish")
    for name, where in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON cases USING gin (need_vector) WHERE {where}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("ALTER TABLE cases DROP COLUMN need_vector")
    op.execute(
        f"CREATE INDEX ix_cases_need_danish ON cases USING gin (({OLD_VECTOR})) "
        "WHERE shared_at IS NOT NULL"
    )
