"""The audit chain's head follows its events in the database (issue 18).

A row trigger on `audit_events` moves the chain's `audit_heads` row to each inserted event
(creating the row for a new chain), so a writer appends events with one INSERT instead of
an INSERT followed by an UPDATE (or INSERT) of the heads. The head only ever moves forward;
the writer still locks and reads it before hashing (`workflow.audit.writer`), and the
verifier still checks that the head names each chain's last event. Both databases run the
same upsert.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = (
    "INSERT INTO audit_heads (chain, seq, hash) VALUES (NEW.chain, NEW.seq, NEW.hash) "
    "ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash "
    "WHERE audit_heads.seq < excluded.seq"
)
_PG_FUNCTION = f"""
CREATE FUNCTION opi_audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_UPSERT};
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_head_follows AFTER INSERT ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION opi_audit_head_follows()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_events_head_follows AFTER INSERT ON audit_events "
            f"BEGIN {_UPSERT}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_head_follows ON audit_events")
        op.execute("DROP FUNCTION opi_audit_head_follows()")
    else:
        op.execute("DROP TRIGGER audit_events_head_follows")
