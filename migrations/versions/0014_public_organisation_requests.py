"""Open calls in public (issue 17, item 5): unregistered companies' requests to take part.

`organisation_requests` holds what a company typed into the form on a call's public page
(company name, CVR number, contact name and email) until an admin or a manager of the call's
lead municipality approves it (creating the organisation) or declines it. At most one request
per company (CVR) and call is pending at a time (a partial unique index). Self-contained: it
only adds this table.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_indexes, create_keyed_table, create_pending_index

revision: str = "0014"
down_revision: str | None = "0013"


def upgrade() -> None:
    create_keyed_table(
        "organisation_requests",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("cvr", sa.String(8), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("decided_at", TIME, nullable=True),
    )
    create_indexes("organisation_requests", "case_id", "status")
    create_pending_index(
        "ux_organisation_requests_pending", "organisation_requests", ["case_id", "cvr"], unique=True
    )


def downgrade() -> None:
    op.drop_table("organisation_requests")
