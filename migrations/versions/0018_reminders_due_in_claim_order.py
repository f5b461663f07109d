"""The due-reminder index in the claim's order: `(next_attempt_at, id)` (issue 18).

The sweep claims `ORDER BY next_attempt_at, id LIMIT <batch>`. With `next_attempt_at` alone
in `ix_reminders_due`, PostgreSQL had to read and sort every due row sharing the first
timestamp to find the lowest ids, and reminders are sent at 09:00 of a business day, so a
day's reminders share one: on the benchmark's 10,000 due reminders each claim of 100 read
all that were left (880 ms for the first), and claiming took most of a sweep's time. With
`id` in the index the claim reads its batch in index order and stops (under 1 ms warm).
Still partial on pending rows, so sent rows never bloat it.
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"

_PENDING = sa.text("status = 'pending'")


def _due_index(columns: list[str]) -> None:
    with op.batch_alter_table("reminders") as batch_op:
        batch_op.drop_index("ix_reminders_due")
        batch_op.create_index(
            "ix_reminders_due",
            columns,
            unique=False,
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        )


def upgrade() -> None:
    _due_index(["next_attempt_at", "id"])


def downgrade() -> None:
    _due_index(["next_attempt_at"])
