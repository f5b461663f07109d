"""Closing a deadline cancels its unsent reminders in the database (issue 18).

A row trigger on `deadlines`: when a deadline leaves `open` (met or cancelled), its `pending`
reminder rows become `cancelled` (their lease cleared, `updated_at` the deadline's), in the
same statement that closes it. A transition leaving a phase closes all the phase's open
deadlines with one `UPDATE ... RETURNING`, which also returns how many pending reminders
each had (what the audit event reports): one statement where there were two. The writers
that cancelled reminders themselves before closing a deadline still may (the trigger then
finds none left). Both databases run the same update; on PostgreSQL the rows are locked in
id order first, the order the reminder sweep locks them in.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SET = (
    "UPDATE reminders SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, "
    "updated_at = NEW.updated_at"
)
_PENDING = "SELECT id FROM reminders WHERE deadline_id = NEW.id AND status = 'pending'"
_WHEN = "OLD.status = 'open' AND NEW.status <> 'open'"
_PG_FUNCTION = f"""
CREATE FUNCTION opi_deadline_close_cancels_reminders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_SET} WHERE id IN ({_PENDING} ORDER BY id FOR UPDATE);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER deadlines_close_cancels_reminders AFTER UPDATE OF status "
            f"ON deadlines FOR EACH ROW WHEN ({_WHEN}) "
            "EXECUTE FUNCTION opi_deadline_close_cancels_reminders()"
        )
    else:
        op.execute(
            "CREATE TRIGGER deadlines_close_cancels_reminders AFTER UPDATE OF status "
            f"ON deadlines FOR EACH ROW WHEN {_WHEN} "
            f"BEGIN {_SET} WHERE id IN ({_PENDING}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER deadlines_close_cancels_reminders ON deadlines")
        op.execute("DROP FUNCTION opi_deadline_close_cancels_reminders()")
    else:
        op.execute("DROP TRIGGER deadlines_close_cancels_reminders")
