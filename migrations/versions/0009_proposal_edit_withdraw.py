"""Proposals can be edited and withdrawn before the submission deadline (issue 14).

A withdrawn proposal stays stored (with its audit trail) but no longer counts for the match
guards; `updated_at` says when its company last changed it. Both are nullable: every existing
proposal is as submitted and not withdrawn.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME

revision: str = "0009"
down_revision: str | None = "0008"


def upgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("updated_at", TIME, nullable=True))
        batch.add_column(sa.Column("withdrawn_at", TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("updated_at")
