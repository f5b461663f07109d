"""People and sessions (issue 16; issue 15 findings 10 and 11).

Adds users and the pages' sessions stored in the database; tokens get an owner, an optional
expiry and their last use; audit events record the token's id, the person and how they signed
in. Every existing token becomes the personal token of a new user of the same name, role and
organisation (a revoked token's user is disabled), so existing tokens keep working and what
they do from now on names a person.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_indexes, create_keyed_table

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    create_keyed_table(
        "users",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True, unique=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id")),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("disabled_at", TIME, nullable=True),
        sa.Column("last_sign_in_at", TIME, nullable=True),
    )
    create_indexes("users", "organisation_id")
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expires_at", TIME, nullable=True))
        batch.add_column(sa.Column("last_used_at", TIME, nullable=True))
        batch.create_foreign_key("fk_api_tokens_user_id", "users", ["user_id"], ["id"])
        batch.create_index("ix_api_tokens_user_id", ["user_id"])
    create_keyed_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf", sa.String(100), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_tokens.id"), nullable=True),
        sa.Column("admin_hash", sa.String(64), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("last_seen_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=True),
    )
    create_indexes("web_sessions", "user_id")
    # Nullable columns added in place: the append-only triggers stay as they are.
    op.add_column("audit_events", sa.Column("actor_token_id", sa.Integer(), nullable=True))
    op.add_column("audit_events", sa.Column("actor_user_id", sa.Integer(), nullable=True))
    op.add_column("audit_events", sa.Column("actor_via", sa.String(10), nullable=True))
    _give_tokens_users()


def _give_tokens_users() -> None:
    """One user per existing token: the token's name, role and organisation, copied in SQL."""
    conn = op.get_bind()
    for (token_id,) in conn.execute(sa.text("SELECT id FROM api_tokens ORDER BY id")).all():
        user_id = conn.execute(
            sa.text(
                "INSERT INTO users (name, organisation_id, role, status, created_at, disabled_at) "
                "SELECT name, organisation_id, role, "
                "CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'disabled' END, "
                "created_at, revoked_at FROM api_tokens WHERE id = :id RETURNING id"
            ),
            {"id": token_id},
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE api_tokens SET user_id = :user_id WHERE id = :id"),
            {"user_id": user_id, "id": token_id},
        )


def downgrade() -> None:
    for column in ("actor_via", "actor_user_id", "actor_token_id"):
        op.drop_column("audit_events", column)
    op.drop_table("web_sessions")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_user_id")
        batch.drop_constraint("fk_api_tokens_user_id", type_="foreignkey")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("user_id")
    op.drop_table("users")
