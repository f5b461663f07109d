"""Trigger DDL that more than one migration writes, on PostgreSQL and SQLite.

The migrations that guard a table append-only (0002, 0004) and the ones that keep a row in
step with another table by a row trigger (0016, 0019) each wrote the same two dialects' DDL by
hand. These helpers write it once. They return exactly the statements those migrations wrote
(SQLite keeps a trigger's text in `sqlite_master`), so a database migrated before and one
migrated after cannot tell the difference.
"""

from alembic import op


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def make_append_only(table: str) -> None:
    """Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on `table`.

    PostgreSQL: `opi_audit_append_only()` (revision 0002) names the table it guards; a row
    trigger never sees TRUNCATE, so a statement trigger refuses that. SQLite has no TRUNCATE.
    """
    if _postgresql():
        op.execute(
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION opi_audit_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION opi_audit_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        )


def drop_append_only(table: str) -> None:
    """Undo `make_append_only(table)` (a dropped table takes its triggers with it anyway)."""
    if _postgresql():
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_no_update_delete ON {table}")
    else:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"DROP TRIGGER {table}_no_delete")


def create_row_trigger(
    name: str,
    event: str,
    table: str,
    *,
    function: str,
    postgresql_body: str,
    sqlite_body: str,
    when: str | None = None,
) -> None:
    """An AFTER row trigger `name` on `table` that runs one statement per row.

    `event` is e.g. `INSERT` or `UPDATE OF status`; `when`, if given, the row condition. On
    PostgreSQL the statement becomes the body of the trigger function `function` (which returns
    NULL, as an AFTER trigger's may); SQLite runs it inline. The bodies are given apart because
    only PostgreSQL can lock rows (`FOR UPDATE`). SQLite's triggers are always row triggers;
    `FOR EACH ROW` is written there only before a WHEN, as these migrations always did.
    """
    if _postgresql():
        op.execute(
            f"\nCREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {postgresql_body};\n    RETURN NULL;\nEND\n$$\n"
        )
        condition = f"WHEN ({when}) " if when else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {condition}"
            f"EXECUTE FUNCTION {function}()"
        )
    else:
        condition = f"FOR EACH ROW WHEN {when} " if when else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} {condition}BEGIN {sqlite_body}; END"
        )


def drop_row_trigger(name: str, table: str, *, function: str) -> None:
    """Undo `create_row_trigger` (on PostgreSQL its function as well)."""
    if _postgresql():
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {function}()")
    else:
        op.execute(f"DROP TRIGGER {name}")
