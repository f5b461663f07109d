"""API support tables (issue 3): none needed.

The HTTP API's only table of its own, `idempotency_records` (Idempotency-Key replays), is part
of the core schema (0001). This revision stays in the chain so the revision numbers are stable.
"""

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
