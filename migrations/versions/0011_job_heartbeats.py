"""Job heartbeats (issue 15, finding 14): when the audit verification last ran, and ran well."""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.create_table(
        "job_heartbeats",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("last_run_at", TIME, nullable=False),
        sa.Column("last_ok_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("job_heartbeats")
