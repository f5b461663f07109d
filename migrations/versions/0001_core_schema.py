"""The core schema: organisations, tokens, cases, their proposals and the audit log."""

from typing import Any

import sqlalchemy as sa
from alembic import op

from migrations.columns import BIG_ID, JSON, TIME, create_indexes, create_keyed_table, references

revision: str = "0001"
down_revision: str | None = None

TABLES = (
    "audit_heads",
    "idempotency_records",
    "organisations",
    "api_tokens",
    "cases",
    "audit_events",
    "participants",
    "proposals",
    "signatures",
    "assessments",
    "decisions",
)
"""In the order they are created (each after the tables it refers to)."""
SECTIONS = ("need", "call", "agreement", "pilot", "scale")
"""A case's phase sections, each a JSON document."""


def _case_and_organisation() -> tuple[Any, ...]:
    """The two references of a table of a case's rows about one organisation."""
    return (
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        references("case_id", "cases"),
        references("organisation_id", "organisations"),
    )


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain"),
    )
    create_keyed_table(
        "idempotency_records",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_headers", JSON, nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("principal", "key"),
    )
    create_keyed_table(
        "organisations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("cvr", sa.String(length=8), nullable=True),
        sa.Column("webhook_url", sa.String(length=2000), nullable=True),
        sa.Column("webhook_secret", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
    )
    create_indexes("organisations", "name")
    create_keyed_table(
        "api_tokens",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("revoked_at", TIME, nullable=True),
        references("organisation_id", "organisations"),
        sa.UniqueConstraint("token_hash"),
    )
    create_keyed_table(
        "cases",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("on_hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sa.String(length=2000), nullable=True),
        sa.Column("cancelled_from", sa.String(length=20), nullable=True),
        sa.Column("lead_municipality_id", sa.Integer(), nullable=False),
        *(sa.Column(section, JSON, nullable=False) for section in SECTIONS),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("phase_entered_at", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        references("lead_municipality_id", "organisations"),
    )
    create_indexes("cases", "lead_municipality_id", "state")
    create_keyed_table(
        "audit_events",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        references("case_id", "cases"),
        sa.UniqueConstraint("chain", "seq"),
        key_type=BIG_ID,
    )
    create_indexes("audit_events", "action", "actor_name", "at")
    op.create_index("ix_audit_events_case_seq", "audit_events", ["case_id", "seq"])
    create_keyed_table(
        "participants",
        *_case_and_organisation(),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("case_id", "organisation_id"),
    )
    create_indexes("participants", "case_id", "organisation_id")
    create_keyed_table(
        "proposals",
        *_case_and_organisation(),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.String(length=20000), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", TIME, nullable=False),
    )
    create_indexes("proposals", "case_id", "organisation_id")
    create_keyed_table(
        "signatures",
        *_case_and_organisation(),
        sa.Column("signatory_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", TIME, nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    create_indexes("signatures", "case_id")
    create_keyed_table(
        "assessments",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("scores", JSON, nullable=False),
        sa.Column("rationale", sa.String(length=20000), nullable=False),
        sa.Column("conflict_of_interest", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        references("proposal_id", "proposals"),
    )
    create_indexes("assessments", "proposal_id")
    create_keyed_table(
        "decisions",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("rationale", sa.String(length=20000), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", TIME, nullable=False),
        references("proposal_id", "proposals"),
    )
    create_indexes("decisions", "proposal_id")


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    for table in reversed(TABLES):
        op.drop_table(table)
