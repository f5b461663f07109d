"""0006's trigram indexes on the cases' text expressions, which 0007 replaced.

0006 creates them, 0007 drops them, and 0007's downgrade creates them again: one list of
names and expressions, so the two revisions cannot disagree about what the other left.
PostgreSQL only; the indexes need the `pg_trgm` extension.
"""

import sqlalchemy as sa
from alembic import op

TEXT_INDEXES = {
    "ix_cases_title_lower_trgm": "lower((title)::text)",
    "ix_cases_title_trgm": "((title)::text)",
    "ix_cases_need_description_lower_trgm": "lower((need ->> 'description'))",
    "ix_cases_need_description_trgm": "((need ->> 'description'))",
}
"""Each index by the expression it holds, exactly the one the query of the time used."""


def available(extension: str) -> bool:
    """Whether the PostgreSQL server can install `extension` (it may not ship it)."""
    found = op.get_bind().execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": extension}
    )
    return found.first() is not None


def create_text_indexes() -> None:
    """The four trigram indexes (`pg_trgm` must be installed)."""
    for name, expression in TEXT_INDEXES.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases USING gin ({expression} gin_trgm_ops)"
        )


def drop_text_indexes() -> None:
    """The four trigram indexes gone, where they were."""
    for name in TEXT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
