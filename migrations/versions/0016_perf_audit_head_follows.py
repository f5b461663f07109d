"""The audit chain's head follows its events in the database (issue 18).

A row trigger on `audit_events` moves the chain's `audit_heads` row to each inserted event
(creating the row for a new chain), so a writer appends events with one INSERT instead of
an INSERT followed by an UPDATE (or INSERT) of the heads. The head only ever moves forward;
the writer still locks and reads it before hashing (`workflow.audit.writer`), and the
verifier still checks that the head names each chain's last event. Both databases run the
same upsert.
"""

from migrations.triggers import create_row_trigger, drop_row_trigger

revision: str = "0016"
down_revision: str | None = "0015"

_UPSERT = (
    "INSERT INTO audit_heads (chain, seq, hash) VALUES (NEW.chain, NEW.seq, NEW.hash) "
    "ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash "
    "WHERE audit_heads.seq < excluded.seq"
)
_FUNCTION = "opi_audit_head_follows"


def upgrade() -> None:
    create_row_trigger(
        "audit_events_head_follows",
        "INSERT",
        "audit_events",
        function=_FUNCTION,
        postgresql_body=_UPSERT,
        sqlite_body=_UPSERT,
    )


def downgrade() -> None:
    drop_row_trigger("audit_events_head_follows", "audit_events", function=_FUNCTION)
