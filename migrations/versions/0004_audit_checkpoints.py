"""Signed audit checkpoints (issue 5), append-only like the log itself."""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_keyed_table, references
from migrations.triggers import make_append_only

revision: str = "0004"
down_revision: str | None = "0003"

_TABLES = ("audit_checkpoints", "audit_checkpoint_heads")


def upgrade() -> None:
    create_keyed_table(
        "audit_checkpoints",
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "audit_checkpoint_heads",
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        references("checkpoint_id", "audit_checkpoints"),
        sa.PrimaryKeyConstraint("checkpoint_id", "chain"),
    )
    for table in _TABLES:
        make_append_only(table)


def downgrade() -> None:
    # Dropping a table drops its triggers on both databases.
    op.drop_table("audit_checkpoint_heads")
    op.drop_table("audit_checkpoints")
