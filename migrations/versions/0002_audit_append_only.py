"""The audit log is append-only in the database itself (SPEC §6).

PostgreSQL: a row trigger refuses UPDATE and DELETE and a statement trigger refuses TRUNCATE
(row triggers never see TRUNCATE). SQLite: triggers refuse UPDATE and DELETE (SQLite has no
TRUNCATE; `DELETE FROM t` without WHERE still fires the row trigger). The trigger function is
generic (it names the table it guards) so the checkpoint tables of 0004 reuse it.
"""

from alembic import op

from migrations.triggers import drop_append_only, make_append_only

revision: str = "0002"
down_revision: str | None = "0001"

_GENESIS = "0" * 64
_PG_FUNCTION = """
CREATE FUNCTION opi_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    make_append_only("audit_events")
    # The global chain's head exists from the start, so concurrent first writers never race
    # to create it. (Kept by a downgrade once the chain has events, hence NOT EXISTS.)
    op.execute(
        f"INSERT INTO audit_heads (chain, seq, hash) SELECT 'global', 0, '{_GENESIS}' "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_heads WHERE chain = 'global')"
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_heads WHERE chain = 'global' AND seq = 0")
    drop_append_only("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION opi_audit_append_only()")
