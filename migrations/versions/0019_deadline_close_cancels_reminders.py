"""Closing a deadline cancels its unsent reminders in the database (issue 18).

A row trigger on `deadlines`: when a deadline leaves `open` (met or cancelled), its `pending`
reminder rows become `cancelled` (their lease cleared, `updated_at` the deadline's), in the
same statement that closes it. A transition leaving a phase closes all the phase's open
deadlines with one `UPDATE ... RETURNING`, which also returns how many pending reminders
each had (what the audit event reports): one statement where there were two. The writers
that cancelled reminders themselves before closing a deadline still may (the trigger then
finds none left). Both databases run the same update; on PostgreSQL the rows are locked in
id order first, the order the reminder sweep locks them in.
"""

from migrations.triggers import create_row_trigger, drop_row_trigger

revision: str = "0019"
down_revision: str | None = "0018"

_SET = (
    "UPDATE reminders SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, "
    "updated_at = NEW.updated_at"
)
_PENDING = "SELECT id FROM reminders WHERE deadline_id = NEW.id AND status = 'pending'"
_WHEN = "OLD.status = 'open' AND NEW.status <> 'open'"
_FUNCTION = "opi_deadline_close_cancels_reminders"


def upgrade() -> None:
    create_row_trigger(
        "deadlines_close_cancels_reminders",
        "UPDATE OF status",
        "deadlines",
        function=_FUNCTION,
        # Only PostgreSQL locks: the rows in id order, the order the reminder sweep locks them in.
        postgresql_body=f"{_SET} WHERE id IN ({_PENDING} ORDER BY id FOR UPDATE)",
        sqlite_body=f"{_SET} WHERE id IN ({_PENDING})",
        when=_WHEN,
    )


def downgrade() -> None:
    drop_row_trigger("deadlines_close_cancels_reminders", "deadlines", function=_FUNCTION)
