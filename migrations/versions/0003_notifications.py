"""Deadlines, the reminder outbox and acknowledgements (SPEC §5, issue 4).

`ix_reminders_due` is a partial index over pending rows only: the sweep's claim query reads
`status = 'pending' AND next_attempt_at <= now`, and sent rows (the vast majority over time)
never bloat it. Both PostgreSQL and SQLite support partial indexes.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import (
    BIG_ID,
    TIME,
    create_indexes,
    create_keyed_table,
    create_pending_index,
    references,
)

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    create_keyed_table(
        "deadlines",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("responsible_organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("escalates", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("closed_reason", sa.String(length=2000), nullable=True),
        references("case_id", "cases"),
        references("responsible_organisation_id", "organisations"),
    )
    create_indexes("deadlines", "case_id", "responsible_organisation_id")
    op.create_index("ix_deadlines_status_due_at", "deadlines", ["status", "due_at"])

    create_keyed_table(
        "reminders",
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("rung", sa.String(length=10), nullable=False),
        sa.Column("rung_order", sa.Integer(), nullable=False),
        sa.Column("recipient_organisation_id", sa.Integer(), nullable=False),
        sa.Column("recipient_role", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("send_at", TIME, nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        references("case_id", "cases"),
        references("deadline_id", "deadlines"),
        references("recipient_organisation_id", "organisations"),
        sa.UniqueConstraint("dedup_key"),
        key_type=BIG_ID,
    )
    create_indexes("reminders", "case_id")
    op.create_index(
        "ix_reminders_deadline_recipient", "reminders", ["deadline_id", "recipient_organisation_id"]
    )
    create_pending_index("ix_reminders_due", "reminders", ["next_attempt_at"], unique=False)

    create_keyed_table(
        "deadline_acknowledgements",
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", TIME, nullable=False),
        references("deadline_id", "deadlines"),
        references("organisation_id", "organisations"),
        sa.UniqueConstraint("deadline_id", "revision", "organisation_id"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    for table in ("deadline_acknowledgements", "reminders", "deadlines"):
        op.drop_table(table)
