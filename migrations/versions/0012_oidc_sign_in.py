"""OpenID Connect sign-in (issue 16): just-in-time users per organisation, pending sign-ins.

`organisations.sso_creates_users` says whether a person's first single sign-on creates their
user from the provider's claims; it is off for every existing organisation, so nobody gets in
who was not invited until an administrator turns it on. `oidc_pending` holds each sign-in sent
to the provider until it comes back, so a `state` is used once.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_keyed_table

revision: str = "0012"
down_revision: str | None = "0011"


def upgrade() -> None:
    # Added in place (no table copy on SQLite, which other tables' foreign keys would refuse).
    op.add_column(
        "organisations",
        sa.Column("sso_creates_users", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    create_keyed_table(
        "oidc_pending",
        sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(200), nullable=False),
        sa.Column("next_path", sa.String(2000), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("used_at", TIME, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("oidc_pending")
    op.drop_column("organisations", "sso_creates_users")
