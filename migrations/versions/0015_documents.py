"""Documents on cases and proposals (issue 19): documents, their versions, the PostgreSQL
store's chunks, and the document version a signature names.
"""

import sqlalchemy as sa
from alembic import op

from migrations.columns import TIME, create_indexes, create_keyed_table, references

revision: str = "0015"
down_revision: str | None = "0014"


def upgrade() -> None:
    create_keyed_table(
        "documents",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("deletion_requested_at", TIME, nullable=True),
        sa.Column("deletion_requested_by", sa.String(length=200), nullable=True),
        sa.Column("deletion_reason", sa.String(length=2000), nullable=True),
        references("case_id", "cases"),
        references("proposal_id", "proposals"),
        references("organisation_id", "organisations"),
    )
    create_indexes("documents", "case_id", "proposal_id")
    create_keyed_table(
        "document_versions",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", TIME, nullable=False),
        references("document_id", "documents"),
        sa.UniqueConstraint("document_id", "n"),
    )
    create_indexes("document_versions", "document_id", "sha256")
    op.create_table(
        "document_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "n"),
    )
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.add_column(sa.Column("document_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_signatures_document_version_id",
            "document_versions",
            ["document_version_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.drop_constraint("fk_signatures_document_version_id", type_="foreignkey")
        batch_op.drop_column("document_version_id")
    # Dropping a table drops its indexes on both databases.
    for table in ("document_chunks", "document_versions", "documents"):
        op.drop_table(table)
