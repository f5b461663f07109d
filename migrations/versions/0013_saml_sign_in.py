"""SAML sign-in (issue 16): outstanding AuthnRequests, used assertion ids, IdP sessions.

Self-contained: three new tables and nothing else, so it applies after whichever identity
migration lands before it.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_indexes, create_keyed_table

revision: str = "0013"
down_revision: str | None = "0012"


def upgrade() -> None:
    create_keyed_table(
        "saml_requests",
        sa.Column("request_id", sa.String(100), nullable=False, unique=True),
        sa.Column("next_path", sa.String(2000), nullable=False),
        sa.Column("replaces_session_id", sa.Integer(), nullable=True),
        sa.Column("browser_hash", sa.String(64), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
    )
    create_indexes("saml_requests", "expires_at")
    create_keyed_table(
        "saml_assertions_seen",
        sa.Column("issuer", sa.String(1000), nullable=False),
        sa.Column("assertion_id", sa.String(200), nullable=False, unique=True),
        sa.Column("expires_at", TIME, nullable=False),
    )
    create_indexes("saml_assertions_seen", "expires_at")
    op.create_table(
        "saml_sessions",
        sa.Column(
            "web_session_id",
            sa.Integer(),
            sa.ForeignKey("web_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name_id", sa.String(1000), nullable=False),
        sa.Column("name_id_format", sa.String(200), nullable=True),
        sa.Column("name_qualifier", sa.String(1000), nullable=True),
        sa.Column("sp_name_qualifier", sa.String(1000), nullable=True),
        sa.Column("session_index", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    for table in ("saml_sessions", "saml_assertions_seen", "saml_requests"):
        op.drop_table(table)
